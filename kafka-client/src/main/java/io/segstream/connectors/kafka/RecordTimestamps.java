package io.segstream.connectors.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rule for time stamps that travel as Kafka record timestamps: capture times of frames and the timestamps the
 * job's sinks write.
 *
 * <p>A usable time stamp is after the epoch (1970-01-01T00:00:00Z; zero means "never set", negative ones come from
 * broken clocks) and at most {@link #DEFAULT_MAX_AHEAD} (or the caller's bound) ahead of this machine's clock. The
 * producer refuses negative timestamps outright, and a Kafka 4 broker refuses records whose timestamp lies more
 * than {@code log.message.timestamp.after.max.ms} (one hour by default) in the future, failing the whole batch.
 * Old time stamps are fine: recorded drives are replayed with their original capture times.
 */
public final class RecordTimestamps {
    /** How far ahead of this machine's clock a time stamp may be: camera clocks drift, but not by an hour. */
    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofMinutes(10);

    private RecordTimestamps() {}

    /**
     * What is wrong with {@code epochMillis} as a record timestamp, as a sentence naming the value and the bound;
     * empty when it is usable.
     *
     * @param nowMillis this machine's clock
     * @param maxAhead  how far ahead of {@code nowMillis} a time stamp may be
     */
    public static Optional<String> problem(long epochMillis, long nowMillis, Duration maxAhead) {
        if (epochMillis <= 0) {
            return Optional.of("capture time " + epochMillis + " ms (" + describe(epochMillis) + ") is not after"
                    + " 1970-01-01T00:00:00Z: the camera's clock is unset or broken");
        }
        long ahead = epochMillis - nowMillis;
        if (ahead > maxAhead.toMillis()) {
            return Optional.of("capture time " + describe(epochMillis) + " lies " + Duration.ofMillis(ahead)
                    .toSeconds() + " s ahead of this machine's clock, more than the " + maxAhead.toSeconds()
                    + " s allowed (Kafka brokers refuse records far in the future); fix the camera's clock");
        }
        return Optional.empty();
    }

    /**
     * {@code timestamp} when it is a usable record timestamp, else null, so that the producer stamps the record
     * with its send time instead of refusing it.
     */
    public static Long forKafka(Long timestamp, long nowMillis, Duration maxAhead) {
        if (timestamp == null || problem(timestamp, nowMillis, maxAhead).isPresent()) {
            return null;
        }
        return timestamp;
    }

    private static String describe(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
