package io.segstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.onnx.ActivationCalibrator;
import io.segstream.core.onnx.ActivationCalibrator.Method;
import io.segstream.core.onnx.ActivationRange;
import io.segstream.core.onnx.QdqQuantizer;
import io.segstream.core.onnx.QuantizedModelCheck;
import io.segstream.core.segment.FramePreprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream quantize}: writes an INT8 QDQ copy of a model directory, calibrated on real frames and refused
 * unless its argmax agrees with the float model's.
 *
 * <pre>{@code
 * ./segstream quantize --model models/fastscnn-1 --calibration /data/cityscapes --out models/fastscnn-1-int8
 * }</pre>
 *
 * <pre>
 *  images --FramePreprocessor--> ActivationCalibrator (FP32 + every conv input as an output) --> ranges
 *  ranges --QdqQuantizer--> INT8 QDQ model --QuantizedModelCheck (held-out frames, argmax agreement)--> write or refuse
 * </pre>
 */
@Command(
        name = "quantize",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Writes an INT8 QDQ copy of a model (weights int8 per output channel, convolution inputs uint8 from"
                + " calibrated ranges) to DIR/model.onnx and DIR/model.json, and refuses unless its argmax agrees"
                + " with the FP32 model on at least --min-agreement of the pixels of held-out calibration frames."
        })
