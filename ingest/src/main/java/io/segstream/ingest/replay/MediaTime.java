package io.segstream.ingest.replay;

import io.segstream.core.progress.ProgressFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints positions in a recording: {@code 90}, {@code 90.5s}, {@code 1500ms}, {@code 1:30},
 * {@code 01:02:03.5}.
 */
public final class MediaTime {
    private static final Pattern CLOCK = Pattern.compile("(?:(\\d+):)?(\\d+):(\\d+(?:\\.\\d+)?)");
    private static final Pattern UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private MediaTime() {}

    /** Microseconds from the start of the recording. */
    public static long parseMicros(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        Matcher c = CLOCK.matcher(t);
        if (c.matches()) {
            double h = c.group(1) == null ? 0 : Double.parseDouble(c.group(1));
            double m = Double.parseDouble(c.group(2));
            double s = Double.parseDouble(c.group(3));
            return Math.round(((h * 60 + m) * 60 + s) * 1e6);
        }
        Matcher u = UNIT.matcher(t);
        if (u.matches()) {
            double v = Double.parseDouble(u.group(1));
            String unit = u.group(2) == null ? "s" : u.group(2);
            double scale = switch (unit) {
                case "ms" -> 1e3;
                case "m" -> 60e6;
                case "h" -> 3600e6;
                default -> 1e6;
            };
            return Math.round(v * scale);
        }
        throw new IllegalArgumentException("'" + text + "' is not a time in the recording; write seconds (90, 90.5s, "
                + "1500ms) or [hh:]mm:ss(.sss) (1:30, 01:02:03.5)");
    }

    /** {@code m:ss} or {@code h:mm:ss}, the way progress lines show durations. */
    public static String format(long micros) {
        return ProgressFormat.duration(micros / 1e6);
    }
}
