package io.segstream.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final String NL = System.lineSeparator();
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final StringWriter buf = new StringWriter();
    private final ManualClock clock = new ManualClock();

    private ProgressBar.Builder bar(String unit, boolean interactive) {
        return ProgressBar.builder().setOut(new PrintWriter(buf)).setUnit(unit).optInteractive(interactive)
                .optClock(clock);
    }

    @Test
    void terminalShowsBarCountRateAndEtaFourTimesASecond() {
        ProgressBar b = bar("frames", true).optLabel("replay cam-1").build();
        for (int i = 1; i <= 120; i++) {
            clock.advance(25 * MS);
            b.update(i, 240);
        }
        // 120 frames in 3 s: 40 frames/s, 120 left: 3 s
        assertEquals("replay cam-1 [##########----------]  50%  120/240 frames  40.0 frames/s  ETA 0:03",
                b.line(clock.getAsLong()));
        String drawn = buf.toString();
        // first drawn after 250 ms, at frame 10: 40 frames/s, 230 left: 5.75 s
        assertTrue(drawn.startsWith("\rreplay cam-1 [--------------------]   4%  10/240 frames  40.0 frames/s  "
                + "ETA 0:06\r"), drawn);
        assertEquals(12, drawn.chars().filter(c -> c == '\r').count(), "redrawn every 250 ms over 3 s");
        assertTrue(drawn.endsWith("ETA 0:03"), drawn);
    }

    @Test
    void logGetsALineEveryFiveSecondsAndTheCompletedOne() {
        ProgressBar b = bar("scenes", false).optLabel("render").build();
        for (int i = 1; i <= 10; i++) {
            clock.advance(S);
            b.update(i, 10);
        }
        b.finish();
        assertEquals("render [##########----------]  50%  5/10 scenes  1.00 scenes/s  ETA 0:05" + NL
                + "render [####################] 100%  10/10 scenes  1.00 scenes/s  elapsed 0:10" + NL, buf.toString());
    }

    @Test
    void unknownTotalShowsCountRateAndDetail() {
        ProgressBar b = bar("frames", false).optLabel("replay cam-2").build();
        for (int i = 1; i <= 50; i++) {
            clock.advance(40 * MS);
            b.update(i, -1, "loop 2");
        }
        assertEquals("", buf.toString(), "a log gets no line in the first five seconds");
        b.finish();
        assertEquals("replay cam-2 50 frames  25.0 frames/s  loop 2" + NL, buf.toString(),
                "finish draws the state held back");
    }

    @Test
    void completionIsDrawnAtOnceAndFinishEndsTheLine() {
        ProgressBar b = bar("frames", true).build();
        for (int i = 1; i <= 4; i++) {
            clock.advance(50 * MS);
            b.update(i, 4);
        }
        b.finish();
        assertEquals("\r[####################] 100%  4/4 frames  20.0 frames/s  elapsed 0:00" + NL, buf.toString());
    }

    @Test
    void anOverrunTotalIsDrawnCompleteOnlyOnce() {
        ProgressBar b = bar("frames", true).build();
        for (int i = 1; i <= 6; i++) {
            clock.advance(10 * MS);
            b.update(i, 4);
        }
        assertEquals(1, buf.toString().chars().filter(c -> c == '\r').count(), buf.toString());
    }

    @Test
    void finishDrawsAHeldBackStateAndNothingWhenNothingWasReported() {
        ProgressBar quiet = bar("frames", true).build();
        quiet.finish();
        assertEquals("", buf.toString());

        ProgressBar b = bar("frames", true).build();
        clock.advance(100 * MS);
        b.update(2, 100);
        assertEquals("", buf.toString(), "held back: less than 250 ms");
        b.finish();
        // 2 frames in 0.1 s: 20 frames/s, 98 left: 4.9 s
        assertEquals("\r[--------------------]   2%  2/100 frames  20.0 frames/s  ETA 0:05" + NL, buf.toString());
    }

    @Test
    void aShorterLineBlanksTheRestOfTheLongerOne() {
        ProgressBar b = bar("steps", true).build();
        clock.advance(S);
        b.update(1, 10, "loss 0.5000");
        clock.advance(S);
        b.update(2, 10);
        b.finish("done: 2 steps");
        // 76 characters, then 63 (13 shorter), then the 13-character summary over them
        assertEquals("\r[##------------------]  10%  1/10 steps  1.00 steps/s  ETA 0:09  loss 0.5000"
                + "\r[####----------------]  20%  2/10 steps  1.00 steps/s  ETA 0:08" + " ".repeat(13)
                + "\rdone: 2 steps" + " ".repeat(50) + NL, buf.toString());
    }

    @Test
    void finishWithASummaryInALogPrintsItAsALine() {
        ProgressBar b = bar("frames", false).build();
        b.update(3, 10);
        b.finish("replay cam-3: done, 240 frames delivered");
        assertEquals("replay cam-3: done, 240 frames delivered" + NL, buf.toString());
    }

    @Test
    void aResumedRunRatesOnlyTheWorkItDid() {
        ProgressBar b = bar("steps", false).optStartPosition(40).build();
        clock.advance(10 * S);
        b.update(60, 100);
        // 20 steps in 10 s: 2 steps/s, 40 left: 20 s
        assertEquals("[############--------]  60%  60/100 steps  2.00 steps/s  ETA 0:20" + NL, buf.toString());
    }

    @Test
    void aFinishedBarRefusesMoreWork() {
        ProgressBar b = bar("steps", false).optLabel("epoch 1/3").build();
        b.finish();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.update(1, 2));
        assertEquals("the progress bar 'epoch 1/3' is finished; build a new one for more work", e.getMessage());
    }

    @Test
    void theBuilderSaysWhatIsMissing() {
        IllegalArgumentException noOut = assertThrows(IllegalArgumentException.class,
                () -> ProgressBar.builder().setUnit("frames").build());
        assertEquals("the progress bar has nowhere to draw; call setOut(stderr)", noOut.getMessage());
        IllegalArgumentException noUnit = assertThrows(IllegalArgumentException.class,
                () -> ProgressBar.builder().setOut(new PrintWriter(buf)).build());
        assertEquals("the progress bar needs a unit; call setUnit, e.g. \"frames\"", noUnit.getMessage());
    }

    /** Moves only when told to. */
    private static final class ManualClock implements LongSupplier {
        private long nanos;

        void advance(long n) {
            nanos += n;
        }

        @Override
        public long getAsLong() {
            return nanos;
        }
    }
}
