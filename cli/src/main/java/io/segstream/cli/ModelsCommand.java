package io.segstream.cli;

import io.segstream.training.run.ModelTable;
import io.segstream.training.run.TrainingBenchmark;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream models}: the trainable models with parameters, GFLOPs and output stride; with
 * {@code --benchmark}, their training throughput on this machine.
 *
 * <pre>{@code ./segstream models --benchmark --size 512x256 --batch 4}</pre>
 */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Lists the trainable segmentation models: parameters, GFLOPs of one forward pass (2 per multiply-add of"
                + " the convolutions) at --flops-size, and output stride.",
            "With --benchmark it also trains each model for a few steps on random images and prints images/s."
        })
final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--classes", defaultValue = "19", description = "Classes of the output (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--flops-size", defaultValue = "2048x1024", paramLabel = "WxH",
            description = "Input size of the GFLOPs column (default: ${DEFAULT-VALUE}).")
    String flopsSize;

    @Option(names = "--benchmark", description = "Measure training images/s of every model.")
    boolean benchmark;

    @Option(names = "--size", defaultValue = "512x256", paramLabel = "WxH",
            description = "Benchmark input size (default: ${DEFAULT-VALUE}).")
    String benchSize;

    @Option(names = "--batch", defaultValue = "4", description = "Benchmark batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--iterations", defaultValue = "3", description = "Timed steps per model (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--width-multiplier", defaultValue = "1.0", description = "Benchmark models at this width.")
    double widthMultiplier;

    @Option(names = "--models", split = ",", paramLabel = "MODEL",
            description = "Benchmark only these (names as in the table, e.g. fastscnn,fcn8-resnet18).")
    List<String> only = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int[] f = Sizes.parse(flopsSize, "--flops-size");
        out.print(ModelTable.format(ModelTable.rows(classes, f[0], f[1]), f[0], f[1]));
        if (benchmark) {
            int[] s = Sizes.parse(benchSize, "--size");
            List<TrainingBenchmark.Result> r = TrainingBenchmark.run(s[0], s[1], batch, iterations, widthMultiplier,
                    classes, only, System.err);
            out.println();
            out.print(TrainingBenchmark.format(r, s[0], s[1], batch));
        }
        out.flush();
        return 0;
    }
}
