package io.segstream.edge.agent;

import java.time.Duration;
import java.util.Objects;

/**
 * The site's alert hook: a command run with {@code sh -c} for every alert, the alert as JSON on its stdin.
 *
 * @param command   the command line, e.g. {@code cat >> /var/log/segstream/alerts.jsonl}
 * @param timeout   how long one run may take before it is killed and counted as failed
 * @param queueSize alerts waiting for the command, at most; more are dropped (counted) so the cameras never wait
 */
public record AlertHookOptions(String command, Duration timeout, int queueSize) {
    /** Ten seconds per alert. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** A thousand alerts: far more than a site raises while one command hangs for its timeout. */
    public static final int DEFAULT_QUEUE = 1000;

    public AlertHookOptions {
        if (command == null || command.isBlank()) {
            throw new IllegalArgumentException("alert-hook needs a command, e.g. alert-hook: cat >> alerts.jsonl");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("alert-hook-timeout must be positive, got " + timeout.toMillis()
                    + " ms; use e.g. 10s");
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("the alert hook's queue needs room for at least one alert");
        }
    }

    /** {@code command} with the default timeout and queue. */
    public AlertHookOptions(String command) {
        this(command, DEFAULT_TIMEOUT, DEFAULT_QUEUE);
    }
}
