package io.segstream.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.QuantizedModelCheck;
import io.segstream.core.onnx.TestTimeAugmentation;
import io.segstream.core.onnx.UpsamplingTail;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream tta}: one model directory that runs models at several input sizes, and on the mirrored frame,
 * and averages their class scores.
 *
 * <pre>{@code
 * ./segstream tta -m models/rail-512x256 -m models/rail-1024x512 --flip --out models/rail-tta
 * }</pre>
 */
@Command(
        name = "tta",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Writes one model (DIR/model.onnx and DIR/model.json) that runs the given models, typically one network"
                + " exported at several input sizes, on the frame resized to each one's size, and with --flip also on"
                + " the mirrored frame, and outputs the mean of their class scores: multi-scale and flip test-time"
                + " augmentation as a single ONNX graph, served, evaluated and released like any model. It costs the"
                + " sum of its members' time per frame; the table says how much."
        })
final class TtaCommand implements Callable<Integer> {
    private static final int WARMUP_RUNS = 2;
    private static final int TIMED_RUNS = 7;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "A model directory whose output is class scores; repeat for each member. All must share the"
                    + " label set, normalisation, channel order and NCHW layout.")
    List<Path> models;

    @Option(names = "--flip", description = "Also run every member on the horizontally mirrored frame.")
    boolean flip;

    @Option(names = "--size", paramLabel = "WxH",
            description = "Input size of the written model, the frame size it expects (default: the largest member's"
                    + " input).")
    String size;

    @Option(names = "--scores-size", paramLabel = "WxH",
            description = "Size of the averaged class scores (default: the smallest member's input; larger costs more"
                    + " after the network, in the argmax).")
    String scoresSize;

    @Option(names = "--average-upsampled",
            description = "Average the members' scores after each one's own final upsampling, as the first versions"
                    + " of this command did. By default, where every member ends in an upsampling of its scores, they"
                    + " are averaged before it on the largest member's score grid and upsampled once: the same mean up"
                    + " to how the grids are interpolated, for far less work, and a segmenter fuses the one upsampling"
                    + " left with its argmax.")
    boolean averageUpsampled;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the written model (default: the first"
            + " member's).")
    String name;

    @Option(names = "--version", paramLabel = "V",
            description = "Version of the written model (default: the first member's version with -tta appended).")
    String version;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out.resolve(ModelDirectory.MODEL_FILE))) {
            throw new IllegalArgumentException(out + " already holds a " + ModelDirectory.MODEL_FILE
                    + "; choose a new --out directory");
        }
        List<ModelManifest> manifests = new ArrayList<>();
        List<TestTimeAugmentation.Member> members = new ArrayList<>();
        for (Path dir : models) {
            ModelDirectory d = ModelDirectory.at(dir);
            ModelManifest m = d.readManifest();
            check(manifests.isEmpty() ? m : manifests.get(0), m, dir);
            manifests.add(m);
            members.add(new TestTimeAugmentation.Member(d.readVerifiedModel(m), m.inputName(), m.outputName(),
                    m.inputWidth(), m.inputHeight()));
        }
        ModelManifest first = manifests.get(0);
        Comparator<ModelManifest> byArea = Comparator.comparingLong(m -> (long) m.inputWidth() * m.inputHeight());
        int[] in = size != null ? Sizes.parse(size, "--size") : inputSize(Collections.max(manifests, byArea));
        int[] scores = scoresSize != null ? Sizes.parse(scoresSize, "--scores-size")
                : inputSize(Collections.min(manifests, byArea));
        List<TestTimeAugmentation.Grid> grids = averageUpsampled ? null : scoreGrids(members);
        byte[] onnx = grids == null
                ? TestTimeAugmentation.compose(members, flip, in[0], in[1], scores[0], scores[1])
                : TestTimeAugmentation.composeBeforeUpsampling(members, grids, flip, in[0], in[1], scores[0],
                        scores[1]);

        // one run on a grey frame: the graph loads, and gives finite scores of the promised shape
        FloatBuffer grey = FloatBuffer.allocate(3 * in[0] * in[1]);
        long[] shape = {1, 3, in[1], in[0]};
        int classes = first.labelSet().numClasses();
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), grey, shape);
                OrtSession.Result r = s.run(Map.of(TestTimeAugmentation.INPUT, x))) {
            OnnxTensor o = (OnnxTensor) r.get(TestTimeAugmentation.OUTPUT).orElseThrow();
            long[] dims = ((TensorInfo) o.getInfo()).getShape();
            if (!Arrays.equals(dims, new long[] {1, classes, scores[1], scores[0]})) {
                throw new IllegalStateException("the composed model gives scores of shape " + Arrays.toString(dims)
                        + ", not [1, " + classes + ", " + scores[1] + ", " + scores[0] + "], so nothing was written");
            }
            FloatBuffer f = o.getFloatBuffer();
            for (int i = 0; i < f.remaining(); i++) {
                if (!Float.isFinite(f.get(i))) {
                    throw new IllegalStateException("the composed model gives a non-finite score on a grey frame, so"
                            + " nothing was written");
                }
            }
        }

        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (ModelManifest m : manifests) {
            list.addObject().put("model", m.id()).put("input", m.inputWidth() + "x" + m.inputHeight());
        }
        ObjectNode tta = JsonNodeFactory.instance.objectNode().put("flip", flip)
                .put("input", in[0] + "x" + in[1]).put("scores", scores[0] + "x" + scores[1])
                .put("combine", grids == null
                        ? "mean of class scores, each resized bilinearly (half-pixel centres)"
                        : "mean of class scores before the members' final upsampling, each resized bilinearly"
                                + " (half-pixel centres) to the largest member's score grid, then upsampled bilinearly");
        tta.set("members", list);
        ObjectNode metrics = tta.putObject("firstMemberMetrics");
        first.metrics().forEach(metrics::put);
        JsonNode training = first.training();
        ObjectNode block = training != null && training.isObject() ? ((ObjectNode) training).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        block.set("tta", tta);
        String what = "Mean class scores of " + String.join(" and ", manifests.stream()
                .map(m -> m.id() + " at " + m.inputWidth() + "x" + m.inputHeight()).toList())
                + (flip ? ", each also on the mirrored frame." : ".");
        ModelManifest composed = first.toBuilder().setName(name != null ? name : first.name())
                .setVersion(version != null ? version : first.version() + "-tta")
                .setInput(TestTimeAugmentation.INPUT, in[0], in[1], Layout.NCHW)
                .setOutput(TestTimeAugmentation.OUTPUT, OutputKind.LOGITS_NCHW)
                .clearMetrics().optDescription(what).optTraining(block).build();
        ModelDirectory written = ModelDirectory.write(out, onnx, composed);

        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "Composed %s: %d member(s)%s, frames at %dx%d, scores at %dx%d.%n", composed.id(),
                members.size(), flip ? " plain and mirrored" : "", in[0], in[1], scores[0], scores[1]);
        TextTable t = new TextTable(List.of("model", "input", "CPU ms/frame (median)"));
        for (int i = 0; i < members.size(); i++) {
            TestTimeAugmentation.Member m = members.get(i);
            t.row(List.of(manifests.get(i).id(), m.width() + "x" + m.height(), ms(m.onnx(), m.input(),
                    new long[] {1, 3, m.height(), m.width()})));
        }
        t.row(List.of(composed.id(), in[0] + "x" + in[1], ms(onnx, TestTimeAugmentation.INPUT, shape)));
        o.print(t);
        o.printf(Locale.ROOT, "Timings: one ONNX Runtime CPU session each, %d warm-up and %d timed runs on a grey"
                + " frame, load average %.2f on %d cores.%n", WARMUP_RUNS, TIMED_RUNS,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        o.printf(Locale.ROOT, "Score it with: segstream eval --gt ROOT --model %s%n", out);
        o.printf(Locale.ROOT, "wrote %s and %s%n", written.modelFile(), written.manifestFile());
        return 0;
    }

    /**
     * Each member's score size before its final upsampling, from one run of the member without it on a grey frame;
     * null (and a line saying which member) where a member does not end in an upsampling.
     */
    private List<TestTimeAugmentation.Grid> scoreGrids(List<TestTimeAugmentation.Member> members) throws Exception {
        List<TestTimeAugmentation.Grid> grids = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        for (int i = 0; i < members.size(); i++) {
            TestTimeAugmentation.Member m = members.get(i);
            UpsamplingTail tail = UpsamplingTail.find(m.onnx(), m.output()).orElse(null);
            if (tail == null) {
                spec.commandLine().getErr().printf(Locale.ROOT, "segstream tta: %s does not end in an upsampling of"
                        + " its scores, so every member's scores are averaged after its own upsampling%n",
                        models.get(i));
                return null;
            }
            long[] shape = {1, 3, m.height(), m.width()};
            try (OrtSession s = env.createSession(tail.cutModel(), new OrtSession.SessionOptions());
                    OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.allocate(3 * m.width() * m.height()),
                            shape);
                    OrtSession.Result r = s.run(Map.of(m.input(), x))) {
                long[] dims = ((TensorInfo) r.get(0).getInfo()).getShape();
                grids.add(new TestTimeAugmentation.Grid((int) dims[3], (int) dims[2]));
            }
        }
        return grids;
    }

    private static void check(ModelManifest first, ModelManifest m, Path dir) {
        if (m.outputKind() != OutputKind.LOGITS_NCHW) {
            throw new IllegalArgumentException(dir + " outputs class ids (" + m.outputKind() + "); averaging needs"
                    + " class scores (LOGITS_NCHW)");
        }
        if (m.layout() != Layout.NCHW) {
            throw new IllegalArgumentException(dir + " takes NHWC input; compose NCHW models");
        }
        if (!m.labelSetName().equals(first.labelSetName()) || !Arrays.equals(m.mean(), first.mean())
                || !Arrays.equals(m.std(), first.std()) || m.channelOrder() != first.channelOrder()) {
            throw new IllegalArgumentException(dir + " (" + m.id() + ", " + m.labelSetName() + ") does not share the"
                    + " first model's label set, normalisation and channel order (" + first.id() + ", "
                    + first.labelSetName() + ")");
        }
    }

    private static int[] inputSize(ModelManifest m) {
        return new int[] {m.inputWidth(), m.inputHeight()};
    }

    private static String ms(byte[] onnx, String input, long[] shape) throws Exception {
        FloatBuffer x = FloatBuffer.allocate((int) (shape[1] * shape[2] * shape[3]));
        return String.format(Locale.ROOT, "%.1f", QuantizedModelCheck.medianMillis(onnx, input, x, shape,
                WARMUP_RUNS, TIMED_RUNS));
    }
}
