package io.segstream.core.segment;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassFractions;
import io.segstream.core.masks.ClassMask;
import java.util.BitSet;
import java.util.Map;
import java.util.Objects;

/**
 * The segmentation of one frame: a frame-sized mask of class ids in the model's label set, and the time
 * each stage took.
 *
 * <pre>{@code
 * Segmentation s = segmenter.segment(frame);
 * float track = s.classFractions().fraction("rail track");
 * }</pre>
 */
public final class Segmentation {
    private final ClassMask mask;
    private final LabelSet labelSet;
    private final SegmenterTimings timings;

    public Segmentation(ClassMask mask, LabelSet labelSet, SegmenterTimings timings) {
        this.mask = Objects.requireNonNull(mask, "mask");
        this.labelSet = Objects.requireNonNull(labelSet, "labelSet");
        this.timings = Objects.requireNonNull(timings, "timings");
    }

    /** The class-id mask, as large as the frame. */
    public ClassMask mask() {
        return mask;
    }

    public int width() {
        return mask.width();
    }

    public int height() {
        return mask.height();
    }

    /** Class ids, row-major (the mask's array, not a copy). */
    public byte[] classIds() {
        return mask.classIds();
    }

    public LabelSet labelSet() {
        return labelSet;
    }

    public SegmenterTimings timings() {
        return timings;
    }

    /** A copy with {@code ms} as decode time. */
    public Segmentation withDecodeMs(float ms) {
        return new Segmentation(mask, labelSet, timings.withDecodeMs(ms));
    }

    /** Share of each class over the whole frame. */
    public ClassFractions classFractions() {
        return ClassFractions.of(mask, labelSet);
    }

    /** Share of each class within each zone (frame-sized bit masks keyed by zone id). */
    public Map<String, ClassFractions> zoneFractions(Map<String, BitSet> zones) {
        return ClassFractions.zones(mask, zones, labelSet);
    }

    @Override
    public String toString() {
        return "Segmentation " + mask.width() + "x" + mask.height() + " (" + labelSet.name() + ") " + timings;
    }
}
