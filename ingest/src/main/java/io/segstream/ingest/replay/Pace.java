package io.segstream.ingest.replay;

import java.util.Locale;

/**
 * How fast a recording is replayed: at its own rate ({@code realtime}), N times faster ({@code x4}, {@code x0.5}) or
 * as fast as the sink takes frames ({@code max}).
 *
 * @param speed playback speed relative to the recording; {@link Double#POSITIVE_INFINITY} for {@code max}
 */
public record Pace(double speed) {
    public static final Pace REALTIME = new Pace(1.0);
    public static final Pace MAX = new Pace(Double.POSITIVE_INFINITY);

    public Pace {
        if (!(speed > 0) || Double.isNaN(speed)) {
            throw new IllegalArgumentException("a replay speed must be positive, got " + speed);
        }
    }

    /** Parses {@code realtime}, {@code max} or {@code xN} (N a positive number). */
    public static Pace parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("realtime") || t.equals("x1")) {
            return REALTIME;
        }
        if (t.equals("max")) {
            return MAX;
        }
        if (t.startsWith("x")) {
            try {
                double s = Double.parseDouble(t.substring(1));
                if (s > 0 && !Double.isInfinite(s)) {
                    return new Pace(s);
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("'" + text
                + "' is not a pace; use realtime, max or xN (for example x4 or x0.5)");
    }

    /** Whether frames go out without waiting. */
    public boolean isMax() {
        return Double.isInfinite(speed);
    }

    @Override
    public String toString() {
        if (isMax()) {
            return "max";
        }
        if (speed == 1.0) {
            return "realtime";
        }
        return "x" + (speed == Math.rint(speed) ? Long.toString((long) speed) : Double.toString(speed));
    }
}
