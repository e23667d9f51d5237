package io.segstream.core.alerts;

import io.segstream.schemas.Severity;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One alert rule: raise when the rule's classes cover at least {@code minFraction} of a zone in at least
 * N of the last M frames; clear when at most K of the last M' frames reach the (lower) clear fraction;
 * after a clear, stay quiet for {@code cooldownFrames} frames.
 *
 * <p>Frames are counted by seq, so a gap in seq counts as frames below every threshold (see
 * {@link AlertEngine}).
 *
 * @param id             unique id within the rules file; {@code system.} is reserved for system alerts
 * @param title          one short phrase for people, used in alert messages
 * @param severity       severity of the alerts this rule raises
 * @param classes        class names of the rules file's label set; their fractions are summed
 * @param zoneId         zone id, or null for the whole frame
 * @param minFraction    a frame counts towards raising when the classes cover at least this fraction (0..1]
 * @param debounce       raise when at least {@code atLeast} of the last {@code of} frames count
 * @param clear          clear when at most {@code atMost} of the last {@code of} frames reach {@code fraction}
 * @param cooldownFrames after a clear at seq c, no raise before seq c + cooldownFrames + 1
 * @param groups         camera groups the rule is limited to; empty = every camera
 */
public record AlertRule(
        String id,
        String title,
        Severity severity,
        List<String> classes,
        String zoneId,
        double minFraction,
        Debounce debounce,
        Clear clear,
        long cooldownFrames,
        List<String> groups) implements Serializable {

    /** Longest frame window a rule may use (the window is a 64-bit history). */
    public static final int MAX_WINDOW = 64;
    /** Longest cooldown a rule may use, in frames. */
    public static final long MAX_COOLDOWN = 1_000_000_000L;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /**
     * N-of-M debounce for raising.
     *
     * @param atLeast N: frames at or above the raise fraction needed
     * @param of      M: window length in frames
     */
    public record Debounce(int atLeast, int of) implements Serializable {
    }

    /**
     * Clear condition with hysteresis.
     *
     * @param fraction a frame still shows the condition when the classes cover at least this fraction
     * @param atMost   K: clear when at most this many of the window's frames still show it
     * @param of       window length in frames
     */
    public record Clear(double fraction, int atMost, int of) implements Serializable {
    }

    /** Checks every field; the message lists all problems, each saying what to fix. */
    public AlertRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(clear, "clear");
        title = title == null || title.isBlank() ? id : title;
        classes = List.copyOf(classes);
        groups = List.copyOf(groups);
        List<String> problems = problems(id, classes, minFraction, debounce, clear, cooldownFrames);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    private static List<String> problems(String id, List<String> classes, double minFraction, Debounce debounce,
            Clear clear, long cooldownFrames) {
        List<String> problems = new ArrayList<>();
        if (!ID.matcher(id).matches()) {
            problems.add("id '" + id + "' must start with a letter or digit and hold only letters, digits, '.', '_'"
                    + " and '-'");
        } else if (id.startsWith("system.")) {
            problems.add("id '" + id + "' starts with 'system.', which is reserved for system alerts; rename it");
        }
        if (classes.isEmpty()) {
            problems.add("'classes' is empty; name at least one class");
        }
        if (!(minFraction > 0 && minFraction <= 1)) {
            problems.add("min_fraction " + minFraction + " must be above 0 and at most 1");
        }
        if (debounce.of() < 1 || debounce.of() > MAX_WINDOW) {
            problems.add("debounce 'of' " + debounce.of() + " must be 1.." + MAX_WINDOW + " frames");
        }
        if (debounce.atLeast() < 1) {
            problems.add("debounce 'at_least' " + debounce.atLeast() + " must be at least 1");
        } else if (debounce.atLeast() > debounce.of()) {
            problems.add("debounce at_least " + debounce.atLeast() + " is more than of " + debounce.of()
                    + "; N of M needs N <= M");
        }
        if (clear.of() < 1 || clear.of() > MAX_WINDOW) {
            problems.add("clear 'of' " + clear.of() + " must be 1.." + MAX_WINDOW + " frames");
        } else if (clear.of() < debounce.of()) {
            problems.add("clear 'of' " + clear.of() + " is shorter than debounce 'of' " + debounce.of()
                    + "; the clear window must be at least as long, or a raised alert could clear while it"
                    + " would still raise");
        }
        if (clear.atMost() < 0) {
            problems.add("clear 'at_most' " + clear.atMost() + " must be 0 or more");
        } else if (clear.atMost() >= debounce.atLeast()) {
            problems.add("clear at_most " + clear.atMost() + " must be less than debounce at_least "
                    + debounce.atLeast() + ", or the alert could raise and clear on the same evidence");
        }
        if (!(clear.fraction() > 0 && clear.fraction() <= minFraction)) {
            problems.add("clear fraction " + clear.fraction() + " must be above 0 and at most min_fraction "
                    + minFraction + " (hysteresis: clearing needs less coverage than raising)");
        }
        if (cooldownFrames < 0 || cooldownFrames > MAX_COOLDOWN) {
            problems.add("cooldown_frames " + cooldownFrames + " must be 0.." + MAX_COOLDOWN);
        }
        return problems;
    }
}
