package io.segstream.core.config;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * The limits every configuration file of segstream is read with (alert rules, cameras, alert sinks): a YAML file
 * is written by people, so it is small and shallow. {@link #requireSize} refuses a file over 1 MiB before it is
 * parsed; the parser refuses deeper nesting than {@link #MAX_NESTING}. A "billion laughs" alias bomb costs nothing:
 * Jackson's YAML parser hands an alias on as a reference and never expands it into copies (tested with the rules
 * parser), and the parser's own alias limit is set low as well.
 *
 * <pre>{@code
 * ObjectMapper yaml = SafeYaml.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
 * }</pre>
 */
public final class SafeYaml {
    /** Most aliases ({@code *name}) to collections in one file. */
    public static final int MAX_ALIASES = 20;
    /** Most characters in one file (1 MiB). */
    public static final int MAX_CODE_POINTS = 1 << 20;
    /** Deepest nesting of mappings and lists. */
    public static final int MAX_NESTING = 32;

    private SafeYaml() {}

    /** The parser settings: the limits above. */
    public static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setMaxAliasesForCollections(MAX_ALIASES);
        o.setCodePointLimit(MAX_CODE_POINTS);
        o.setNestingDepthLimit(MAX_NESTING);
        return o;
    }

    /**
     * Refuses {@code text} over {@link #MAX_CODE_POINTS} characters, naming {@code source}.
     *
     * @throws IllegalArgumentException when it is too long
     */
    public static void requireSize(String text, String source) {
        if (text.length() > MAX_CODE_POINTS) {
            throw new IllegalArgumentException(source + " has " + text.length() + " characters; a configuration file"
                    + " may have at most " + MAX_CODE_POINTS);
        }
    }

    /** A YAML parser factory with {@link #loaderOptions()}. */
    public static YAMLFactory factory() {
        return YAMLFactory.builder().loaderOptions(loaderOptions()).build();
    }

    /** A mapper builder reading with {@link #loaderOptions()}; add features, then build. */
    public static YAMLMapper.Builder builder() {
        return YAMLMapper.builder(factory());
    }
}
