package io.segstream.core.frames;

/**
 * What one camera's frame sequence numbers have been: the highest seq seen and which of the {@link #SIZE} seqs up
 * to it were seen (a bitmap), so that a repeated frame is told from a late one in constant space. Immutable; state
 * of the inference job's per-camera sequence check.
 *
 * <p>The rule, for a frame with seq {@code s} and highest seq {@code h} so far:
 * <ul>
 *   <li>{@code s > h}: {@link Verdict#NEXT} (gaps are allowed: a camera may drop frames);</li>
 *   <li>{@code h - SIZE < s <= h}, not seen: {@link Verdict#LATE}, processed (reordered on the way);</li>
 *   <li>{@code h - SIZE < s <= h}, seen: {@link Verdict#DUPLICATE}, to be skipped (a producer retry, a replayed
 *       batch); it would give a second mask for the same (camera, seq);</li>
 *   <li>{@code s <= h - SIZE}: {@link Verdict#RESTART}: the camera started counting again (a reboot, a new
 *       recording); processed, and the window starts over at {@code s}.</li>
 * </ul>
 *
 * <pre>{@code
 * SequenceWindow.Step step = window == null ? SequenceWindow.first(seq) : window.next(seq);
 * if (step.verdict() == Verdict.DUPLICATE) { ...skip and count... }
 * window = step.window();
 * }</pre>
 *
 * @param highest the highest seq seen since the last restart
 * @param seen    bit {@code i} set when seq {@code highest - i} was seen
 */
public record SequenceWindow(long highest, long seen) {
    /** How many seqs below the highest a frame may arrive late and still be told from a repeat. */
    public static final int SIZE = 64;

    /** What a frame's seq means. */
    public enum Verdict {
        /** The first frame of a camera, or a seq above every one so far. */
        NEXT,
        /** A seq within the window not seen before. */
        LATE,
        /** A seq within the window seen before. */
        DUPLICATE,
        /** A seq further back than the window: the camera's counter restarted. */
        RESTART
    }

    /**
     * A verdict and the window after it.
     *
     * @param verdict what the seq means
     * @param window  the window to keep (unchanged for a duplicate)
     */
    public record Step(Verdict verdict, SequenceWindow window) {}

    /** The window after a camera's first frame. */
    public static Step first(long seq) {
        return new Step(Verdict.NEXT, new SequenceWindow(seq, 1L));
    }

    /** The verdict on {@code seq} and the window after it. */
    public Step next(long seq) {
        if (seq > highest) {
            long shift = seq - highest;   // > 0; may overflow only for seqs 2^63 apart, which are a restart anyway
            long moved = shift <= 0 || shift >= SIZE ? 0L : seen << shift;
            return new Step(Verdict.NEXT, new SequenceWindow(seq, moved | 1L));
        }
        long back = highest - seq;
        if (back < 0 || back >= SIZE) {
            return new Step(Verdict.RESTART, new SequenceWindow(seq, 1L));
        }
        long bit = 1L << back;
        if ((seen & bit) != 0) {
            return new Step(Verdict.DUPLICATE, this);
        }
        return new Step(Verdict.LATE, new SequenceWindow(highest, seen | bit));
    }
}
