package io.segstream.cli;

import io.segstream.core.scenes.SceneGenerator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the {@code WIDTHxHEIGHT} sizes that several commands take. */
final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

    private Sizes() {}

    /**
     * {@code {width, height}} of {@code s}; both between {@link SceneGenerator#MIN_SIDE} and
     * {@link SceneGenerator#MAX_SIDE}.
     *
     * @param option names the option in the error, e.g. {@code --size}
     */
    static int[] parse(String s, String option) {
        Matcher m = SIZE.matcher(s == null ? "" : s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " must look like WIDTHxHEIGHT, for example 1024x512, got '"
                    + s + "'");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w < SceneGenerator.MIN_SIDE || h < SceneGenerator.MIN_SIDE || w > SceneGenerator.MAX_SIDE
                || h > SceneGenerator.MAX_SIDE) {
            throw new IllegalArgumentException(option + " " + s + " is out of range: width and height must be between "
                    + SceneGenerator.MIN_SIDE + " and " + SceneGenerator.MAX_SIDE + " pixels");
        }
        return new int[] {w, h};
    }
}
