package io.segstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code segstream} launcher: one entry point for every tool of the project.
 *
 * <pre>{@code ./segstream scenes --out /tmp/s --count 20 --size 1024x512}</pre>
 */
@Command(
        name = "segstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Semantic segmentation of railway and road cameras on Kafka and Flink.",
        subcommands = {
            CommandLine.HelpCommand.class,
            EvalCommand.class,
            ScenesCommand.class,
            TrainCommand.class,
            PredictCommand.class,
            ExportCommand.class,
            QuantizeCommand.class,
            CalibrateCommand.class,
            TtaCommand.class,
            PruneCommand.class,
            ModelsCommand.class,
            BrokerCommand.class,
            IngestCommand.class,
            EdgeCommand.class,
            ReplayCommand.class,
            InferCommand.class,
            DemoCommand.class,
            DashboardCommand.class,
            BenchCommand.class,
            SoakCommand.class,
            ReleaseCommand.class,
            ReleasesCommand.class,
            RetrainCommand.class,
        })
public final class Segstream implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with the project's error handling: one plain sentence, non-zero exit. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Segstream());
        cmd.setExecutionExceptionHandler(new PlainErrorHandler());
        cmd.setParameterExceptionHandler(new PlainUsageErrorHandler());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.getSubcommands().get("infer").getCommandSpec().usageMessage().footer(InferCommand.footer());
        return cmd;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
