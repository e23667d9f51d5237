package io.segstream.core.progress;

import java.util.Locale;

/** Formats the parts of a progress line: the bar, the percentage, rates and durations. */
public final class ProgressFormat {
    private ProgressFormat() {
    }

    /**
     * A rate with as many decimals as its size needs to stay readable: {@code 1234}, {@code 45.2}, {@code 3.14},
     * {@code 0.125}; slow work (a few steps a minute) would read {@code 0.00} with a fixed two decimals.
     */
    public static String rate(double perSecond) {
        double a = Math.abs(perSecond);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, perSecond);
    }

    /** Whole seconds as {@code m:ss} or, from an hour on, {@code h:mm:ss}; negative counts as zero. */
    public static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        long h = s / 3600;
        long m = (s / 60) % 60;
        long sec = s % 60;
        return h > 0
                ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /**
     * A bar of {@code width} cells between brackets, {@code #} for done and {@code -} for left; a cell is filled
     * only once its whole share is done, so the bar is full exactly at the end.
     */
    public static String bar(long done, long total, int width) {
        int filled = (int) share(done, total, width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** The share done in whole percent, rounded down and right-aligned in four characters ({@code " 66%"}). */
    public static String percent(long done, long total) {
        return String.format(Locale.ROOT, "%3d%%", share(done, total, 100));
    }

    /** {@code parts * done / total} rounded down, in whole numbers (0.29 * 100 is 28.999... in doubles). */
    private static long share(long done, long total, int parts) {
        if (total <= 0) {
            return parts;
        }
        long d = Math.min(total, Math.max(0, done));
        return parts * d / total;
    }
}
