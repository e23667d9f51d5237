package io.segstream.ingest.metrics;

/**
 * Events per second over the last few whole seconds, from per-second buckets: "current fps" that reacts within a
 * window and does not jump with every frame. Thread-safe.
 */
public final class RateWindow {
    private final int seconds;
    private final long[] counts;
    private final long[] bucketSecond;
    private long firstSecond = Long.MIN_VALUE;

    /** A window of {@code seconds} complete seconds (at least 1). */
    public RateWindow(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("a rate window needs at least one second, got " + seconds);
        }
        this.seconds = seconds;
        this.counts = new long[seconds + 1];
        this.bucketSecond = new long[seconds + 1];
        java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    }

    /** Records one event at monotonic time {@code nanos}. */
    public synchronized void record(long nanos) {
        long sec = Math.floorDiv(nanos, 1_000_000_000L);
        if (firstSecond == Long.MIN_VALUE) {
            firstSecond = sec;
        }
        int i = (int) Math.floorMod(sec, (long) counts.length);
        if (bucketSecond[i] != sec) {
            bucketSecond[i] = sec;
            counts[i] = 0;
        }
        counts[i]++;
    }

    /**
     * Events per second over the complete seconds before {@code nanos} (the running second is left out); a young
     * window divides by the seconds it has seen, not by its full length.
     */
    public synchronized double rate(long nanos) {
        long now = Math.floorDiv(nanos, 1_000_000_000L);
        long span = firstSecond == Long.MIN_VALUE ? 0 : Math.min(seconds, now - firstSecond);
        if (span <= 0) {
            return 0;
        }
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            long s = bucketSecond[i];
            if (s < now && s >= now - seconds) {
                total += counts[i];
            }
        }
        return total / (double) span;
    }
}
