package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CountedReportTest {
    @Test
    void theFirstAtOnceThenOneSummaryPerInterval() {
        CountedReport r = new CountedReport(60_000, "repeated frames skipped");
        assertEquals("repeated frames skipped: 1 (1 in all), latest: cam-a seq 1", r.count("cam-a seq 1", 1_000));
        assertNull(r.count("cam-a seq 2", 30_000));
        assertNull(r.count("cam-a seq 3", 60_999));
        assertEquals("repeated frames skipped: 3 in the last 60 s (4 in all), latest: cam-b seq 9",
                r.count("cam-b seq 9", 61_000));
        assertEquals(4, r.total());
    }
}
