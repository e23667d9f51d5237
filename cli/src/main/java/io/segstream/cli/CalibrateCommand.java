package io.segstream.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.metrics.ClassOffsetFit;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.ClassOffsets;
import io.segstream.core.segment.FramePreprocessor;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream calibrate}: fits one score offset per class for mIoU on labelled frames and writes the model with
 * the offsets built in.
 *
 * <pre>{@code
 * ./segstream calibrate --model models/rail-1 --data /data/calibration --out models/rail-1-cal
 * }</pre>
 *
 * <pre>
 *  frames --FramePreprocessor--> ONNX Runtime (class scores) + ground truth --> ClassOffsetFit --> offsets
 *  offsets --ClassOffsets (into the last bias, or one Add)--> check: new scores = old + offsets --> write
 * </pre>
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Fits one offset per class to a model's class scores, the offsets that give the highest mIoU on labelled"
                + " frames, and writes the model with them built in (added to its last convolution's bias where"
                + " that is exact, so a frame costs nothing more) to DIR/model.onnx and DIR/model.json. It undoes"
                + " the lean towards rare classes that class-weighted training leaves. Calibrate on frames the"
                + " model was neither trained nor will be scored on, then score it with eval --model."
        })
final class CalibrateCommand implements Callable<Integer> {
    private static final double MAX_SCORE_ERROR = 1e-3;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "Model directory (model.onnx + model.json) whose output is class scores.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "ROOT",
            description = "Cityscapes root with the calibration frames and their gtFine labels.")
    Path data;

    @Option(names = "--split", defaultValue = "val", paramLabel = "NAME",
            description = "Split of --data to calibrate on (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--frames", defaultValue = "100", paramLabel = "N",
            description = "Frames to fit on, the first N in dataset order; 0 = all (default: ${DEFAULT-VALUE}). Each"
                    + " holds its scores in memory: classes x output pixels x 4 bytes.")
    int frames;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--version", paramLabel = "V",
            description = "Version of the written model (default: the model's version with -cal appended).")
    String version;

    @Option(names = "--max-sweeps", defaultValue = "8", paramLabel = "N",
            description = "Most passes over the classes (default: ${DEFAULT-VALUE}).")
    int maxSweeps;

    @Override
    public Integer call() throws Exception {
        if (frames < 0) {
            throw new IllegalArgumentException("--frames must be 0 (all) or more, got " + frames);
        }
        if (maxSweeps < 1) {
            throw new IllegalArgumentException("--max-sweeps must be at least 1, got " + maxSweeps);
        }
        ModelDirectory source = ModelDirectory.at(model);
        ModelManifest manifest = source.readManifest();
        if (manifest.outputKind() != OutputKind.LOGITS_NCHW) {
            throw new IllegalArgumentException(model + " outputs class ids (" + manifest.outputKind() + "); calibrating"
                    + " needs a model whose output is class scores (LOGITS_NCHW)");
        }
        byte[] onnx = source.readVerifiedModel(manifest);
        if (Files.exists(out.resolve(ModelDirectory.MODEL_FILE))) {
            throw new IllegalArgumentException(out + " already holds a " + ModelDirectory.MODEL_FILE
                    + "; choose a new --out directory");
        }
        List<CityscapesSample> samples = samples();
        LabelSet labels = manifest.labelSet();
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();

        FramePreprocessor pre = new FramePreprocessor(manifest);
        FloatBuffer input = FloatBuffer.allocate(pre.floatsPerImage());
        long[] shape = manifest.layout() == Layout.NCHW
                ? new long[] {1, 3, manifest.inputHeight(), manifest.inputWidth()}
                : new long[] {1, manifest.inputHeight(), manifest.inputWidth(), 3};
        ClassOffsetFit fit = new ClassOffsetFit(labels.numClasses());
        // the first frame's input and scores, for the check of the written model
        FloatBuffer firstInput = null;
        float[] firstScores = null;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long started = System.nanoTime();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(onnx, so)) {
            for (int i = 0; i < samples.size(); i++) {
                CityscapesSample sample = samples.get(i);
                pre.write(sample.loadRgb(), input, 0);
                LabelImage truth = sample.loadClassIds(labels);
                try (OnnxTensor x = OnnxTensor.createTensor(env, input.duplicate().rewind(), shape);
                        OrtSession.Result r = session.run(Map.of(manifest.inputName(), x))) {
                    OnnxTensor scores = (OnnxTensor) r.get(manifest.outputName()).orElseThrow();
                    long[] dims = ((TensorInfo) scores.getInfo()).getShape();
                    if (dims.length != 4 || dims[1] != labels.numClasses()) {
                        throw new IllegalArgumentException(model + " gives scores of shape " + List.of(dims[0],
                                dims[1]) + "..., not [1, " + labels.numClasses() + ", H, W] for label set "
                                + labels.name());
                    }
                    FloatBuffer values = scores.getFloatBuffer();
                    if (i == 0) {
                        Runtime rt = Runtime.getRuntime();
                        checkMemory(samples.size(), bytesPerFrame(labels.numClasses(), dims[2] * dims[3]),
                                rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()));
                        firstInput = FloatBuffer.wrap(input.array().clone());
                        firstScores = floats(values.duplicate());
                    }
                    fit.add(values, (int) dims[2], (int) dims[3], truth.toBytes(), truth.width(),
                            truth.height());
                }
                if ((i + 1) % 10 == 0 || i + 1 == samples.size()) {
                    err.printf(Locale.ROOT, "scored %d/%d frames (%.0f s)%n", i + 1, samples.size(),
                            (System.nanoTime() - started) / 1e9);
                }
            }
        }
        ClassOffsetFit.Result result = fit.fit(maxSweeps);
        err.printf(Locale.ROOT, "fitted %d offsets in %d sweep(s) (%.0f s)%n", labels.numClasses(), result.sweeps(),
                (System.nanoTime() - started) / 1e9);

        ClassOffsets.Applied applied = ClassOffsets.apply(onnx, manifest.outputName(), result.offsets());
        double error = scoreError(firstScores, scores(applied.model(), manifest, firstInput, shape),
                result.offsets());
        if (!(error <= MAX_SCORE_ERROR)) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the calibrated model's scores differ from the"
                    + " model's plus the offsets by up to %.3g on %s (offsets %s), so nothing was written", error,
                    samples.get(0).image().orElseThrow(), applied.where()));
        }

        ObjectNode offsets = JsonNodeFactory.instance.objectNode();
        ObjectNode before = JsonNodeFactory.instance.objectNode();
        ObjectNode after = JsonNodeFactory.instance.objectNode();
        for (int c = 0; c < labels.numClasses(); c++) {
            String name = labels.classNames().get(c);
            offsets.put(name, result.offsets()[c]);
            if (!Double.isNaN(result.iouBefore()[c])) {
                before.put(name, round(result.iouBefore()[c]));
                after.put(name, round(result.iouAfter()[c]));
            }
        }
        ObjectNode calibration = JsonNodeFactory.instance.objectNode()
                .put("method", "one score offset per class, fitted for mIoU by coordinate ascent")
                .put("data", data.toAbsolutePath().normalize() + " (" + split + ")")
                .put("frames", result.frames())
                .put("sweeps", result.sweeps())
                .put("where", applied.where())
                .put("maxScoreError", error)
                .put("source", manifest.id())
                .put("miouBefore", round(result.miouBefore()))
                .put("miouAfter", round(result.miouAfter()));
        calibration.set("offsets", offsets);
        calibration.set("iouBefore", before);
        calibration.set("iouAfter", after);
        ObjectNode uncalibrated = calibration.putObject("uncalibratedMetrics");
        manifest.metrics().forEach(uncalibrated::put);
        JsonNode training = manifest.training();
        ObjectNode block = training != null && training.isObject() ? ((ObjectNode) training).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        block.set("calibration", calibration);
        String note = String.format(Locale.ROOT, "Class scores of %s offset per class for mIoU on %d frames of %s"
                + " (%.4f -> %.4f there).", manifest.id(), result.frames(), data.getFileName(), result.miouBefore(),
                result.miouAfter());
        String description = manifest.description() == null ? "" : manifest.description().strip();
        // the metrics were measured without the offsets: they move into the calibration block
        ModelManifest calibrated = manifest.toBuilder().clearMetrics()
                .setVersion(version != null ? version : manifest.version() + "-cal")
                .optDescription(description.isEmpty() ? note
                        : description + (description.endsWith(".") ? " " : ". ") + note)
                .optTraining(block).build();
        ModelDirectory written = ModelDirectory.write(out, applied.model(), calibrated);

        o.printf(Locale.ROOT, "Calibrated %s on %d frame(s) of %s (%s): mIoU %.4f -> %.4f on those frames.%n",
                manifest.id(), result.frames(), data, split, result.miouBefore(), result.miouAfter());
        TextTable t = new TextTable(List.of("class", "offset", "IoU before", "IoU after"));
        for (int c = 0; c < labels.numClasses(); c++) {
            t.row(List.of(labels.classNames().get(c), String.format(Locale.ROOT, "%+.2f", result.offsets()[c]),
                    iou(result.iouBefore()[c]), iou(result.iouAfter()[c])));
        }
        o.print(t);
        o.printf(Locale.ROOT, "Offsets %s; scores checked against the model's plus the offsets (max error %.2g).%n",
                applied.where(), error);
        o.printf(Locale.ROOT, "These figures are on the frames the offsets were fitted on; score %s on frames it has"
                + " not seen: segstream eval --gt ROOT --model %s%n", calibrated.id(), out);
        o.printf(Locale.ROOT, "wrote %s and %s%n", written.modelFile(), written.manifestFile());
        return 0;
    }

    /**
     * What the fit holds per frame: the scores (4 bytes per class and output pixel), the ground truth gathered per
     * output pixel (about 9 bytes each), and a quarter more for the pixels near a class's decision boundary.
     */
    static long bytesPerFrame(int classes, long outputPixels) {
        return (4L * classes + 9) * outputPixels * 5 / 4;
    }

    /** Refuses, naming the frames that would fit, when {@code frames} frames need more than {@code available}. */
    static void checkMemory(int frames, long bytesPerFrame, long available) {
        long need = frames * bytesPerFrame;
        if (need > available * 4 / 5) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "calibrating on %d frame(s) holds about %d"
                    + " MB of class scores, more than the %d MB this JVM can spare; pass --frames %d or fewer, or"
                    + " give Java more memory (SEGSTREAM_JAVA_OPTS=-Xmx...)", frames, need >> 20, available >> 20,
                    Math.max(1, available * 4 / 5 / bytesPerFrame)));
        }
    }

    private List<CityscapesSample> samples() throws Exception {
        if (!Files.isDirectory(data.resolve(CityscapesDataset.IMAGES))) {
            throw new IllegalArgumentException(data + " is not a Cityscapes root (no " + CityscapesDataset.IMAGES
                    + " folder); give frames with gtFine labels, e.g. from segstream scenes");
        }
        CityscapesDataset ds = CityscapesDataset.open(data);
        if (!ds.splits(CityscapesDataset.IMAGES).contains(split)) {
            throw new IllegalArgumentException(data + " has no split '" + split + "' under " + CityscapesDataset.IMAGES
                    + "; its splits are " + ds.splits(CityscapesDataset.IMAGES) + ", choose one with --split");
        }
        List<CityscapesSample> all = new ArrayList<>(ds.split(split));
        if (all.isEmpty()) {
            throw new IllegalArgumentException(data + " holds no labelled frame in split " + split);
        }
        return frames > 0 && all.size() > frames ? all.subList(0, frames) : all;
    }

    /** The largest |new - (old + offset of the class)| over one frame's scores. */
    private static double scoreError(float[] old, float[] calibrated, float[] offsets) {
        int plane = old.length / offsets.length;
        double worst = 0;
        for (int i = 0; i < old.length; i++) {
            worst = Math.max(worst, Math.abs(calibrated[i] - (old[i] + offsets[i / plane])));
        }
        return worst;
    }

    private static float[] scores(byte[] onnx, ModelManifest manifest, FloatBuffer input, long[] shape)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(onnx, so);
                OnnxTensor x = OnnxTensor.createTensor(env, input.duplicate().rewind(), shape);
                OrtSession.Result r = s.run(Map.of(manifest.inputName(), x))) {
            return floats(((OnnxTensor) r.get(manifest.outputName()).orElseThrow()).getFloatBuffer());
        }
    }

    private static float[] floats(FloatBuffer f) {
        float[] v = new float[f.remaining()];
        f.get(v);
        return v;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    private static String iou(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
