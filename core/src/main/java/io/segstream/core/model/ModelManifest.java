package io.segstream.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * Read one with {@link #read(Path)}, make one with {@link #builder()}.
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
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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

    // ---------------------------------------------------------------- reading and writing

    /**
     * Reads and validates a manifest file.
     *
     * @throws ModelException when the file is missing, is not JSON, or its values are missing, of the wrong
     *     type or contradictory; the message lists every problem and names the file
     */
    public static ModelManifest read(Path file) throws ModelException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": the model manifest is missing; every model directory needs a model.json "
                    + "beside model.onnx (name, version, labelSet, input and output description)");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the model manifest (" + e.getMessage() + ")", e);
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses and validates manifest JSON; {@code source} names it in errors. */
    public static ModelManifest parse(String json, String source) throws ModelException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelException(source + ": the model manifest is not valid JSON (" + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(source + ": the model manifest must be a JSON object");
        }
        List<String> problems = new ArrayList<>();
        Builder b = new Builder();
        b.name = text(root, "name", problems);
        b.version = text(root, "version", problems);
        b.labelSet = text(root, "labelSet", problems);
        b.inputName = text(root, "inputName", problems);
        b.inputWidth = integer(root, "inputWidth", problems);
        b.inputHeight = integer(root, "inputHeight", problems);
        b.layout = enumValue(root, "layout", Layout.class, null, problems);
        b.channelOrder = enumValue(root, "channelOrder", ChannelOrder.class, ChannelOrder.RGB, problems);
        b.mean = floats(root, "mean", problems);
        b.std = floats(root, "std", problems);
        b.outputName = text(root, "outputName", problems);
        b.outputKind = enumValue(root, "outputKind", OutputKind.class, null, problems);
        JsonNode metrics = root.path("metrics");
        if (!metrics.isMissingNode() && !metrics.isNull()) {
            if (!metrics.isObject()) {
                problems.add("metrics must be an object of metric name to number");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (e.getValue().isNumber()) {
                        b.metrics.put(e.getKey(), e.getValue().asDouble());
                    } else {
                        problems.add("metric '" + e.getKey() + "' must be a number, got " + e.getValue());
                    }
                }
            }
        }
        JsonNode sha = root.path("sha256");
        if (!sha.isMissingNode() && !sha.isNull()) {
            b.sha256 = sha.asText();
        }
        JsonNode training = root.path("training");
        if (!training.isMissingNode() && !training.isNull()) {
            b.training = training;
        }
        b.description = root.path("description").asText("");
        b.baseline = root.path("baseline").asBoolean(false);
        problems.addAll(b.problems(problems));
        if (!problems.isEmpty()) {
            throw new ModelException(source + ": the model manifest is not usable: " + String.join("; ", problems));
        }
        return new ModelManifest(b);
    }

    /** The manifest as indented JSON, fields in a fixed order. */
    public String toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", name);
        o.put("version", version);
        o.put("labelSet", labelSet);
        o.put("inputName", inputName);
        o.put("inputWidth", inputWidth);
        o.put("inputHeight", inputHeight);
        o.put("layout", layout.name());
        o.put("channelOrder", channelOrder.name());
        ArrayNode m = o.putArray("mean");
        for (float v : mean) {
            m.add(v);
        }
        ArrayNode s = o.putArray("std");
        for (float v : std) {
            s.add(v);
        }
        o.put("outputName", outputName);
        o.put("outputKind", outputKind.name());
        ObjectNode met = o.putObject("metrics");
        metrics.forEach(met::put);
        if (sha256 != null) {
            o.put("sha256", sha256);
        }
        o.set("training", training.deepCopy());
        o.put("description", description);
        o.put("baseline", baseline);
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of plain values failed to serialise", e);
        }
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
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

    // ---------------------------------------------------------------- parsing helpers

    private static String text(JsonNode root, String field, List<String> problems) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            problems.add(field + " must be a string, got " + n);
            return "";
        }
        return n.asText();
    }

    private static int integer(JsonNode root, String field, List<String> problems) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return 0;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            problems.add(field + " must be a whole number of pixels, got " + n);
            return -1;
        }
        return n.asInt();
    }

    private static float[] floats(JsonNode root, String field, List<String> problems) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            problems.add(field + " must be an array of 3 numbers, got " + n);
            return new float[0];
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).isNumber()) {
                problems.add(field + "[" + i + "] must be a number, got " + n.get(i));
            }
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(JsonNode root, String field, Class<E> type, E dflt,
            List<String> problems) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, n.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(field + " must be one of " + Arrays.toString(type.getEnumConstants()) + ", got " + n);
            return dflt;
        }
    }

    // ---------------------------------------------------------------- builder

    /** Builds a {@link ModelManifest}; {@link #build()} checks every rule in one place. */
    public static final class Builder {
        private String name;
        private String version;
        private String labelSet;
        private String inputName;
        private int inputWidth;
        private int inputHeight;
        private Layout layout;
        private ChannelOrder channelOrder = ChannelOrder.RGB;
        private float[] mean;
        private float[] std;
        private String outputName;
        private OutputKind outputKind;
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private String sha256;
        private JsonNode training = JsonNodeFactory.instance.objectNode();
        private String description = "";
        private boolean baseline;

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
        private List<String> problems(List<String> earlier) {
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
            }
            if (inputHeight == 0 && !mentions(earlier, "inputHeight")) {
                p.add("inputHeight is missing: set it to the height in pixels the model takes");
            } else if (inputHeight < 0 && !mentions(earlier, "inputHeight")) {
                p.add("inputHeight must be positive, got " + inputHeight);
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
