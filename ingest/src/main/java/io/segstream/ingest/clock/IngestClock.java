package io.segstream.ingest.clock;

import java.time.Instant;

/**
 * Time as ingest sees it: a monotonic tick for pacing and rates, the wall clock for capture times, and sleeping.
 *
 * <p>Injected everywhere time matters, so pacing, back-off and rates are tested against a manual clock instead of
 * the wall clock.
 */
public interface IngestClock {
    /** The system clock. */
    IngestClock SYSTEM = new IngestClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleepNanos(long nanos) throws InterruptedException {
            if (nanos > 0) {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        }
    };

    /** Monotonic nanoseconds; only differences mean something. */
    long nanoTime();

    /** The wall clock. */
    Instant now();

    /** Sleeps (interruptibly) for the given nanoseconds; returns at once for zero or less. */
    void sleepNanos(long nanos) throws InterruptedException;
}
