package io.segstream.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code model.json} in and out: the value ({@link ModelManifest}) and its JSON apart, as {@code AlertRules} and
 * {@code AlertRulesParser} are. Parsing collects every problem before it refuses, and names the file; writing
 * keeps a fixed field order, so the same manifest always gives the same bytes.
 *
 * <pre>{@code
 * ModelManifest m = ModelManifest.read(dir.resolve("model.json"));   // delegates here
 * }</pre>
 */
final class ModelManifestCodec {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelManifestCodec() {}

    /**
     * Reads and validates a manifest file.
     *
     * @throws ModelException when the file is missing, is not JSON, or its values are missing, of the wrong
     *     type or contradictory; the message lists every problem and names the file
     */
    static ModelManifest read(Path file) throws ModelException {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > ModelManifest.MAX_MANIFEST_BYTES) {
                throw new ModelException(file + ": the model manifest has " + size + " bytes; a model.json may have"
                        + " at most " + ModelManifest.MAX_MANIFEST_BYTES);
            }
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
    static ModelManifest parse(String json, String source) throws ModelException {
        if (json.length() > ModelManifest.MAX_MANIFEST_BYTES) {
            throw new ModelException(source + ": the model manifest has " + json.length() + " characters; a model.json"
                    + " may have at most " + ModelManifest.MAX_MANIFEST_BYTES);
        }
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
        ModelManifest.Builder b = ModelManifest.builder();
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
        return ModelManifest.checked(b);
    }

    /** The manifest as indented JSON, fields in a fixed order. */
    static String toJson(ModelManifest mf) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", mf.name());
        o.put("version", mf.version());
        o.put("labelSet", mf.labelSetName());
        o.put("inputName", mf.inputName());
        o.put("inputWidth", mf.inputWidth());
        o.put("inputHeight", mf.inputHeight());
        o.put("layout", mf.layout().name());
        o.put("channelOrder", mf.channelOrder().name());
        ArrayNode m = o.putArray("mean");
        for (float v : mf.mean()) {
            m.add(v);
        }
        ArrayNode s = o.putArray("std");
        for (float v : mf.std()) {
            s.add(v);
        }
        o.put("outputName", mf.outputName());
        o.put("outputKind", mf.outputKind().name());
        ObjectNode met = o.putObject("metrics");
        mf.metrics().forEach(met::put);
        mf.sha256().ifPresent(sha -> o.put("sha256", sha));
        o.set("training", mf.training().deepCopy());
        o.put("description", mf.description());
        o.put("baseline", mf.baseline());
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of plain values failed to serialise", e);
        }
    }

    /** Writes {@link #toJson} to {@code file}. */
    static void write(ModelManifest mf, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(mf), StandardCharsets.UTF_8);
    }

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
}
