package io.segstream.training.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: position, loss, learning rate and images per second, redrawn at most a few
 * times a second.
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long MIN_REDRAW_NANOS = 250_000_000L;

    private final PrintStream out;
    private long lastDraw;
    private boolean drawn;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** Redraws the line (unless drawn very recently and not at the last step). */
    public void update(String label, int done, int total, double loss, double learningRate, double imagesPerSecond) {
        long now = System.nanoTime();
        if (drawn && done < total && now - lastDraw < MIN_REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        drawn = true;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        StringBuilder bar = new StringBuilder(WIDTH);
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        out.print(String.format(Locale.ROOT, "\r%s [%s] %d/%d loss %.4f lr %.2e %.1f img/s   ", label, bar, done,
                total, loss, learningRate, imagesPerSecond));
        out.flush();
    }

    /** Ends the line. */
    public void finish() {
        if (drawn) {
            out.println();
            out.flush();
            drawn = false;
        }
    }
}
