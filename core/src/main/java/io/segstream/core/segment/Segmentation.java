package io.segstream.core.segment;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassFractions;
import io.segstream.core.masks.ClassMask;
import java.util.BitSet;
import java.util.Map;
import java.util.Objects;

/**
 * The segmentation of one frame: a frame-sized mask of class ids in the model's label set, the time
 * each stage took, and how many of the model's class scores for it were NaN or infinite (a mask made from such
 * scores is garbage: callers that publish masks refuse it, see {@link #hasNonFiniteScores()}).
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
    private final int nanScores;
    private final int infiniteScores;

    /** A segmentation whose scores were all finite (or that came as class ids). */
    public Segmentation(ClassMask mask, LabelSet labelSet, SegmenterTimings timings) {
        this(mask, labelSet, timings, 0, 0);
    }

    /**
     * @param nanScores      class scores of this frame that were NaN
     * @param infiniteScores class scores of this frame that were infinite
     */
    public Segmentation(ClassMask mask, LabelSet labelSet, SegmenterTimings timings, int nanScores,
            int infiniteScores) {
        this.mask = Objects.requireNonNull(mask, "mask");
        this.labelSet = Objects.requireNonNull(labelSet, "labelSet");
        this.timings = Objects.requireNonNull(timings, "timings");
        if (nanScores < 0 || infiniteScores < 0) {
            throw new IllegalArgumentException("score counts must be 0 or more, got " + nanScores + " NaN and "
                    + infiniteScores + " infinite");
        }
        this.nanScores = nanScores;
        this.infiniteScores = infiniteScores;
    }

    /** Class scores of this frame that were NaN. */
    public int nanScores() {
        return nanScores;
    }

    /** Class scores of this frame that were +-infinity. */
    public int infiniteScores() {
        return infiniteScores;
    }

    /** Whether any class score was NaN or infinite, so that the mask is not to be trusted. */
    public boolean hasNonFiniteScores() {
        return nanScores > 0 || infiniteScores > 0;
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
        return new Segmentation(mask, labelSet, timings.withDecodeMs(ms), nanScores, infiniteScores);
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
