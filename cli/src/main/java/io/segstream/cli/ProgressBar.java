package io.segstream.cli;

import io.segstream.core.scenes.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar on stderr: done/total, rate and time left, redrawn at most ten times a second. */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 28;
    private final PrintWriter err;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;
    private String lastLine = "";

    ProgressBar(PrintWriter err, String unit) {
        this.err = err;
        this.unit = unit;
    }

    @Override
    public void progress(int done, int total) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? done / secs : 0;
        double eta = rate > 0 ? (total - done) / rate : 0;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        lastLine = String.format(Locale.ROOT, "\r[%s%s] %d/%d %s  %.2f %s/s  ETA %s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), done, total, unit, rate, unit, clock(eta));
        err.print(lastLine);
        err.flush();
    }

    void finish() {
        if (!lastLine.isEmpty()) {
            err.println();
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
