package io.segstream.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code model.json} beside a {@code model.onnx}: everything the runtime needs to feed the graph and read
 * its answer, plus provenance (metrics, checksum, training configuration).
 *
 * <p>Pixels are normalised per channel as {@code (value / 255 - mean[c]) / std[c]} in the manifest's channel
 * order, so ImageNet statistics read {@code mean = [0.485, 0.456, 0.406]}, {@code std = [0.229, 0.224, 0.225]}
 * and a model that wants raw 0..255 input says {@code mean = [0, 0, 0]}, {@code std = [1/255, ...]}.
 *
 * <pre>{@code
 * {
 *   "name": "bootstrap-rail", "version": "1", "labelSet": "rail-20",
 *   "inputName": "image", "inputWidth": 512, "inputHeight": 256, "layout": "NCHW", "channelOrder": "RGB",
 *   "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
 *   "outputName": "logits", "outputKind": "LOGITS_NCHW",
 *   "metrics": {"miou": 0.41}, "sha256": "…", "training": {…},
 *   "description": "…", "baseline": true
 * }
 * }</pre>
 *
 * Read one with {@link #read(Path)}, make one with {@link #builder()}. The value lives here, its JSON in
 * {@link ModelManifestCodec}; {@link Builder#build()} checks every rule in one place for both.
 */
public final class ModelManifest {
    /** Memory layout of the model's image input. */
    public enum Layout {
        /** batch, channel, row, column (PyTorch, DL4J). */
        NCHW,
        /** batch, row, column, channel (TensorFlow, Keras). */
        NHWC
    }

    /** What the model's output tensor holds. */
    public enum OutputKind {
        /** float scores, batch x classes x rows x columns; the runtime takes the argmax. */
        LOGITS_NCHW,
        /** integer class ids, batch x rows x columns. */
        CLASS_IDS_NHW
    }

    /** Order of the three colour planes the model expects. */
    public enum ChannelOrder {
        RGB,
        BGR
    }

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Largest model.json read (1 MiB): a manifest is a page of JSON, its training block included. */
    public static final int MAX_MANIFEST_BYTES = 1 << 20;
    /** Largest input side a model may declare, in pixels. */
    public static final int MAX_INPUT_SIDE = 8192;
    /** Most input pixels a model may declare (width x height): 4K UHD twice over. */
    public static final long MAX_INPUT_PIXELS = 16L << 20;

    private final String name;
    private final String version;
    private final String labelSet;
    private final String inputName;
    private final int inputWidth;
    private final int inputHeight;
    private final Layout layout;
    private final ChannelOrder channelOrder;
    private final float[] mean;
    private final float[] std;
    private final String outputName;
    private final OutputKind outputKind;
    private final Map<String, Double> metrics;
    private final String sha256;
    private final JsonNode training;
    private final String description;
    private final boolean baseline;

    private ModelManifest(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.labelSet = b.labelSet;
        this.inputName = b.inputName;
        this.inputWidth = b.inputWidth;
        this.inputHeight = b.inputHeight;
        this.layout = b.layout;
        this.channelOrder = b.channelOrder;
        this.mean = b.mean.clone();
        this.std = b.std.clone();
        this.outputName = b.outputName;
        this.outputKind = b.outputKind;
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(b.metrics));
        this.sha256 = b.sha256;
        this.training = b.training.deepCopy();
        this.description = b.description;
        this.baseline = b.baseline;
    }

    /** A manifest of a builder whose problems the caller has already checked (the codec). */
    static ModelManifest checked(Builder b) {
        return new ModelManifest(b);
    }

    /** A builder; {@code set*} fields are required, {@code opt*} fields have defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this manifest's values, for making a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder()
                .setName(name).setVersion(version).setLabelSet(labelSet)
                .setInput(inputName, inputWidth, inputHeight, layout)
                .optChannelOrder(channelOrder)
                .setNormalization(mean, std)
                .setOutput(outputName, outputKind)
                .optMetrics(metrics).optTraining(training).optDescription(description).optBaseline(baseline);
        if (sha256 != null) {
            b.optSha256(sha256);
        }
        return b;
    }

    // ---------------------------------------------------------------- reading and writing (ModelManifestCodec)

    /**
     * Reads and validates a manifest file.
     *
     * @throws ModelException when the file is missing, is not JSON, or its values are missing, of the wrong
     *     type or contradictory; the message lists every problem and names the file
     */
    public static ModelManifest read(Path file) throws ModelException {
        return ModelManifestCodec.read(file);
    }

    /** Parses and validates manifest JSON; {@code source} names it in errors. */
    public static ModelManifest parse(String json, String source) throws ModelException {
        return ModelManifestCodec.parse(json, source);
    }

    /** The manifest as indented JSON, fields in a fixed order. */
    public String toJson() {
        return ModelManifestCodec.toJson(this);
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void write(Path file) throws IOException {
        ModelManifestCodec.write(this, file);
    }

    // ---------------------------------------------------------------- values

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** {@code name:version}, for messages. */
    public String id() {
        return name + ":" + version;
    }

    /** Name of the label set whose class ids the model predicts, e.g. {@code rail-20}. */
    public String labelSetName() {
        return labelSet;
    }

    /** The label set itself. */
    public LabelSet labelSet() {
        return LabelSet.named(labelSet);
    }

    public String inputName() {
        return inputName;
    }

    /** Width in pixels of the image the model takes. */
    public int inputWidth() {
        return inputWidth;
    }

    /** Height in pixels of the image the model takes. */
    public int inputHeight() {
        return inputHeight;
    }

    public Layout layout() {
        return layout;
    }

    public ChannelOrder channelOrder() {
        return channelOrder;
    }

    /** Per-channel mean in units of value/255, in {@link #channelOrder()}. */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviation in units of value/255, in {@link #channelOrder()}. */
    public float[] std() {
        return std.clone();
    }

    public String outputName() {
        return outputName;
    }

    public OutputKind outputKind() {
        return outputKind;
    }

    /** Evaluation figures, e.g. {@code miou}; empty when the model was not evaluated. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** Lower-case hex SHA-256 of {@code model.onnx}, when the manifest pins it. */
    public Optional<String> sha256() {
        return Optional.ofNullable(sha256);
    }

    /** The training configuration that made the model (free-form JSON object; empty when unknown). */
    public JsonNode training() {
        return training.deepCopy();
    }

    public String description() {
        return description;
    }

    /** True for a baseline that stands in until a trained model exists. */
    public boolean baseline() {
        return baseline;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelManifest m && toJson().equals(m.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "model " + id() + " (" + labelSet + ", " + inputWidth + "x" + inputHeight + " " + layout + ", "
                + outputKind + ")";
    }

    // ---------------------------------------------------------------- builder

    /** Builds a {@link ModelManifest}; {@link #build()} checks every rule in one place. */
    public static final class Builder {
        String name;
        String version;
        String labelSet;
        String inputName;
        int inputWidth;
        int inputHeight;
        Layout layout;
        ChannelOrder channelOrder = ChannelOrder.RGB;
        float[] mean;
        float[] std;
        String outputName;
        OutputKind outputKind;
        final Map<String, Double> metrics = new LinkedHashMap<>();
        String sha256;
        JsonNode training = JsonNodeFactory.instance.objectNode();
        String description = "";
        boolean baseline;

        private Builder() {}

        public Builder setName(String name) {
            this.name = name;
            return this;
        }

        public Builder setVersion(String version) {
            this.version = version;
            return this;
        }

        /** One of {@link LabelSet#BUILT_IN}. */
        public Builder setLabelSet(String labelSet) {
            this.labelSet = labelSet;
            return this;
        }

        /** The image input: tensor name, size in pixels, memory layout. */
        public Builder setInput(String name, int width, int height, Layout layout) {
            this.inputName = name;
            this.inputWidth = width;
            this.inputHeight = height;
            this.layout = layout;
            return this;
        }

        /** Per-channel mean and std in units of value/255 (three each). */
        public Builder setNormalization(float[] mean, float[] std) {
            this.mean = mean == null ? null : mean.clone();
            this.std = std == null ? null : std.clone();
            return this;
        }

        /** The output tensor's name and what it holds. */
        public Builder setOutput(String name, OutputKind kind) {
            this.outputName = name;
            this.outputKind = kind;
            return this;
        }

        /** Channel order of the input planes; default RGB. */
        public Builder optChannelOrder(ChannelOrder order) {
            this.channelOrder = order;
            return this;
        }

        /** Adds evaluation figures. */
        public Builder optMetrics(Map<String, Double> values) {
            metrics.putAll(values);
            return this;
        }

        /** Drops the evaluation figures set so far (a derived model's copy was not measured on it). */
        public Builder clearMetrics() {
            metrics.clear();
            return this;
        }

        /** Pins the SHA-256 (lower-case hex) of {@code model.onnx}. */
        public Builder optSha256(String hex) {
            this.sha256 = hex;
            return this;
        }

        /** The training configuration, a JSON object. */
        public Builder optTraining(JsonNode config) {
            this.training = Objects.requireNonNull(config, "training").deepCopy();
            return this;
        }

        public Builder optDescription(String text) {
            this.description = Objects.requireNonNull(text, "description");
            return this;
        }

        /** Marks a baseline model that stands in until a trained one exists. */
        public Builder optBaseline(boolean isBaseline) {
            this.baseline = isBaseline;
            return this;
        }

        /**
         * Checks every rule and returns the manifest.
         *
         * @throws IllegalArgumentException listing every problem
         */
        public ModelManifest build() {
            List<String> problems = problems(List.of());
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("model manifest is not usable: " + String.join("; ", problems));
            }
            return new ModelManifest(this);
        }

        /** Every rule in one place; {@code earlier} lists problems found while parsing (not repeated). */
        List<String> problems(List<String> earlier) {
            List<String> p = new ArrayList<>();
            requireText(name, "name", "a model name such as \"bootstrap-rail\"", earlier, p);
            requireText(version, "version", "a version such as \"3\" or \"2025-06-01\"", earlier, p);
            if (!mentions(earlier, "labelSet")) {
                if (labelSet == null || labelSet.isBlank()) {
                    p.add("labelSet is missing: set it to one of " + String.join(", ", LabelSet.BUILT_IN));
                } else if (!LabelSet.BUILT_IN.contains(labelSet)) {
                    p.add("labelSet '" + labelSet + "' is unknown: use one of " + String.join(", ", LabelSet.BUILT_IN));
                }
            }
            requireText(inputName, "inputName", "the name of the model's image input tensor", earlier, p);
            requireText(outputName, "outputName", "the name of the model's output tensor", earlier, p);
            if (inputWidth == 0 && !mentions(earlier, "inputWidth")) {
                p.add("inputWidth is missing: set it to the width in pixels the model takes");
            } else if (inputWidth < 0 && !mentions(earlier, "inputWidth")) {
                p.add("inputWidth must be positive, got " + inputWidth);
            } else if (inputWidth > MAX_INPUT_SIDE) {
                p.add("inputWidth " + inputWidth + " is beyond the " + MAX_INPUT_SIDE + " pixels a model may take");
            }
            if (inputHeight == 0 && !mentions(earlier, "inputHeight")) {
                p.add("inputHeight is missing: set it to the height in pixels the model takes");
            } else if (inputHeight < 0 && !mentions(earlier, "inputHeight")) {
                p.add("inputHeight must be positive, got " + inputHeight);
            } else if (inputHeight > MAX_INPUT_SIDE) {
                p.add("inputHeight " + inputHeight + " is beyond the " + MAX_INPUT_SIDE + " pixels a model may take");
            }
            if (inputWidth > 0 && inputHeight > 0 && (long) inputWidth * inputHeight > MAX_INPUT_PIXELS) {
                p.add("input " + inputWidth + "x" + inputHeight + " is beyond the " + MAX_INPUT_PIXELS
                        + " pixels a model may take");
            }
            if (layout == null && !mentions(earlier, "layout")) {
                p.add("layout is missing: set it to NCHW or NHWC");
            }
            if (outputKind == null && !mentions(earlier, "outputKind")) {
                p.add("outputKind is missing: set it to LOGITS_NCHW (scores per class) or CLASS_IDS_NHW (class ids)");
            }
            if (channelOrder == null) {
                p.add("channelOrder must be RGB or BGR");
            }
            checkStats(mean, "mean", false, earlier, p);
            checkStats(std, "std", true, earlier, p);
            if (sha256 != null && !SHA256.matcher(sha256).matches()) {
                p.add("sha256 must be 64 lower-case hex digits (the SHA-256 of model.onnx), got '" + sha256 + "'");
            }
            for (Map.Entry<String, Double> e : metrics.entrySet()) {
                if (e.getValue() == null || e.getValue().isNaN()) {
                    p.add("metric '" + e.getKey() + "' has no value; leave it out instead");
                }
            }
            if (training == null || !training.isObject()) {
                p.add("training must be a JSON object");
            }
            return p;
        }

        private static void checkStats(float[] values, String field, boolean positive, List<String> earlier,
                List<String> p) {
            if (mentions(earlier, field)) {
                return;
            }
            if (values == null) {
                p.add(field + " is missing: give 3 numbers, one per colour channel, in units of value/255");
                return;
            }
            if (values.length != 3) {
                p.add(field + " has " + values.length + " values but an RGB input needs 3, one per channel");
                return;
            }
            for (float v : values) {
                if (!Float.isFinite(v) || (positive && v <= 0)) {
                    p.add(field + " " + Arrays.toString(values) + " must hold finite numbers"
                            + (positive ? " above 0" : ""));
                    return;
                }
            }
        }

        private static void requireText(String value, String field, String what, List<String> earlier,
                List<String> p) {
            if ((value == null || value.isBlank()) && !mentions(earlier, field)) {
                p.add(field + " is missing: set it to " + what);
            }
        }

        private static boolean mentions(List<String> earlier, String field) {
            for (String s : earlier) {
                if (s.startsWith(field + " ") || s.startsWith(field + "[")) {
                    return true;
                }
            }
            return false;
        }
    }
}
