package io.segstream.ingest.camera;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter for reconnects: {@code initial * multiplier^n}, capped at {@code max}, each delay
 * spread by up to {@code ±jitter} so that many cameras behind one failed switch do not reconnect in lock-step.
 * {@link #reset()} after a success. Not thread-safe (one per camera).
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final RandomGenerator random;
    private int attempts;

    /**
     * @param initial    the first delay
     * @param max        the largest delay before jitter
     * @param multiplier growth per attempt, at least 1
     * @param jitter     relative spread, 0 (none) to 1
     * @param random     the jitter's source; tests pass a seeded one
     */
    public Backoff(Duration initial, Duration max, double multiplier, double jitter, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < initial <= max, got initial " + initial + ", max "
                    + max);
        }
        if (multiplier < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("back-off needs multiplier >= 1 and jitter in [0, 1], got "
                    + multiplier + " and " + jitter);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.random = random;
    }

    /** The default for cameras: 0.5 s doubling to 30 s, ±20 % jitter. */
    public static Backoff forCameras() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), 2.0, 0.2, RandomGenerator.getDefault());
    }

    /** The delay before the next attempt; each call counts one attempt. */
    public Duration next() {
        double base = Math.min((double) maxNanos, initialNanos * Math.pow(multiplier, attempts));
        attempts++;
        double spread = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofNanos(Math.round(base * spread));
    }

    /** Starts over from the initial delay. */
    public void reset() {
        attempts = 0;
    }

    /** Attempts since the last reset. */
    public int attempts() {
        return attempts;
    }
}
