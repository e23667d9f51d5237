package io.segstream.connectors.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rule for capture times: which ones are usable time stamps for event time, watermarks and spool ages.
 *
 * <p>A usable time stamp is after the epoch (1970-01-01T00:00:00Z; zero means "never set", negative ones come from
 * broken clocks) and at most {@link #DEFAULT_MAX_AHEAD} (or the caller's bound) ahead of this machine's clock. Old
 * time stamps are usable: recorded drives are replayed with their original capture times.
 *
 * <p>Capture times are not Kafka record timestamps of what segstream writes: its sinks and the edge uplink stamp
 * records with their send time, because a broker deletes records by timestamp (a drive recorded last month, stamped
 * with its capture times, would be gone at the next retention check of a topic that keeps a day), refuses negative
 * ones and, as a Kafka 4 broker does by default, those more than an hour in the future.
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

    /** {@code timestamp} when it is usable, else null. */
    public static Long usable(Long timestamp, long nowMillis, Duration maxAhead) {
        if (timestamp == null || problem(timestamp, nowMillis, maxAhead).isPresent()) {
            return null;
        }
        return timestamp;
    }

    private static String describe(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
