package io.segstream.cli;

import io.segstream.training.export.ModelExporter;
import io.segstream.training.export.ParityCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream export}: converts a trained checkpoint to an ONNX model directory, refusing to write it unless
 * ONNX Runtime reproduces DL4J's logits.
 *
 * <pre>{@code ./segstream export -m fastscnn -w runs/.../checkpoints/epoch-003_....zip --out models/fastscnn-1}</pre>
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Converts a trained checkpoint to ONNX (opset 17) and writes DIR/model.onnx and DIR/model.json. The export"
                + " fails unless ONNX Runtime and DL4J agree on a random input and a generated scene (max abs"
                + " difference <= 1e-4, identical argmax on >= 99.99 %% of pixels)."
        })
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "Model name; checked against the checkpoint's (optional).")
    String model;

    @Option(names = {"-w", "--weights"}, required = true, paramLabel = "CHECKPOINT", description = "Checkpoint zip.")
    Path weights;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--label-set", paramLabel = "NAME",
            description = "Label set the checkpoint must have been trained on (optional check).")
    String labelSet;

    @Option(names = {"-t", "--target-size"}, paramLabel = "WxH",
            description = "Input size of the exported model (default: the training size).")
    String targetSize;

    @Option(names = "--name", description = "Model name in the manifest (default: the model label).")
    String name;

    @Option(names = "--model-version", defaultValue = "1",
            description = "Model version in the manifest (default: ${DEFAULT-VALUE}).")
    String version;

    @Override
    public Integer call() throws Exception {
        ModelExporter.Builder b = ModelExporter.builder().setCheckpoint(weights).setOutput(out).optModel(model)
                .optLabelSet(labelSet).optName(name).optVersion(version);
        if (targetSize != null) {
            int[] size = Sizes.parse(targetSize, "--target-size");
            b.optSize(size[0], size[1]);
        }
        ModelExporter.Report r = b.build().export();
        ParityCheck.Result p = r.parity();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-24s %14s %18s %12s%n", "model", "max abs diff", "argmax agreement", "ONNX size");
        o.printf(Locale.ROOT, "%-24s %14.3g %17.4f%% %9.1f MB%n", r.model(), p.maxAbsDiff(),
                p.argmaxAgreement() * 100, r.onnxBytes() / 1e6);
        o.printf(Locale.ROOT, "wrote %s and %s%n", r.directory().modelFile(), r.directory().manifestFile());
        return 0;
    }
}
