package io.segstream.ingest.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.ingest.grab.SourceInfo;
import io.segstream.ingest.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final SourceInfo INFO = new SourceInfo("drive.mp4", "mp4", "h264", 160, 120, 20, 12_000_000, 240,
            null,
            "drive");

    @Test
    void showsBarFramesRateAndEta() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "replay cam-1", clock,
                true);
        bar.started(INFO, 240);
        for (int i = 1; i <= 120; i++) {
            clock.advance(25_000_000);
            bar.frameSent(i, 0);
        }
        // 120 frames in 3 s: 40 frames/s, 120 left: 3 s
        assertEquals("replay cam-1 [##########----------]  50%  120/240 frames    40.0 frames/s  ETA 0:03",
                bar.line(clock.nanoTime(), 0));
        String drawn = buf.toString(StandardCharsets.UTF_8);
        assertTrue(drawn.startsWith("\rreplay cam-1 ["), drawn);
        assertEquals(12, drawn.chars().filter(c -> c == '\r').count(), "redrawn every 250 ms over 3 s");
    }

    @Test
    void unknownLengthShowsCountAndRateAndLoopPass() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), "replay cam-2", clock, false);
        bar.started(INFO, -1);
        for (int i = 1; i <= 50; i++) {
            clock.advance(40_000_000L);
            bar.frameSent(i, 1);
        }
        assertEquals("replay cam-2 50 frames    25.0 frames/s  loop 2", bar.line(clock.nanoTime(), 1));
    }

    @Test
    void finishPrintsTotals() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "replay cam-3", clock,
                false);
        bar.started(INFO, 240);
        clock.advance(4_000_000_000L);
        bar.finished(240);
        assertEquals("replay cam-3: done, 240 frames delivered" + System.lineSeparator(),
                buf.toString(StandardCharsets.UTF_8));
    }
}
