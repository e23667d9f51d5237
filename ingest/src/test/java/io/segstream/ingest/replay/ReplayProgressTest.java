package io.segstream.ingest.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.ingest.grab.SourceInfo;
import io.segstream.ingest.testing.ManualClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
    private static final String NL = System.lineSeparator();
    private static final long S = 1_000_000_000L;
    private static final SourceInfo INFO = new SourceInfo("drive.mp4", "mp4", "h264", 160, 120, 10, 1_000_000, 10,
            null, "drive");

    @Test
    void aLoopDrawsALinePerPassThenTheFramesDelivered() {
        ManualClock clock = new ManualClock(Instant.EPOCH);
        StringWriter buf = new StringWriter();
        ReplayProgress progress = new ReplayProgress(new PrintWriter(buf), "replay cam-1", clock, false);
        progress.started(INFO, 10);
        for (int i = 1; i <= 10; i++) {
            clock.advance(S);
            progress.frameSent(i, 0);
        }
        progress.started(INFO, 10);
        for (int i = 1; i <= 6; i++) {
            clock.advance(S);
            progress.frameSent(i, 1);
        }
        progress.finished(16);
        // a log line every 5 s and at the end of the first pass; the second pass rates from its own start
        assertEquals("replay cam-1 [##########----------]  50%  5/10 frames  1.00 frames/s  ETA 0:05" + NL
                + "replay cam-1 [####################] 100%  10/10 frames  1.00 frames/s  elapsed 0:10" + NL
                + "replay cam-1 [##########----------]  50%  5/10 frames  1.00 frames/s  ETA 0:05  loop 2" + NL
                + "replay cam-1: done, 16 frames delivered" + NL, buf.toString());
    }

    @Test
    void aSourceThatNeverOpenedStillSaysWhatWasDelivered() {
        StringWriter buf = new StringWriter();
        new ReplayProgress(new PrintWriter(buf), "replay cam-2", new ManualClock(Instant.EPOCH), true).finished(0);
        assertEquals("\rreplay cam-2: done, 0 frames delivered" + NL, buf.toString());
    }
}
