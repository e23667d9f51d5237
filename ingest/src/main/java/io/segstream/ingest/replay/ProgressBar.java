package io.segstream.ingest.replay;

import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.SourceInfo;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar for replays on stderr: bar, frames, frames/s and ETA.
 *
 * <p>On a terminal the line is redrawn in place a few times a second; otherwise (logs, CI) a plain line is printed
 * every few seconds.
 *
 * <pre>{@code replay cam-1 [##########----------]  50%  120/240 frames   45.2 frames/s  ETA 0:03}</pre>
 */
public final class ProgressBar implements ReplayListener {
    private static final int WIDTH = 20;

    private final PrintStream out;
    private final String label;
    private final IngestClock clock;
    private final boolean interactive;
    private final long intervalNanos;
    private long expected = -1;
    private long startNanos;
    private long lastDrawNanos;
    private long totalSent;
    private long lastPassFrames;
    private String lastLine = "";

    /**
     * @param out         where to draw, normally {@code System.err}
     * @param label       what is replayed, e.g. {@code replay cam-1}
     * @param interactive redraw in place ({@code \r}); false prints a new line every five seconds
     */
    public ProgressBar(PrintStream out, String label, IngestClock clock, boolean interactive) {
        this.out = out;
        this.label = label;
        this.clock = clock;
        this.interactive = interactive;
        this.intervalNanos = interactive ? 250_000_000L : 5_000_000_000L;
    }

    @Override
    public void started(SourceInfo info, long expectedFrames) {
        expected = expectedFrames;
        if (startNanos == 0) {
            startNanos = clock.nanoTime();
            lastDrawNanos = startNanos;
        }
    }

    @Override
    public void frameSent(long framesThisPass, long loopPass) {
        totalSent++;
        lastPassFrames = framesThisPass;
        long now = clock.nanoTime();
        if (now - lastDrawNanos >= intervalNanos) {
            lastDrawNanos = now;
            draw(line(now, loopPass));
        }
    }

    @Override
    public void finished(long framesTotal) {
        String done = label + ": done, " + framesTotal + " frames delivered";
        if (interactive) {
            out.print("\r" + pad(done) + "\n");
        } else {
            out.println(done);
        }
        out.flush();
    }

    /** The progress line at monotonic time {@code now}; public for tests. */
    public String line(long now, long loopPass) {
        double secs = Math.max(1e-9, (now - startNanos) / 1e9);
        double rate = totalSent / secs;
        StringBuilder sb = new StringBuilder(label).append(' ');
        if (expected > 0) {
            double frac = Math.min(1.0, lastPassFrames / (double) expected);
            int filled = (int) Math.round(frac * WIDTH);
            sb.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append(']');
            sb.append(String.format(Locale.ROOT, " %3.0f%%  %d/%d frames", frac * 100, lastPassFrames, expected));
        } else {
            sb.append(String.format(Locale.ROOT, "%d frames", lastPassFrames));
        }
        sb.append(String.format(Locale.ROOT, "  %6.1f frames/s", rate));
        if (expected > 0 && rate > 0) {
            long remaining = Math.max(0, expected - lastPassFrames);
            sb.append("  ETA ").append(MediaTime.format(Math.round(remaining / rate * 1e6)));
        }
        if (loopPass > 0) {
            sb.append("  loop ").append(loopPass + 1);
        }
        return sb.toString();
    }

    private void draw(String line) {
        if (interactive) {
            out.print("\r" + pad(line));
        } else {
            out.println(line);
        }
        out.flush();
        lastLine = line;
    }

    private String pad(String line) {
        int extra = lastLine.length() - line.length();
        return extra > 0 ? line + " ".repeat(extra) : line;
    }
}
