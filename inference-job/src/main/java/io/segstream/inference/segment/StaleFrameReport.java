package io.segstream.inference.segment;

/**
 * Tells the user, at most once per interval, how many live frames were skipped as stale and why: the first skip
 * at once, then a summary per interval. A user who starts a live job after replaying a drive otherwise sees
 * nothing and no reason.
 */
final class StaleFrameReport {
    private final long intervalMs;
    private final long stalenessMs;
    private long skippedSinceReport;
    private long total;
    private long lastReportAt = Long.MIN_VALUE;

    /**
     * @param intervalMs  the shortest time between two reports
     * @param stalenessMs the bound the frames were older than, for the message
     */
    StaleFrameReport(long intervalMs, long stalenessMs) {
        this.intervalMs = intervalMs;
        this.stalenessMs = stalenessMs;
    }

    /**
     * Counts one skipped frame; returns the sentence to log when a report is due, else null.
     *
     * @param ageMs how much older than its capture time the frame was when it arrived
     */
    String skipped(String cameraId, long seq, long ageMs, long nowMs) {
        skippedSinceReport++;
        total++;
        if (lastReportAt != Long.MIN_VALUE && nowMs - lastReportAt < intervalMs) {
            return null;
        }
        String since = lastReportAt == Long.MIN_VALUE ? "" : " in the last " + (nowMs - lastReportAt) / 1000 + " s";
        String message = "live mode skipped " + skippedSinceReport + " frame" + (skippedSinceReport == 1 ? "" : "s")
                + since + " (" + total + " in all) older than the staleness bound of " + stalenessMs + " ms, e.g."
                + " camera " + cameraId + " seq " + seq + " was " + ageMs + " ms old; run with mode=replay to"
                + " process recorded frames, or raise staleness-ms";
        skippedSinceReport = 0;
        lastReportAt = nowMs;
        return message;
    }
}
