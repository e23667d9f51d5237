package io.segstream.ingest.testing;

import io.segstream.ingest.clock.IngestClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A clock that only moves when told to: sleeping advances it and is recorded, so pacing is checked exactly. */
public final class ManualClock implements IngestClock {
    private final Instant epoch;
    private long nanos;
    private final List<Long> sleeps = new ArrayList<>();

    public ManualClock(Instant epoch) {
        this.epoch = epoch;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant now() {
        return epoch.plusNanos(nanos);
    }

    @Override
    public synchronized void sleepNanos(long n) {
        if (n > 0) {
            sleeps.add(n);
            nanos += n;
        }
    }

    /** Moves time forward without a sleep, as work would. */
    public synchronized void advance(long n) {
        nanos += n;
    }

    /** Every sleep so far, in nanoseconds. */
    public synchronized List<Long> sleeps() {
        return List.copyOf(sleeps);
    }

    /** The sum of all sleeps. */
    public synchronized long sleptNanos() {
        return sleeps.stream().mapToLong(Long::longValue).sum();
    }
}
