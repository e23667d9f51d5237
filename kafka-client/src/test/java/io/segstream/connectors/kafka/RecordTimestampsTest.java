package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordTimestampsTest {
    private static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    @Test
    void negativeAndZeroTimesAreRefusedWithTheValueNamed() {
        String negative = RecordTimestamps.problem(-1, NOW, TEN_MINUTES).orElseThrow();
        assertEquals("capture time -1 ms (1969-12-31T23:59:59.999Z) is not after 1970-01-01T00:00:00Z: the camera's"
                + " clock is unset or broken", negative);
        assertTrue(RecordTimestamps.problem(0, NOW, TEN_MINUTES).orElseThrow().startsWith("capture time 0 ms"));
        assertTrue(RecordTimestamps.problem(Long.MIN_VALUE, NOW, TEN_MINUTES).isPresent());
    }

    @Test
    void timesFurtherAheadThanTheBoundAreRefusedAndOldOnesKept() {
        assertTrue(RecordTimestamps.problem(NOW + TEN_MINUTES.toMillis(), NOW, TEN_MINUTES).isEmpty(),
                "exactly at the bound is fine");
        String ahead = RecordTimestamps.problem(NOW + TEN_MINUTES.toMillis() + 1_000, NOW, TEN_MINUTES).orElseThrow();
        assertEquals("capture time 2026-12-06T12:10:01Z lies 601 s ahead of this machine's clock, more than the 600 s"
                + " allowed (Kafka brokers refuse records far in the future); fix the camera's clock", ahead);
        long year9999 = Instant.parse("9999-01-01T00:00:00Z").toEpochMilli();
        assertTrue(RecordTimestamps.problem(year9999, NOW, TEN_MINUTES).isPresent());
        assertTrue(RecordTimestamps.problem(Long.MAX_VALUE, NOW, TEN_MINUTES).isPresent());
        assertTrue(RecordTimestamps.problem(1, NOW, TEN_MINUTES).isEmpty(), "a replay of 1970 is old, not wrong");
    }

    @Test
    void usableKeepsUsableTimestampsAndNullsTheOthers() {
        assertEquals(NOW - 5, RecordTimestamps.usable(NOW - 5, NOW, TEN_MINUTES));
        assertNull(RecordTimestamps.usable(-1L, NOW, TEN_MINUTES));
        assertNull(RecordTimestamps.usable(NOW + Duration.ofHours(2).toMillis(), NOW, TEN_MINUTES));
        assertNull(RecordTimestamps.usable(null, NOW, TEN_MINUTES));
    }
}
