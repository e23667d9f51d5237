package io.segstream.inference.segment;

/**
 * A log sentence for frames a check counts, at most once per interval: the first at once, then how many since the
 * last sentence, the total and the latest example. A flood of bad frames gives a few log lines, never one per frame;
 * the exact numbers are in the metrics.
 */
final class CountedReport {
    private final long intervalMs;
    private final String what;
    private long sinceReport;
    private long total;
    private long lastReportAt = Long.MIN_VALUE;

    /**
     * @param intervalMs the shortest time between two sentences
     * @param what       what is counted, plural, e.g. "repeated frames skipped"
     */
    CountedReport(long intervalMs, String what) {
        this.intervalMs = intervalMs;
        this.what = what;
    }

    /**
     * Counts one frame; returns the sentence to log when one is due, else null.
     *
     * @param example this frame and why it was counted, escaped for a log line
     */
    String count(String example, long nowMs) {
        sinceReport++;
        total++;
        if (lastReportAt != Long.MIN_VALUE && nowMs - lastReportAt < intervalMs) {
            return null;
        }
        String since = lastReportAt == Long.MIN_VALUE ? "" : " in the last " + (nowMs - lastReportAt) / 1000 + " s";
        String message = what + ": " + sinceReport + since + " (" + total + " in all), latest: " + example;
        sinceReport = 0;
        lastReportAt = nowMs;
        return message;
    }

    /** Frames counted since this report was made. */
    long total() {
        return total;
    }
}