final class QuantizeCommand implements Callable<Integer> {
    private static final int WARMUP_RUNS = 3;
    private static final int TIMED_RUNS = 15;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR",
            description = "FP32 model directory (model.onnx + model.json).")
    Path model;

    @Option(names = "--calibration", required = true, paramLabel = "ROOT",
            description = "Calibration images: a Cityscapes root (leftImg8bit/<split>/**.png) or a folder of PNG and"
                    + " JPEG images (searched recursively).")
    Path calibration;

    @Option(names = "--split", defaultValue = "train", paramLabel = "NAME",
            description = "Split of a Cityscapes root to calibrate on (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--method", defaultValue = "percentile", paramLabel = "minmax|percentile",
            description = "How activation ranges are taken: the extreme values, or a percentile of |values|"
                    + " (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--percentile", defaultValue = "99.99", paramLabel = "P",
            description = "Percentile of |values| for --method percentile (default: ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--frames", defaultValue = "32", paramLabel = "N",
            description = "Calibration frames; a quarter as many further frames, where there are, check the result"
                    + " (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--min-agreement", defaultValue = "0.99", paramLabel = "F",
            description = "Least fraction of pixels whose INT8 class must equal the FP32 class (default:"
                    + " ${DEFAULT-VALUE}).")
    double minAgreement;

    @Option(names = "--max-float", defaultValue = "8", paramLabel = "N",
            description = "Mixed precision: when full INT8 agrees below --min-agreement, leave up to N convolution"
                    + " inputs in float, the most sensitive first (each quantized alone on the check frames), until"
                    + " it passes (default: ${DEFAULT-VALUE}; 0 = all or nothing).")
    int maxFloat;

    @Override
    public Integer call() throws Exception {
        if (frames < 1) {
            throw new IllegalArgumentException("--frames must be at least 1, got " + frames);
        }
        if (!(minAgreement >= 0)) {
            throw new IllegalArgumentException("--min-agreement must be a fraction such as 0.99, got " + minAgreement);
        }
        ModelDirectory source = ModelDirectory.at(model);
        ModelManifest manifest = source.readManifest();
        byte[] fp32 = source.readVerifiedModel(manifest);
        if (Files.exists(out.resolve(ModelDirectory.MODEL_FILE))) {
            throw new IllegalArgumentException(out + " already holds a " + ModelDirectory.MODEL_FILE
                    + "; choose a new --out directory");
        }
        List<Path> images = images();
        int held = Math.max(1, frames / 4);
        List<Path> calibrate = images.subList(0, Math.min(frames, images.size()));
        List<Path> check = images.size() > calibrate.size()
                ? images.subList(calibrate.size(), Math.min(images.size(), calibrate.size() + held)) : calibrate;

        FramePreprocessor pre = new FramePreprocessor(manifest);
        FloatBuffer input = FloatBuffer.allocate(pre.floatsPerImage());
        long[] shape = manifest.layout() == Layout.NCHW
                ? new long[] {1, 3, manifest.inputHeight(), manifest.inputWidth()}
                : new long[] {1, manifest.inputHeight(), manifest.inputWidth(), 3};
        List<String> tensors = QdqQuantizer.activationTensors(fp32);
        Map<String, ActivationRange> ranges;
        try (ActivationCalibrator cal = new ActivationCalibrator(fp32, manifest.inputName(), tensors, method,
                percentile)) {
            for (Path image : calibrate) {
                pre.write(load(image), input, 0);
                cal.add(input, shape);
            }
            ranges = cal.ranges();
        }
        List<FloatBuffer> checkInputs = new ArrayList<>();
        for (Path image : check) {
            FloatBuffer b = FloatBuffer.allocate(pre.floatsPerImage());
            pre.write(load(image), b, 0);
            checkInputs.add(b);
        }
        byte[] int8 = QdqQuantizer.quantize(fp32, ranges);
        QuantizedModelCheck checker = new QuantizedModelCheck(fp32, manifest.inputName(), manifest.outputName(),
                checkInputs, shape);
        double agreement = checker.agreement(int8);
        List<String> keptFloat = new ArrayList<>();
        if (agreement < minAgreement && maxFloat > 0) {
            // mixed precision: rank the convolution inputs by what quantizing each alone costs, and leave the worst
            // in float one by one
            double weightsOnly = checker.agreement(QdqQuantizer.quantize(fp32, Map.of()));
            Map<String, Double> cost = new HashMap<>();
            for (String t : ranges.keySet()) {
                cost.put(t, weightsOnly - checker.agreement(QdqQuantizer.quantize(fp32, Map.of(t, ranges.get(t)))));
            }
            List<String> bySensitivity = ranges.keySet().stream()
                    .sorted(Comparator.comparingDouble((String t) -> -cost.get(t))).toList();
            Map<String, ActivationRange> mixed = new HashMap<>(ranges);
            for (String t : bySensitivity.subList(0, Math.min(maxFloat, bySensitivity.size()))) {
                mixed.remove(t);
                keptFloat.add(t);
                int8 = QdqQuantizer.quantize(fp32, mixed);
                agreement = checker.agreement(int8);
                spec.commandLine().getErr().printf(Locale.ROOT, "left %s in float (alone it cost %.4f of the agreement): agreement"
                        + " %.4f%n", t, cost.get(t), agreement);
                if (agreement >= minAgreement) {
                    break;
                }
            }
            ranges = mixed;
        }
        String checkedOn = check == calibrate ? check.size() + " calibration frame(s) (no frame was left over)"
                : check.size() + " held-out frame(s)";
        if (agreement < minAgreement) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the INT8 model of %s agrees with FP32 on"
                    + " %.4f of the pixels of %s%s, below --min-agreement %s, so nothing was written; try --method"
                    + " %s, more --frames, a higher --max-float or a lower --min-agreement", manifest.id(), agreement,
                    checkedOn, keptFloat.isEmpty() ? "" : " with " + keptFloat.size() + " convolution input(s) left"
                            + " in float", minAgreement, method == Method.MINMAX ? "percentile" : "minmax"));
        }
        int kernels = QuantizedModelCheck.integerKernels(int8);
        pre.write(load(check.get(0)), input, 0);
        double fp32Ms = QuantizedModelCheck.medianMillis(fp32, manifest.inputName(), input, shape, WARMUP_RUNS,
                TIMED_RUNS);
        double int8Ms = QuantizedModelCheck.medianMillis(int8, manifest.inputName(), input, shape, WARMUP_RUNS,
                TIMED_RUNS);
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        String note = String.format(Locale.ROOT, "INT8 QDQ of %s: weights int8 per output channel, %d convolution"
                + " inputs uint8 (%s)%s, calibrated on %d frame(s); argmax agreement with FP32 %.4f on %s.",
                manifest.id(), ranges.size(), methodName(), keptFloat.isEmpty() ? ""
                        : ", " + keptFloat.size() + " left in float (mixed precision)", calibrate.size(), agreement,
                checkedOn);
        ObjectNode quantization = JsonNodeFactory.instance.objectNode()
                .put("format", "QDQ int8 weights per channel, uint8 activations")
                .put("method", methodName())
                .put("calibrationFrames", calibrate.size())
                .put("checkFrames", check.size())
                .put("argmaxAgreement", agreement)
                .put("floatInputs", keptFloat.size())
                .put("source", manifest.id());
        JsonNode training = manifest.training();
        ObjectNode block = training != null && training.isObject() ? ((ObjectNode) training).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        block.set("quantization", quantization);
        ObjectNode fp32Metrics = quantization.putObject("fp32Metrics");
        manifest.metrics().forEach(fp32Metrics::put);
        String description = manifest.description() == null ? "" : manifest.description().strip();
        // the FP32 metrics were not measured on the INT8 model: they move into the quantization block instead of
        // standing as this model's (ModelDirectory.write pins the INT8 graph's SHA-256)
        ModelManifest quantized = manifest.toBuilder().clearMetrics().setVersion(manifest.version() + "-int8")
                .optDescription(description.isEmpty() ? note
                        : description + (description.endsWith(".") ? " " : ". ") + note)
                .optTraining(block).build();
        ModelDirectory written = ModelDirectory.write(out, int8, quantized);

        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "Quantized %s with %s ranges of %d convolution input(s) from %d frame(s) of %s;"
                + " checked on %s.%n", manifest.id(), methodName(), ranges.size(), calibrate.size(), calibration,
                checkedOn);
        if (!keptFloat.isEmpty()) {
            o.printf(Locale.ROOT, "Mixed precision: full INT8 agreed below %s; %d convolution input(s) stay float: %s%n",
                    minAgreement, keptFloat.size(), String.join(", ", keptFloat));
        }
        TextTable t = new TextTable(List.of("model", "file size", "argmax agreement", "CPU ms/frame (median)"));
        t.row(List.of("FP32 " + manifest.id(), mb(fp32.length), "1.0000", ms(fp32Ms)));
        t.row(List.of("INT8 " + quantized.id(), mb(int8.length), String.format(Locale.ROOT, "%.4f", agreement),
                ms(int8Ms)));
        o.print(t);
        o.printf(Locale.ROOT, "ONNX Runtime's optimised INT8 graph runs %d integer convolution kernel(s)"
                + " (QLinearConv and the like).%n", kernels);
        o.printf(Locale.ROOT, "Timings: one ONNX Runtime CPU session each, %d warm-up and %d timed runs on one frame,"
                + " load average %.2f on %d cores; a shared machine's figures, not a quiet run's.%n", WARMUP_RUNS,
                TIMED_RUNS, load, Runtime.getRuntime().availableProcessors());
        o.printf(Locale.ROOT, "wrote %s and %s%n", written.modelFile(), written.manifestFile());
        return 0;
    }

    private String methodName() {
        return method == Method.MINMAX ? "min-max" : "percentile " + percentile + " of |values|";
    }

    /** The calibration images: a Cityscapes split's images, or every PNG and JPEG under a plain folder, sorted. */
    private List<Path> images() throws Exception {
        if (!Files.isDirectory(calibration)) {
            throw new IllegalArgumentException(calibration + ": no such calibration folder; give a Cityscapes root or a"
                    + " folder of PNG or JPEG images");
        }
        List<Path> found;
        if (Files.isDirectory(calibration.resolve(CityscapesDataset.IMAGES))) {
            CityscapesDataset ds = CityscapesDataset.open(calibration);
            if (!ds.splits(CityscapesDataset.IMAGES).contains(split)) {
                throw new IllegalArgumentException(calibration + " has no split '" + split + "' under "
                        + CityscapesDataset.IMAGES + "; its splits are " + ds.splits(CityscapesDataset.IMAGES)
                        + ", choose one with --split");
            }
            found = ds.images(split).stream().map(s -> s.image().orElseThrow()).toList();
        } else {
            try (Stream<Path> s = Files.walk(calibration)) {
                found = s.filter(Files::isRegularFile).filter(QuantizeCommand::isImage).sorted().toList();
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(calibration + " holds no PNG or JPEG image to calibrate on; give a"
                    + " folder of frames like those the model will see");
        }
        return found;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private static RgbImage load(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) {
            throw new IOException(file + " is not an image ImageIO can read; calibrate on PNG or JPEG frames");
        }
        return RgbImage.of(img);
    }

    private static String mb(long bytes) {
        return bytes >= 1_000_000 ? String.format(Locale.ROOT, "%.2f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
