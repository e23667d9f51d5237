package io.segstream.core.labels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable set of Cityscapes labels with a class-id space, loaded once from a JSON resource.
 *
 * <p>Three sets ship: {@code cityscapes-34} (classes are the official label ids, used by evaluation),
 * {@code cityscapes-19} (the 19 train ids, the default) and {@code rail-20} (the 19 plus {@code rail track}
 * as train id 19). Class id {@link #IGNORE} marks pixels that training and scoring skip.
 *
 * <pre>{@code
 * LabelSet set = LabelSet.named("rail-20");
 * byte[] classes = set.labelIdsToClassIds(labelIdPixels, "aachen_000000_000019_gtFine_labelIds.png");
 * }</pre>
 */
public final class LabelSet {
    /** Class id of ignored pixels in every train-id space. */
    public static final int IGNORE = 255;
    /** The label sets that ship with segstream. */
    public static final List<String> BUILT_IN = List.of("cityscapes-19", "cityscapes-34", "rail-20");
    /** The default label set. */
    public static final String DEFAULT = "cityscapes-19";

    private static final Map<String, LabelSet> CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final String description;
    private final boolean labelIdSpace;
    private final List<Label> labels;
    private final Label[] byId = new Label[256];
    private final Map<String, Label> byName = new LinkedHashMap<>();
    private final List<Label> classes;
    private final byte[] labelToClass = new byte[256];
    private final boolean[] knownLabel = new boolean[256];
    private final Map<Integer, Integer> colorToClass = new HashMap<>();

    private LabelSet(String name, String description, boolean labelIdSpace, List<Label> labels) {
        this.name = name;
        this.description = description;
        this.labelIdSpace = labelIdSpace;
        this.labels = List.copyOf(labels);
        int maxClass = -1;
        for (Label l : labels) {
            byName.put(l.name(), l);
            if (l.id() >= 0) {
                byId[l.id()] = l;
                knownLabel[l.id()] = true;
            }
            int c = classIdOfLabel(l);
            if (c != IGNORE && c >= 0) {
                maxClass = Math.max(maxClass, c);
            }
        }
        Label[] cls = new Label[maxClass + 1];
        for (Label l : labels) {
            int c = classIdOfLabel(l);
            if (c != IGNORE && c >= 0 && cls[c] == null) {
                cls[c] = l;
            }
        }
        for (int c = 0; c < cls.length; c++) {
            if (cls[c] == null && !labelIdSpace) {
                throw new IllegalStateException("label set '" + name + "' has no label for class id " + c);
            }
        }
        this.classes = Collections.unmodifiableList(Arrays.asList(cls));
        Arrays.fill(labelToClass, (byte) IGNORE);
        for (Label l : labels) {
            if (l.id() >= 0) {
                int c = classIdOfLabel(l);
                labelToClass[l.id()] = (byte) (c < 0 ? IGNORE : c);
            }
        }
        // Several labels share a colour; the lowest class id wins, and a colour of ignored labels only is IGNORE.
        for (int c = classes.size() - 1; c >= 0; c--) {
            if (classes.get(c) != null) {
                colorToClass.put(classes.get(c).rgb(), c);
            }
        }
        for (Label l : labels) {
            colorToClass.putIfAbsent(l.rgb(), IGNORE);
        }
    }

    /** The built-in label set of that name; the names are listed in {@link #BUILT_IN}. */
    public static LabelSet named(String name) {
        return CACHE.computeIfAbsent(name, LabelSet::load);
    }

    /** The default set, {@code cityscapes-19}. */
    public static LabelSet defaultSet() {
        return named(DEFAULT);
    }

    private static LabelSet load(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new UnknownLabelException(
                    "unknown label set '" + name + "'; known sets are " + String.join(", ", BUILT_IN));
        }
        String resource = name + ".json";
        try (InputStream in = LabelSet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("label set resource " + resource + " is missing from the jar");
            }
            return parse(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read label set resource " + resource, e);
        }
    }

    static LabelSet parse(JsonNode root) {
        String name = root.path("name").asText();
        boolean labelIds = "labelId".equals(root.path("classIds").asText("trainId"));
        List<Label> labels = new ArrayList<>();
        for (JsonNode n : root.path("labels")) {
            JsonNode c = n.path("color");
            labels.add(new Label(
                    n.path("name").asText(),
                    n.path("id").asInt(),
                    n.path("trainId").asInt(),
                    n.path("category").asText(),
                    n.path("categoryId").asInt(),
                    n.path("hasInstances").asBoolean(),
                    n.path("ignoreInEval").asBoolean(),
                    (c.get(0).asInt() << 16) | (c.get(1).asInt() << 8) | c.get(2).asInt()));
        }
        return new LabelSet(name, root.path("description").asText(), labelIds, labels);
    }

    private int classIdOfLabel(Label l) {
        if (labelIdSpace) {
            return l.id() < 0 ? IGNORE : l.id();
        }
        return l.trainId();
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** True when class ids are official label ids ({@code cityscapes-34}), false for train ids. */
    public boolean classIdsAreLabelIds() {
        return labelIdSpace;
    }

    /** Every label of the official table, in table order. */
    public List<Label> labels() {
        return labels;
    }

    /** Number of classes: class ids run 0..numClasses()-1. */
    public int numClasses() {
        return classes.size();
    }

    /** The label that defines class id {@code classId}. */
    public Label classLabel(int classId) {
        if (classId < 0 || classId >= classes.size() || classes.get(classId) == null) {
            throw new UnknownLabelException("label set '" + name + "' has no class id " + classId
                    + " (class ids run 0.." + (classes.size() - 1) + ")");
        }
        return classes.get(classId);
    }

    /** Class names indexed by class id. */
    public List<String> classNames() {
        List<String> names = new ArrayList<>(classes.size());
        for (Label l : classes) {
            names.add(l == null ? "" : l.name());
        }
        return names;
    }

    /** The label with official id {@code id}. */
    public Label byId(int id) {
        Label l = id >= 0 && id < 256 ? byId[id] : null;
        if (l == null) {
            if (id == -1) {
                return byName.get("license plate");
            }
            throw new UnknownLabelException("label id " + id + " is not a Cityscapes label id (label set '" + name
                    + "' knows -1 and 0.." + maxLabelId() + ")");
        }
        return l;
    }

    /** The label called {@code labelName}, e.g. {@code "person"}. */
    public Label byName(String labelName) {
        Label l = byName.get(labelName);
        if (l == null) {
            throw new UnknownLabelException("label set '" + name + "' has no label named '" + labelName + "'");
        }
        return l;
    }

    /** Whether {@code id} is a label id of the official table. */
    public boolean isKnownLabelId(int id) {
        return id >= 0 && id < 256 && knownLabel[id];
    }

    /** The largest official label id of the set (33 for the Cityscapes table). */
    public int maxLabelId() {
        int max = 0;
        for (Label l : labels) {
            max = Math.max(max, l.id());
        }
        return max;
    }

    /** Class id (or {@link #IGNORE}) of the label with official id {@code labelId}. */
    public int classIdOfLabelId(int labelId) {
        if (!isKnownLabelId(labelId)) {
            throw new UnknownLabelException("label id " + labelId + " is not a Cityscapes label id (label set '"
                    + name + "' knows 0.." + maxLabelId() + ")");
        }
        return labelToClass[labelId] & 0xFF;
    }

    /** Official label id of class id {@code classId}; {@link #IGNORE} maps to 0 (unlabeled). */
    public int labelIdOfClassId(int classId) {
        if (classId == IGNORE) {
            return 0;
        }
        return classLabel(classId).id();
    }

    /**
     * Maps a labelIds image (one unsigned byte a pixel) to class ids, returned as a new array.
     *
     * @param source names the image in the error when a pixel holds an unknown id
     */
    public byte[] labelIdsToClassIds(byte[] labelIds, String source) {
        byte[] out = new byte[labelIds.length];
        for (int i = 0; i < labelIds.length; i++) {
            int v = labelIds[i] & 0xFF;
            if (!knownLabel[v]) {
                throw new UnknownLabelException(source + ": pixel " + i + " holds label id " + v
                        + ", which is not a Cityscapes label id");
            }
            out[i] = labelToClass[v];
        }
        return out;
    }

    /** Maps a class-id image to official label ids; ignored pixels become 0 (unlabeled). */
    public byte[] classIdsToLabelIds(byte[] classIds, String source) {
        int[] lut = new int[256];
        Arrays.fill(lut, -1);
        lut[IGNORE] = 0;
        for (int c = 0; c < classes.size(); c++) {
            if (classes.get(c) != null) {
                lut[c] = classes.get(c).id();
            }
        }
        byte[] out = new byte[classIds.length];
        for (int i = 0; i < classIds.length; i++) {
            int v = lut[classIds[i] & 0xFF];
            if (v < 0) {
                throw new UnknownLabelException(source + ": pixel " + i + " holds class id " + (classIds[i] & 0xFF)
                        + ", which label set '" + name + "' does not define (0.." + (classes.size() - 1) + ")");
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** Colour (0xRRGGBB) of class id {@code classId}; ignored pixels are black. */
    public int classColor(int classId) {
        return classId == IGNORE ? 0 : classLabel(classId).rgb();
    }

    /** Colour (0xRRGGBB) of each class id 0..255 (black for ignored and undefined ids), for fast painting. */
    public int[] classPalette() {
        int[] palette = new int[256];
        for (int c = 0; c < classes.size(); c++) {
            if (classes.get(c) != null) {
                palette[c] = classes.get(c).rgb();
            }
        }
        return palette;
    }

    /**
     * Class id of a colour of the colour images. Several labels share a colour in the official table
     * (the void labels, pole and polegroup, car and license plate): the one with the lowest class id wins;
     * a colour that only ignored labels have gives {@link #IGNORE}.
     */
    public int classIdOfColor(int rgb) {
        Integer c = colorToClass.get(rgb & 0xFFFFFF);
        if (c == null) {
            throw new UnknownLabelException(String.format(
                    "colour #%06X is not a colour of label set '%s'", rgb & 0xFFFFFF, name));
        }
        return c;
    }

    /**
     * Maps a colour image (packed 0xRRGGBB pixels, as {@link java.awt.image.BufferedImage#getRGB} gives them;
     * alpha is ignored) to class ids, as {@link #classIdOfColor} maps one colour.
     *
     * @param source names the image in the error when a pixel holds a colour the set does not define
     */
    public byte[] colorsToClassIds(int[] rgb, String source) {
        byte[] out = new byte[rgb.length];
        int lastRgb = -1;
        int lastClass = IGNORE;
        for (int i = 0; i < rgb.length; i++) {
            int v = rgb[i] & 0xFFFFFF;
            if (v != lastRgb) {
                Integer c = colorToClass.get(v);
                if (c == null) {
                    throw new UnknownLabelException(String.format(
                            "%s: pixel %d holds colour #%06X, which is not a colour of label set '%s'",
                            source, i, v, name));
                }
                lastRgb = v;
                lastClass = c;
            }
            out[i] = (byte) lastClass;
        }
        return out;
    }

    /**
     * Paints a labelIds image (one unsigned byte a pixel) in the official label colours, as
     * {@code *_gtFine_color.png} shows it; returns packed 0xRRGGBB pixels.
     *
     * @param source names the image in the error when a pixel holds an unknown id
     */
    public int[] labelIdsToColors(byte[] labelIds, String source) {
        int[] out = new int[labelIds.length];
        for (int i = 0; i < labelIds.length; i++) {
            int v = labelIds[i] & 0xFF;
            if (!knownLabel[v]) {
                throw new UnknownLabelException(source + ": pixel " + i + " holds label id " + v
                        + ", which is not a Cityscapes label id");
            }
            out[i] = byId[v].rgb();
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
