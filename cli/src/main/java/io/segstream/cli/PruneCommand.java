package io.segstream.cli;

import io.segstream.training.run.Checkpoints;
import io.segstream.training.run.Pruning;
import io.segstream.training.run.TrainConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream prune}: removes the lowest-L1 filters of a trained checkpoint in steps, fine-tuning after each.
 *
 * <pre>{@code ./segstream prune -m icnet -w runs/…/epoch-010_….zip --schedule 0.25,0.5 -p /tmp/scenes -e 2}</pre>
 */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Kernel pruning: removes the filters with the lowest mean absolute weight from every prunable group of"
                + " convolutions (residual adds, depthwise pairs and concatenations are kept consistent), in steps,"
                + " each scored on the validation split and fine-tuned with the checkpoint's training options.",
            "Prints params, GFLOPs and validation mIoU per step; every step writes a run directory whose best"
                + " checkpoint `export` turns into a smaller ONNX model."
        })
final class PruneCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model name; checked against the checkpoint's (optional).")
    String model;

    @Option(names = {"-w", "--weights"}, required = true, paramLabel = "CHECKPOINT", description = "Trained checkpoint zip.")
    Path weights;

    @Option(names = "--ratio", paramLabel = "R", defaultValue = "0.5",
            description = "Fraction of the filters of every prunable group to remove (default: ${DEFAULT-VALUE}).")
    double ratio;

    @Option(names = "--schedule", paramLabel = "R1,R2,...", split = ",",
            description = "Prune in steps to these rising fractions, fine-tuning after each (instead of --ratio).")
    List<Double> schedule;

    @Option(names = {"-p", "--path"}, paramLabel = "ROOT",
            description = "Dataset root for scoring and fine-tuning (default: the checkpoint's).")
    Path path;

    @Option(names = {"-e", "--epochs"}, paramLabel = "N", defaultValue = "2",
            description = "Fine-tuning epochs per step (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = {"-l", "--learning-rate"}, paramLabel = "LR", defaultValue = "1e-4",
            description = "Fine-tuning learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", description = "Batch size (default: the checkpoint's).")
    Integer batch;

    @Option(names = "--val-images", paramLabel = "N", description = "Validation frames scored (0 = all; default: the"
            + " checkpoint's).")
    Integer valImages;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs",
            description = "Parent of the fine-tuning run directories (default: ${DEFAULT-VALUE}).")
    String runsDir;

    @Override
    public Integer call() throws Exception {
        TrainConfig trained = TrainConfig.of(Checkpoints.readState(weights).config());
        if (model != null && !model.equalsIgnoreCase(trained.model())) {
            throw new IllegalArgumentException(weights + " holds a network of model " + trained.model() + ", not " + model);
        }
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("epochs", epochs);
        overrides.put("learningRate", learningRate);
        overrides.put("runsDir", runsDir);
        if (path != null) {
            overrides.put("dataPath", path.toString());
        }
        if (batch != null) {
            overrides.put("batch", batch);
        }
        if (valImages != null) {
            overrides.put("validationImages", valImages);
        }
        List<Double> steps = schedule != null ? new ArrayList<>(schedule) : List.of(ratio);
        List<Pruning.Step> rows = Pruning.run(weights, steps, overrides, System.err);
        PrintWriter out = spec.commandLine().getOut();
        out.print(Pruning.table(rows, trained.width(), trained.height()));
        out.flush();
        return 0;
    }
}
