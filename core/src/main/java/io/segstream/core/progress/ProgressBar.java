package io.segstream.core.progress;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A progress line for long work, normally on stderr: bar, percentage, done/total, rate, time left (elapsed time once
 * complete) and a caller's detail such as the loss.
 *
 * <p>On a terminal the line is redrawn in place ({@code \r}) at most four times a second; elsewhere (a log file, CI,
 * a test) a new line is printed at most every five seconds, so logs stay readable. The line at completion
 * ({@code done == total}) is drawn at once, and {@link #finish()} draws a newer state that was held back. With an
 * unknown total the line shows the count and rate only.
 *
 * <pre>{@code
 * ProgressBar bar = ProgressBar.builder().setOut(System.err).setUnit("frames").optLabel("render").build();
 * for (int i = 0; i < n; i++) {
 *     render(i);
 *     bar.update(i + 1, n);
 * }
 * bar.finish();
 * // render [##########----------]  50%  120/240 frames  40.0 frames/s  ETA 0:03
 * }</pre>
 *
 * <p>Not thread-safe: update it from the thread that does (or collects) the work.
 */
public final class ProgressBar {
    /** Redraw interval on a terminal. */
    private static final long TERMINAL_INTERVAL_NANOS = 250_000_000L;
    /** Interval between lines in a log. */
    private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;
    private static final int WIDTH = 20;

    private final PrintWriter out;
    private final String label;
    private final String unit;
    private final boolean interactive;
    private final LongSupplier clock;
    private final long intervalNanos;
    private final long startNanos;
    private final long startPosition;
    private long lastDrawNanos;
    private long done;
    private long total = -1;
    private String detail = "";
    private boolean pending;
    private boolean drawnComplete;
    private boolean lineOpen;
    private int drawnLength;
    private boolean finished;

    private ProgressBar(Builder b) {
        this.out = b.out;
        this.label = b.label;
        this.unit = b.unit;
        this.interactive = b.interactive;
        this.clock = b.clock;
        this.intervalNanos = interactive ? TERMINAL_INTERVAL_NANOS : LOG_INTERVAL_NANOS;
        this.startPosition = b.startPosition;
        this.done = b.startPosition;
        this.startNanos = clock.getAsLong();
        this.lastDrawNanos = startNanos;
    }

    /** Starts configuring a bar. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code done} of {@code total} units are finished; redraws when the interval has passed or the work is complete.
     *
     * @param total the whole amount, or negative when unknown (a live stream)
     */
    public void update(long done, long total) {
        update(done, total, "");
    }

    /**
     * As {@link #update(long, long)}, with a detail shown at the end of the line (for example
     * {@code loss 0.4213  lr 1.00e-03}).
     */
    public void update(long done, long total, String detail) {
        if (finished) {
            throw new IllegalStateException("the progress bar" + (label.isEmpty() ? "" : " '" + label + "'")
                    + " is finished; build a new one for more work");
        }
        this.done = done;
        this.total = total;
        this.detail = detail == null ? "" : detail;
        pending = true;
        long now = clock.getAsLong();
        // completion is drawn at once, but only once: an estimated total may be overrun by many units
        if ((complete() && !drawnComplete) || now - lastDrawNanos >= intervalNanos) {
            draw(now);
        }
    }

    /** Draws the newest state if it was held back and ends the line; nothing is printed if nothing was reported. */
    public void finish() {
        if (finished) {
            return;
        }
        if (pending) {
            draw(clock.getAsLong());
        }
        if (lineOpen) {
            out.println();
            out.flush();
        }
        close();
    }

    /** Replaces the line with {@code summary} (for example {@code replay cam-1: done, 240 frames delivered}). */
    public void finish(String summary) {
        if (finished) {
            return;
        }
        if (interactive) {
            out.print("\r" + pad(summary));
        } else {
            out.print(summary);
        }
        out.println();
        out.flush();
        close();
    }

    /** The line for the current state at monotonic time {@code now}. */
    String line(long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (done - startPosition) / seconds : 0;
        StringBuilder sb = new StringBuilder();
        if (!label.isEmpty()) {
            sb.append(label).append(' ');
        }
        if (total >= 0) {
            sb.append(ProgressFormat.bar(done, total, WIDTH)).append(' ').append(ProgressFormat.percent(done, total))
                    .append("  ").append(done).append('/').append(total).append(' ').append(unit);
        } else {
            sb.append(done).append(' ').append(unit);
        }
        if (seconds > 0) {
            sb.append("  ").append(ProgressFormat.rate(rate)).append(' ').append(unit).append("/s");
        }
        if (complete()) {
            sb.append("  elapsed ").append(ProgressFormat.duration(seconds));
        } else if (total >= 0 && rate > 0) {
            sb.append("  ETA ").append(ProgressFormat.duration((total - done) / rate));
        }
        if (!detail.isEmpty()) {
            sb.append("  ").append(detail);
        }
        return sb.toString();
    }

    private boolean complete() {
        return total >= 0 && done >= total;
    }

    private void draw(long now) {
        String line = line(now);
        if (interactive) {
            out.print("\r" + pad(line));
            lineOpen = true;
        } else {
            out.println(line);
        }
        out.flush();
        drawnLength = line.length();
        drawnComplete = complete();
        lastDrawNanos = now;
        pending = false;
    }

    /** Blanks what a longer earlier line would leave behind on a terminal. */
    private String pad(String line) {
        int extra = lineOpen ? drawnLength - line.length() : 0;
        return extra > 0 ? line + " ".repeat(extra) : line;
    }

    private void close() {
        finished = true;
        pending = false;
        lineOpen = false;
    }

    /** Configures a {@link ProgressBar}; {@code setOut} and {@code setUnit} are required. */
    public static final class Builder {
        private PrintWriter out;
        private String unit;
        private String label = "";
        private boolean interactive = System.console() != null;
        private LongSupplier clock = System::nanoTime;
        private long startPosition;

        private Builder() {
        }

        /** Where the line is drawn, normally the command's stderr. */
        public Builder setOut(PrintWriter out) {
            this.out = out;
            return this;
        }

        /** Where the line is drawn, normally {@code System.err}. */
        public Builder setOut(PrintStream out) {
            this.out = out == null ? null : new PrintWriter(out);
            return this;
        }

        /** What is counted, plural: {@code frames}, {@code scenes}, {@code steps}. */
        public Builder setUnit(String unit) {
            this.unit = unit;
            return this;
        }

        /** What the work is, shown first on the line (for example {@code replay cam-1}); default none. */
        public Builder optLabel(String label) {
            this.label = label;
            return this;
        }

        /**
         * Redraw one line in place (a terminal) instead of printing a line every five seconds (a log); default:
         * whether the JVM runs on a terminal ({@link System#console()}).
         */
        public Builder optInteractive(boolean interactive) {
            this.interactive = interactive;
            return this;
        }

        /** Monotonic nanoseconds for rates and redraw intervals; default {@link System#nanoTime()}. */
        public Builder optClock(LongSupplier nanoTime) {
            this.clock = nanoTime;
            return this;
        }

        /**
         * Units already done before this bar starts (a resumed run): they count for the position but not for the
         * rate or the time left; default 0.
         */
        public Builder optStartPosition(long done) {
            this.startPosition = done;
            return this;
        }

        public ProgressBar build() {
            sanityCheck();
            return new ProgressBar(this);
        }

        private void sanityCheck() {
            if (out == null) {
                throw new IllegalArgumentException("the progress bar has nowhere to draw; call setOut(stderr)");
            }
            if (unit == null || unit.isBlank()) {
                throw new IllegalArgumentException("the progress bar needs a unit; call setUnit, e.g. \"frames\"");
            }
            if (label == null) {
                throw new IllegalArgumentException("the progress bar label must not be null; leave optLabel out for none");
            }
            if (clock == null) {
                throw new IllegalArgumentException("the progress bar clock must not be null; leave optClock out for "
                        + "System.nanoTime");
            }
            if (startPosition < 0) {
                throw new IllegalArgumentException("the start position must be 0 or more, got " + startPosition);
            }
        }
    }
}
