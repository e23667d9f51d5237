package io.segstream.edge.uplink;

import java.util.function.LongSupplier;

/**
 * A byte budget that refills at a fixed rate up to one second's worth: the bound on how fast a backlog of masks and
 * frames goes out after an outage. A send may overdraw the budget once (a record is never split); the next waits
 * until it is positive again. Not thread-safe: the sender thread owns it.
 */
final class TokenBucket {
    private final double bytesPerNano;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    /**
     * @param bytesPerSecond the rate; 0 or less for no bound
     */
    TokenBucket(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytesPerNano = bytesPerSecond / 1e9;
        this.capacity = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    boolean unbounded() {
        return capacity <= 0;
    }

    /** Whether a send may start now. */
    boolean ready() {
        if (unbounded()) {
            return true;
        }
        refill();
        return tokens > 0;
    }

    /** Charges {@code bytes} to the budget. */
    void take(long bytes) {
        if (!unbounded()) {
            refill();
            tokens -= bytes;
        }
    }

    /** Nanoseconds until {@link #ready()}; 0 when it is already. */
    long nanosUntilReady() {
        if (ready()) {
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / bytesPerNano);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * bytesPerNano);
        last = now;
    }
}
