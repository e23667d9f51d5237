package io.segstream.core.alerts;

import java.util.List;

/** A rules file that cannot be read or does not validate; the message names the file and every problem. */
public final class AlertRulesException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public AlertRulesException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public AlertRulesException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem, without the file name. */
    public List<String> problems() {
        return problems;
    }
}
