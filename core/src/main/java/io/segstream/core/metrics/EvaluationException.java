package io.segstream.core.metrics;

/** Evaluation input that cannot be scored: a missing or duplicate prediction, a bad PNG, a wrong size or id. */
public class EvaluationException extends Exception {
    private static final long serialVersionUID = 1L;

    public EvaluationException(String message) {
        super(message);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
