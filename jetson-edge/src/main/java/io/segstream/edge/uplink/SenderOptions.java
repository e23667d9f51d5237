package io.segstream.edge.uplink;

import java.time.Duration;

/**
 * How the spool is forwarded to Kafka.
 *
 * @param maxInFlightRecords records handed to the producer and not yet acknowledged, at most
 * @param maxInFlightBytes   their bytes, at most: what an outage costs in memory (the rest waits on disk)
 * @param catchUpBytesPerSecond bound on how fast masks and frames go out (a backlog after an outage drains no faster,
 *                           so live alerts and the site's other traffic keep the link); alerts are never held back;
 *                           0 for no bound
 * @param deliveryTimeout    how long the producer tries one record before it reports it failed; the sender then
 *                           starts a fresh producer and sends the record again from memory
 * @param requestTimeout     how long one request waits for the broker
 * @param metadataTimeout    how long a send may wait for the topic's metadata (uplink down at start)
 * @param minBackoff         wait before the first retry after a failure
 * @param maxBackoff         longest wait between retries while the uplink stays down
 */
public record SenderOptions(int maxInFlightRecords, long maxInFlightBytes, long catchUpBytesPerSecond,
        Duration deliveryTimeout, Duration requestTimeout, Duration metadataTimeout, Duration minBackoff,
        Duration maxBackoff) {

    public SenderOptions {
        if (maxInFlightRecords < 1 || maxInFlightBytes < 1) {
            throw new IllegalArgumentException("the sender needs room for at least one record in flight");
        }
        if (catchUpBytesPerSecond < 0) {
            throw new IllegalArgumentException("the catch-up rate must not be negative, got " + catchUpBytesPerSecond);
        }
        if (requestTimeout.toMillis() < 1 || deliveryTimeout.compareTo(requestTimeout) < 0) {
            throw new IllegalArgumentException("the delivery timeout (" + deliveryTimeout.toMillis() + " ms) must be at"
                    + " least the request timeout (" + requestTimeout.toMillis() + " ms), which must be positive");
        }
        if (metadataTimeout.toMillis() < 1 || minBackoff.isNegative() || maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("metadata timeout must be positive and 0 <= min backoff <= max backoff");
        }
    }

    /**
     * 1000 records or 16 MiB in flight, catch-up at 8 MiB/s, Kafka's 2 min delivery and 30 s request timeouts, 10 s
     * for metadata, retries after 1 s growing to 30 s.
     */
    public static SenderOptions defaults() {
        return new SenderOptions(1000, 16L << 20, 8L << 20, Duration.ofMinutes(2), Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /** A copy with another delivery and request timeout (tests make outages outlast them quickly). */
    public SenderOptions withTimeouts(Duration delivery, Duration request, Duration metadata) {
        return new SenderOptions(maxInFlightRecords, maxInFlightBytes, catchUpBytesPerSecond, delivery, request,
                metadata, minBackoff, maxBackoff);
    }

    /** A copy with another catch-up rate. */
    public SenderOptions withCatchUpBytesPerSecond(long bytesPerSecond) {
        return new SenderOptions(maxInFlightRecords, maxInFlightBytes, bytesPerSecond, deliveryTimeout,
                requestTimeout, metadataTimeout, minBackoff, maxBackoff);
    }
}
