package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Capture times stay in order through a wall clock that jumps back, and follow it again once it catches up. */
class CaptureClockTest {
    private static final long T0 = Instant.parse("2026-12-06T08:00:00Z").toEpochMilli();
    private static final long MS = 1_000_000;

    @Test
    void aGoodClockIsPassedThrough() {
        CaptureClock c = new CaptureClock(0, 0);
        assertEquals(new CaptureClock.Stamp(T0, false, T0), c.stamp(T0, 0));
        assertEquals(new CaptureClock.Stamp(T0 + 100, false, T0 + 100), c.stamp(T0 + 100, 100 * MS));
    }

    @Test
    void aSmallStepBackIsClampedWithoutAReport() {
        CaptureClock c = new CaptureClock(0, 0);
        c.stamp(T0, 0);
        CaptureClock.Stamp s = c.stamp(T0 - 300, 100 * MS);
        assertEquals(T0, s.millis(), "never before the last one");
        assertFalse(s.jumped());
    }

    @Test
    void aJumpBackIsReportedOnceAndTimeContinuesOnTheMonotonicClockUntilTheWallClockCatchesUp() {
        CaptureClock c = new CaptureClock(0, 0);
        c.stamp(T0, 0);
        // NTP steps the clock back an hour 100 ms later
        CaptureClock.Stamp first = c.stamp(T0 - 3_600_000 + 100, 100 * MS);
        assertTrue(first.jumped());
        assertEquals(T0 + 100, first.millis());
        assertTrue(c.holding());
        CaptureClock.Stamp second = c.stamp(T0 - 3_600_000 + 200, 200 * MS);
        assertFalse(second.jumped(), "one report per jump");
        assertEquals(T0 + 200, second.millis());
        // the wall clock is right again (set forward past the kept time)
        CaptureClock.Stamp back = c.stamp(T0 + 5000, 300 * MS);
        assertEquals(T0 + 5000, back.millis());
        assertFalse(c.holding());
    }

    @Test
    void aBootAt1970ContinuesFromThePreviousRunsLastTime() {
        // the previous run's last capture time was T0; the device rebooted with its clock at 1970 + 12 s
        CaptureClock c = new CaptureClock(T0, 0);
        CaptureClock.Stamp s = c.stamp(12_000, 40 * MS);
        assertTrue(s.jumped());
        assertEquals(T0 + 40, s.millis());
        assertEquals(T0 + 1040, c.stamp(13_000, 1040 * MS).millis());
    }

    @Test
    void anUnsetClockWithNoHistoryStartsAtTheFloorAndNeverGoesBack() {
        CaptureClock c = new CaptureClock(0, 0);
        CaptureClock.Stamp s = c.stamp(5_000, 0);
        assertTrue(s.jumped());
        long floor = CaptureClock.PLAUSIBLE_AFTER.toEpochMilli();
        assertEquals(floor, s.millis());
        assertEquals(floor + 500, c.stamp(5_500, 500 * MS).millis());
        assertEquals(T0, c.stamp(T0, 600 * MS).millis(), "NTP set the clock: real times again");
    }
}
