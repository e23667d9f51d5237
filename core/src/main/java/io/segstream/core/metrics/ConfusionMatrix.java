package io.segstream.core.metrics;

import java.util.Arrays;

/**
 * Pixel counts over official label ids: rows are ground truth, columns are predictions. Counts are 64-bit, so
 * a whole dataset at full resolution (5000 frames of 2 megapixels) cannot overflow.
 *
 * <p>Mutable, for accumulation; not thread-safe.
 */
public final class ConfusionMatrix {
    private final int size;
    private final long[] counts;

    /** An empty {@code size x size} matrix over label ids {@code 0..size-1}. */
    public ConfusionMatrix(int size) {
        if (size <= 0 || size > 256) {
            throw new IllegalArgumentException("a confusion matrix over label ids needs 1..256 rows, got " + size);
        }
        this.size = size;
        this.counts = new long[size * size];
    }

    /** Number of rows (and columns): the largest label id + 1. */
    public int size() {
        return size;
    }

    /** Adds {@code count} pixels of ground truth {@code gt} predicted as {@code pred}. */
    public void add(int gt, int pred, long count) {
        check(gt, "ground-truth");
        check(pred, "predicted");
        if (count < 0) {
            throw new IllegalArgumentException("pixel count must not be negative, got " + count);
        }
        counts[gt * size + pred] += count;
    }

    /** Adds a row-major {@code size x size} block of per-frame counts. */
    void addAll(int[] frameCounts) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += frameCounts[i];
        }
    }

    /** Adds every count of {@code other}, which must have the same size. */
    public void addAll(ConfusionMatrix other) {
        if (other.size != size) {
            throw new IllegalArgumentException("cannot add a " + other.size + "x" + other.size + " confusion matrix to a "
                    + size + "x" + size + " one");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    /** Pixels of ground truth {@code gt} predicted as {@code pred}. */
    public long get(int gt, int pred) {
        check(gt, "ground-truth");
        check(pred, "predicted");
        return counts[gt * size + pred];
    }

    /** Pixels whose ground truth is {@code gt}. */
    public long rowSum(int gt) {
        check(gt, "ground-truth");
        long s = 0;
        for (int p = 0; p < size; p++) {
            s += counts[gt * size + p];
        }
        return s;
    }

    /** Every pixel counted. */
    public long total() {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }

    /** A copy as {@code [gt][pred]} rows. */
    public long[][] toArray() {
        long[][] out = new long[size][];
        for (int g = 0; g < size; g++) {
            out[g] = Arrays.copyOfRange(counts, g * size, (g + 1) * size);
        }
        return out;
    }

    /** An independent copy. */
    public ConfusionMatrix copy() {
        ConfusionMatrix c = new ConfusionMatrix(size);
        System.arraycopy(counts, 0, c.counts, 0, counts.length);
        return c;
    }

    private void check(int id, String what) {
        if (id < 0 || id >= size) {
            throw new IndexOutOfBoundsException(what + " label id " + id + " is outside 0.." + (size - 1));
        }
    }
}
