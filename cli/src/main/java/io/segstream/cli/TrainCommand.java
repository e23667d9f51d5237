package io.segstream.cli;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.CityscapesSource;
import io.segstream.training.run.LrFinder;
import io.segstream.training.run.RunDirectory;
import io.segstream.training.run.TrainConfig;
import io.segstream.training.run.Trainer;
import io.segstream.training.run.TrainingJob;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream train}: trains a segmentation model on a Cityscapes-layout dataset with the seeds' train.py flags.
 *
 * <pre>{@code ./segstream train -m fastscnn -p /tmp/scenes -t 512x256 -b 4 -e 3 --schedule polynomial}</pre>
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Trains a semantic segmentation model (Deeplearning4j) on a Cityscapes-layout dataset and writes"
                + " runs/<date>_<model>__<n>/: config.json, train.log, metrics.csv/json, loss/lr/miou plots and"
                + " checkpoints named epoch-E_miou-M_loss-L.zip (best and last kept).",
            "With -f/--lrfinder OPTIMIZER it runs the learning-rate range test instead."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions training = new TrainOptions();

    @Option(names = {"-r", "--resume"}, paramLabel = "CHECKPOINT",
            description = "Continue from a checkpoint zip (weights, optimizer state, schedule, data position).")
    Path resume;

    @Option(names = {"-f", "--lrfinder"}, paramLabel = "OPTIMIZER",
            description = "Run the learning-rate finder with this optimizer: adadelta, adagrad, adam, adamax, ftrl,"
                    + " nadam, rmsprop, sgd, sgd_nesterov.")
    String lrFinder;

    @Option(names = "--lrfinder-steps", paramLabel = "N", defaultValue = "100", description = "Steps of the learning-rate sweep.")
    int lrFinderSteps;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = TrainConfig.of(training.toMap());
        PrintWriter out = spec.commandLine().getOut();
        PrintStream err = System.err;
        if (lrFinder != null) {
            CityscapesDataset data = CityscapesDataset.locate(training.path);
            CityscapesSource train = CityscapesSource.open(data, "train", LabelSet.named(training.labelSet), training.coarse);
            RunDirectory dir = RunDirectory.create(training.runsDir, config.modelSpec().label() + "-lrfinder", LocalDate.now());
            double end = training.maxLr > training.learningRate ? Math.max(training.maxLr, 1.0) : 1.0;
            LrFinder.Result r = LrFinder.run(config, lrFinder, 1e-7, end, lrFinderSteps, train,
                    dir.plot("lrfinder-" + lrFinder), err);
            out.printf(Locale.ROOT, "suggested learning-rate range for %s: --min-lr %.2e --max-lr %.2e (plot: %s)%n",
                    lrFinder, r.suggestedMin(), r.suggestedMax(), r.plot());
            return 0;
        }
        Trainer.Outcome outcome = TrainingJob.run(config, resume, training.initPath(), err);
        out.printf(Locale.ROOT, "run %s: best val mIoU %.4f, best checkpoint %s, last checkpoint %s%n",
                outcome.run().root(), outcome.bestMeanIoU(), outcome.bestCheckpoint(), outcome.lastCheckpoint());
        return 0;
    }
}
