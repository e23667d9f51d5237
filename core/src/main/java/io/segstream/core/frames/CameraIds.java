package io.segstream.core.frames;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for camera ids, and their escaping for log lines. A camera id names a camera in file names (edge spools,
 * exports), metric labels and log lines, so it must be a plain name: 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}
 * starting with a letter or digit (so never {@code .}, {@code ..} or a hidden file name). Frames with any other id are
 * refused with {@link #problem}'s sentence (the inference job sends them to the dead-letter topic); that sentence,
 * and any log line that must name such an id, uses {@link #escape}, which never lets a path separator pass unquoted or
 * a control character through at all.
 *
 * <pre>{@code
 * CameraIds.problem("cam-1")          // empty
 * CameraIds.problem("../../etc/x")    // "camera id \"../../etc/x\" is not ..."
 * }</pre>
 */
public final class CameraIds {
    /** Longest camera id. */
    public static final int MAX_LENGTH = 64;
    /** What a camera id must match. */
    public static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");
    /** Characters of an id that {@link #escape} shows before it cuts the rest. */
    private static final int SHOWN = 80;

    private CameraIds() {}

    /** Whether {@code id} follows the rule. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Why {@code id} is not a valid camera id, naming it escaped and the rule; empty when it is valid. */
    public static Optional<String> problem(String id) {
        if (isValid(id)) {
            return Optional.empty();
        }
        String what = id == null ? "no camera id" : id.isEmpty() ? "an empty camera id" : "camera id " + escape(id);
        return Optional.of(what + " is not a valid camera id: ids are 1 to " + MAX_LENGTH + " characters of A-Z a-z"
                + " 0-9 . _ - starting with a letter or digit (they name files, metric labels and log lines); fix the"
                + " producer's camera id");
    }

    /**
     * {@code id} in double quotes, safe for one log line: printable ASCII stays except {@code "} and {@code \}, which
     * are escaped, {@code \n \r \t} and every other character become {@code \n}, {@code \r}, {@code \t} or
     * {@code \\uXXXX}; more than 80 characters are cut, with the length said.
     */
    public static String escape(String id) {
        if (id == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(id.length(), SHOWN) + 8).append('"');
        int n = Math.min(id.length(), SHOWN);
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        sb.append('"');
        if (id.length() > SHOWN) {
            sb.append("... (").append(id.length()).append(" characters)");
        }
        return sb.toString();
    }
}
