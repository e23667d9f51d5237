package io.segstream.ingest.replay;

import io.segstream.core.progress.ProgressBar;
import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.SourceInfo;
import java.io.PrintWriter;

/**
 * Draws a replay's progress with a {@link ProgressBar}: a line per pass of the recording (frames, frames/s, ETA;
 * {@code loop N} from the second pass of {@code --loop}), then the frames delivered in all.
 *
 * <pre>{@code
 * replay cam-1 [##########----------]  50%  120/240 frames  45.2 frames/s  ETA 0:03
 * replay cam-1: done, 240 frames delivered
 * }</pre>
 */
public final class ReplayProgress implements ReplayListener {
    private final PrintWriter out;
    private final String label;
    private final IngestClock clock;
    private final boolean interactive;
    private ProgressBar bar;
    private long expected = -1;

    /**
     * @param out         where to draw, normally stderr
     * @param label       what is replayed, e.g. {@code replay cam-1}
     * @param interactive redraw in place on a terminal; false prints a line every five seconds (logs)
     */
    public ReplayProgress(PrintWriter out, String label, IngestClock clock, boolean interactive) {
        this.out = out;
        this.label = label;
        this.clock = clock;
        this.interactive = interactive;
    }

    @Override
    public void started(SourceInfo info, long expectedFrames) {
        // each pass of a loop gets its own line, with its own rate and time left
        if (bar != null) {
            bar.finish();
        }
        expected = expectedFrames;
        bar = newBar();
    }

    @Override
    public void frameSent(long framesThisPass, long loopPass) {
        if (bar == null) {
            bar = newBar();
        }
        bar.update(framesThisPass, expected, loopPass > 0 ? "loop " + (loopPass + 1) : "");
    }

    @Override
    public void finished(long framesTotal) {
        (bar != null ? bar : newBar()).finish(label + ": done, " + framesTotal + " frames delivered");
    }

    private ProgressBar newBar() {
        return ProgressBar.builder().setOut(out).setUnit("frames").optLabel(label).optInteractive(interactive)
                .optClock(clock::nanoTime).build();
    }
}
