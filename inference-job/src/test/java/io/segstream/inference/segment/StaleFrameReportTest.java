package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StaleFrameReportTest {

    @Test
    void theFirstSkipIsToldAtOnceThenOneSummaryPerInterval() {
        StaleFrameReport report = new StaleFrameReport(60_000, 5_000);
        assertEquals("live mode skipped 1 frame (1 in all) older than the staleness bound of 5000 ms, e.g. camera"
                + " cam-1 seq 7 was 86400000 ms old; run with mode=replay to process recorded frames, or raise"
                + " staleness-ms", report.skipped("cam-1", 7, 86_400_000, 1_000));
        assertNull(report.skipped("cam-1", 8, 86_400_000, 2_000));
        assertNull(report.skipped("cam-2", 3, 9_000, 60_999));
        assertEquals("live mode skipped 3 frames in the last 60 s (4 in all) older than the staleness bound of 5000"
                + " ms, e.g. camera cam-2 seq 4 was 9100 ms old; run with mode=replay to process recorded frames, or"
                + " raise staleness-ms", report.skipped("cam-2", 4, 9_100, 61_000));
        assertNull(report.skipped("cam-2", 5, 9_100, 61_001));
    }
}
