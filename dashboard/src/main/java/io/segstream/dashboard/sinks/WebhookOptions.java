package io.segstream.dashboard.sinks;

import io.segstream.schemas.AlertState;
import io.segstream.schemas.Severity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One webhook of a sinks file: where alerts go and how hard to try.
 *
 * @param url           the endpoint; each alert is one POST with a JSON body and an {@code Idempotency-Key} header
 * @param states        which alert states are sent (RAISED by default: people need the raise; a clear is opt-in)
 * @param minSeverity   alerts below this severity are not sent
 * @param timeout       per attempt
 * @param maxAttempts   attempts before the alert goes to the dead-letter log
 * @param backoff       wait after the first failed attempt; doubles after each further one
 * @param maxBackoff    the longest wait between two attempts
 * @param headers       extra request headers (an Authorization token, ...)
 * @param deadLetterLog file the alerts that could not be delivered are appended to, one JSON line each
 */
public record WebhookOptions(URI url, Set<AlertState> states, Severity minSeverity, Duration timeout,
        int maxAttempts, Duration backoff, Duration maxBackoff, Map<String, String> headers, Path deadLetterLog) {

    public WebhookOptions {
        states = Set.copyOf(states);
        headers = Map.copyOf(headers);
    }

    /** The wait before attempt {@code attempt} (2, 3, ...): backoff, then doubling, at most maxBackoff. */
    public Duration waitBefore(int attempt) {
        long millis = backoff.toMillis();
        for (int i = 2; i < attempt && millis < maxBackoff.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** Whether an alert of this state and severity goes to this webhook. */
    public boolean wants(AlertState state, Severity severity) {
        return states.contains(state) && severity.ordinal() >= minSeverity.ordinal();
    }
}
