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
        int i = from;
        while (i < to) {
            int end = runEnd(ids, i, to);
            int run = end - i;
            counts[ids[i] & 0xFF] += run;
            i = end;
            if (run < SHORT_RUN) {
                int stop = Math.min(to, i + PLAIN);
                for (; i < stop; i++) {
                    counts[ids[i] & 0xFF]++;
                }
            }
        }
    }
}
