package io.segstream.core.progress;

/**
 * The one sentence a user reads about a failure: the first non-blank message down the cause chain, or the
 * exception's simple name when none has one. Stack traces belong in debug logs.
 *
 * <pre>{@code
 * System.err.println("segstream retrain: " + Failures.sentence(e));
 * }</pre>
 */
public final class Failures {
    private Failures() {}

    /** The sentence for {@code ex}. */
    public static String sentence(Throwable ex) {
        Throwable t = ex;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return msg.strip();
    }
}
