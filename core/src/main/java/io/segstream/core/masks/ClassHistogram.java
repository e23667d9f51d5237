package io.segstream.core.masks;

import java.util.Arrays;

/**
 * Counts class ids in a span of a mask. Masks are mostly long runs of one class, so the span is walked a run at a
 * time ({@link Arrays#mismatch}, a vectorised comparison, finds where a run ends); where runs are short (class
 * boundaries, noisy masks) it counts pixel by pixel, so a mask without runs costs no more than a plain histogram.
 *
 * <pre>{@code
 * int[] counts = new int[256];
 * ClassHistogram.add(mask.classIds(), 0, mask.pixelCount(), counts);
 * ClassHistogram.addRows(mask.classIds(), mask.width(), counts);   // the same counts, repeated rows counted once
 * }</pre>
 */
public final class ClassHistogram {
    /** A run shorter than this switches to counting pixel by pixel for {@link #PLAIN} pixels. */
    private static final int SHORT_RUN = 16;
    private static final int PLAIN = 64;

    private ClassHistogram() {}

    /**
     * Where the run of ids equal to {@code ids[from]} ends, at most {@code to}: a vectorised comparison of the span
     * with itself shifted by one finds the first pixel that differs from the next.
     */
    static int runEnd(byte[] ids, int from, int to) {
        int k = Arrays.mismatch(ids, from, to - 1, ids, from + 1, to);
        return k < 0 ? to : from + k + 1;
    }

    /** Adds the ids {@code ids[from]} to {@code ids[to - 1]} (unsigned) to {@code counts}, indexed by id 0..255. */
    public static void add(byte[] ids, int from, int to, int[] counts) {
        add(ids, from, to, counts, 1);
    }

    /**
     * Adds every row of a {@code width}-wide mask to {@code counts}. A row equal to the one above (a mask at twice
     * the model's output size repeats every row) is found by one vectorised comparison and counted with it.
     */
    public static void addRows(byte[] ids, int width, int[] counts) {
        int height = ids.length / width;
        int y = 0;
        while (y < height) {
            int from = y * width;
            int next = y + 1;
            while (next < height && Arrays.equals(ids, from, from + width, ids, next * width, next * width + width)) {
                next++;
            }
            add(ids, from, from + width, counts, next - y);
            y = next;
        }
        add(ids, height * width, ids.length, counts, 1);
    }

    /** Adds {@code times} each of the ids {@code ids[from]} to {@code ids[to - 1]}. */
    private static void add(byte[] ids, int from, int to, int[] counts, int times) {
        int i = from;
        while (i < to) {
            int end = runEnd(ids, i, to);
            int run = end - i;
            counts[ids[i] & 0xFF] += run * times;
            i = end;
            if (run < SHORT_RUN) {
                int stop = Math.min(to, i + PLAIN);
                for (; i < stop; i++) {
                    counts[ids[i] & 0xFF] += times;
                }
            }
        }
    }
}
