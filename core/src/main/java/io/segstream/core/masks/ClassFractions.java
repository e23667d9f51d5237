package io.segstream.core.masks;

import io.segstream.core.labels.LabelSet;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The share of pixels of each class, over a whole mask or within a region of it (a zone of the alert rules,
 * given as a frame-sized {@link BitSet} or {@code boolean[]}, row-major).
 *
 * <pre>{@code
 * ClassFractions all = ClassFractions.of(mask, labels);
 * ClassFractions corridor = ClassFractions.within(mask, trackCorridor, labels);
 * float intruders = corridor.fractionOf(List.of("person", "car"));
 * }</pre>
 */
public final class ClassFractions {
    private final LabelSet labelSet;
    private final long[] counts;
    private final long ignored;
    private final long pixels;

    private ClassFractions(LabelSet labelSet, long[] counts, long ignored, long pixels) {
        this.labelSet = labelSet;
        this.counts = counts;
        this.ignored = ignored;
        this.pixels = pixels;
    }

    /** Fractions over every pixel of {@code mask}. */
    public static ClassFractions of(ClassMask mask, LabelSet labelSet) {
        int n = labelSet.numClasses();
        int[] histogram = new int[256];
        byte[] ids = mask.classIds();
        ClassHistogram.addRows(ids, mask.width(), histogram);
        return fromHistogram(histogram, ids.length, n, labelSet);
    }

    /**
     * Fractions over the pixels of {@code mask} whose bit is set in {@code region}.
     *
     * @param region bit {@code y * width + x} set for pixels inside; must not reach beyond the mask
     */
    public static ClassFractions within(ClassMask mask, BitSet region, LabelSet labelSet) {
        if (region.length() > mask.pixelCount()) {
            throw new IllegalArgumentException("region reaches pixel " + (region.length() - 1) + " but the "
                    + mask.width() + "x" + mask.height() + " mask has " + mask.pixelCount() + " pixels");
        }
        int[] histogram = new int[256];
        byte[] ids = mask.classIds();
        long inside = 0;
        for (int i = region.nextSetBit(0); i >= 0; i = region.nextSetBit(i + 1)) {
            histogram[ids[i] & 0xFF]++;
            inside++;
        }
        return fromHistogram(histogram, inside, labelSet.numClasses(), labelSet);
    }

    /** Fractions over the pixels of {@code mask} where {@code region} is true; {@code region} is frame-sized. */
    public static ClassFractions within(ClassMask mask, boolean[] region, LabelSet labelSet) {
        if (region.length != mask.pixelCount()) {
            throw new IllegalArgumentException("region has " + region.length + " pixels but the " + mask.width()
                    + "x" + mask.height() + " mask has " + mask.pixelCount());
        }
        int[] histogram = new int[256];
        byte[] ids = mask.classIds();
        long inside = 0;
        for (int i = 0; i < ids.length; i++) {
            if (region[i]) {
                histogram[ids[i] & 0xFF]++;
                inside++;
            }
        }
        return fromHistogram(histogram, inside, labelSet.numClasses(), labelSet);
    }

    /** Fractions within each of several regions, keyed like {@code regions} (in its iteration order). */
    public static Map<String, ClassFractions> zones(ClassMask mask, Map<String, BitSet> regions, LabelSet labelSet) {
        Map<String, ClassFractions> out = new LinkedHashMap<>();
        regions.forEach((id, region) -> out.put(id, within(mask, region, labelSet)));
        return out;
    }

    private static ClassFractions fromHistogram(int[] histogram, long pixels, int numClasses, LabelSet labelSet) {
        long[] counts = new long[numClasses];
        // ids outside the label set (255 and any a foreign model invents) count as ignored
        long ignored = pixels;
        for (int c = 0; c < numClasses; c++) {
            counts[c] = histogram[c];
            ignored -= counts[c];
        }
        return new ClassFractions(labelSet, counts, ignored, pixels);
    }

    /** Number of pixels counted (the mask, or the region's size). */
    public long pixelCount() {
        return pixels;
    }

    /** Pixels of class {@code classId} counted. */
    public long count(int classId) {
        return counts[classId];
    }

    /** Share of class {@code classId}; 0 for an empty region. */
    public float fraction(int classId) {
        return pixels == 0 ? 0f : (float) ((double) counts[classId] / pixels);
    }

    /** Share of the class named {@code className}, e.g. {@code "person"}. */
    public float fraction(String className) {
        return fraction(classIdOf(className));
    }

    /** Combined share of several classes, e.g. everything that counts as an intruder. */
    public float fractionOf(Collection<String> classNames) {
        long sum = 0;
        for (String name : classNames) {
            sum += counts[classIdOf(name)];
        }
        return pixels == 0 ? 0f : (float) ((double) sum / pixels);
    }

    /** Share of pixels whose id is not a class of the label set (255, ignored). */
    public float ignoredFraction() {
        return pixels == 0 ? 0f : (float) ((double) ignored / pixels);
    }

    /** Class name to share, for every class present (absent classes are left out, as 0). */
    public Map<String, Float> asMap() {
        Map<String, Float> out = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                out.put(labelSet.classLabel(c).name(), fraction(c));
            }
        }
        return out;
    }

    private int classIdOf(String className) {
        Objects.requireNonNull(className, "className");
        int id = labelSet.byName(className).trainId();
        if (labelSet.classIdsAreLabelIds()) {
            id = labelSet.byName(className).id();
        }
        if (id < 0 || id >= counts.length) {
            throw new IllegalArgumentException("'" + className + "' is not a class of label set '" + labelSet.name()
                    + "' (it is ignored there)");
        }
        return id;
    }

    @Override
    public String toString() {
        return "ClassFractions over " + pixels + " pixels " + asMap();
    }
}
