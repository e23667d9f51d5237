package io.segstream.ingest.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.ingest.testing.ManualClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {
    private final ManualClock clock = new ManualClock(Instant.EPOCH);

    @Test
    void realtimeWaitsTheRecordingsIntervals() throws Exception {
        Pacer pacer = new Pacer(Pace.REALTIME, clock);
        for (long t = 0; t <= 200_000; t += 50_000) {
            pacer.await(t);
        }
        assertEquals(List.of(50_000_000L, 50_000_000L, 50_000_000L, 50_000_000L), clock.sleeps());
    }

    @Test
    void xFourIsFourTimesFasterAndHalfSpeedTwiceAsSlow() throws Exception {
        Pacer fast = new Pacer(Pace.parse("x4"), clock);
        fast.await(1_000_000);
        fast.await(1_100_000);
        assertEquals(List.of(25_000_000L), clock.sleeps());

        ManualClock slowClock = new ManualClock(Instant.EPOCH);
        Pacer slow = new Pacer(Pace.parse("x0.5"), slowClock);
        slow.await(0);
        slow.await(100_000);
        assertEquals(List.of(200_000_000L), slowClock.sleeps());
    }

    @Test
    void maxNeverWaits() throws Exception {
        Pacer pacer = new Pacer(Pace.MAX, clock);
        for (long t = 0; t < 10_000_000; t += 40_000) {
            pacer.await(t);
        }
        assertEquals(0, clock.sleptNanos());
    }

    @Test
    void timeSpentWorkingIsNotWaitedAgain() throws Exception {
        Pacer pacer = new Pacer(Pace.REALTIME, clock);
        pacer.await(0);
        clock.advance(30_000_000);
        pacer.await(50_000);
        assertEquals(List.of(20_000_000L), clock.sleeps(), "50 ms interval minus 30 ms of work");
    }

    @Test
    void fallingFarBehindRestartsTheTimelineInsteadOfBursting() throws Exception {
        Pacer pacer = new Pacer(Pace.REALTIME, clock, 1_000_000_000L);
        pacer.await(0);
        clock.advance(3_000_000_000L);
        pacer.await(50_000);
        assertEquals(0, clock.sleptNanos(), "late frame goes at once");
        assertEquals(1, pacer.rebases());
        pacer.await(100_000);
        assertEquals(List.of(50_000_000L), clock.sleeps(), "the next frame keeps the recording's interval");
    }

    @Test
    void paceParsesAndExplains() {
        assertEquals(Pace.REALTIME, Pace.parse("realtime"));
        assertTrue(Pace.parse("MAX").isMax());
        assertEquals(2.5, Pace.parse("x2.5").speed());
        assertEquals("x4", Pace.parse("x4").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pace.parse("x0"));
        assertEquals("'x0' is not a pace; use realtime, max or xN (for example x4 or x0.5)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pace.parse("fast"));
    }

    @Test
    void mediaTimesParseInEveryWrittenForm() {
        assertEquals(90_000_000L, MediaTime.parseMicros("90"));
        assertEquals(90_500_000L, MediaTime.parseMicros("90.5s"));
        assertEquals(1_500_000L, MediaTime.parseMicros("1500ms"));
        assertEquals(90_000_000L, MediaTime.parseMicros("1:30"));
        assertEquals(3_723_500_000L, MediaTime.parseMicros("01:02:03.5"));
        assertEquals(120_000_000L, MediaTime.parseMicros("2m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MediaTime.parseMicros("soon"));
        assertTrue(e.getMessage().startsWith("'soon' is not a time in the recording"));
        assertEquals("1:05", MediaTime.format(65_000_000));
        assertEquals("1:01:05", MediaTime.format(3_665_000_000L));
    }

    @Test
    void replayOptionsSayWhatToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplayOptions.builder()
                .setSource(io.segstream.ingest.grab.SourceSpec.of("drive.mp4")).setCameraId("c")
                .optFromMicros(10_000_000).optToMicros(5_000_000).build());
        assertEquals("--to (0:05) lies before --from (0:10)", e.getMessage());
        // the job's camera-id rule, checked before a frame is sent
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class, () -> ReplayOptions.builder()
                .setSource(io.segstream.ingest.grab.SourceSpec.of("drive.mp4")).setCameraId("../cam 1").build());
        assertTrue(id.getMessage().startsWith("camera id \"../cam 1\" is not a valid camera id"), id.getMessage());
        assertEquals("drive_2024-05-01", io.segstream.ingest.grab.SourceSpec.of("/data/drives/drive_2024-05-01.mp4")
                .baseName());
        assertEquals("stream",
                io.segstream.ingest.grab.SourceSpec.of("http://host/live/stream.m3u8?token=1").baseName());
    }
}
