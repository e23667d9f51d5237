package io.segstream.edge.agent;

import java.util.Arrays;
import java.util.Locale;

/** Which camera frames the agent sends besides masks and alerts ({@code send-frames}). */
public enum FramesPolicy {
    /** None: masks and alerts only, the usual choice on a cellular uplink. */
    NONE,
    /** The frames around each raised alert, for review. */
    ALERTS,
    /** Every frame. */
    ALL;

    /** Parses {@code none}, {@code alerts} or {@code all}. */
    public static FramesPolicy parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("send-frames '" + text + "' is unknown; use one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT), e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
