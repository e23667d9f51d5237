package io.segstream.ingest.grab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A frame size in pixels, written {@code WIDTHxHEIGHT} in configuration and on the command line.
 *
 * @param width  pixels per row, positive
 * @param height rows, positive
 */
public record FrameSize(int width, int height) {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,5})[xX](\\d{1,5})");

    public FrameSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("a frame size needs a positive width and height, got " + width + "x"
                    + height);
        }
    }

    /** Parses {@code 1024x512}; the message says what a valid size looks like. */
    public static FrameSize parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a frame size; write WIDTHxHEIGHT, for example 1024x512");
        }
        return new FrameSize(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
