package io.segstream.ingest.replay;

import io.segstream.ingest.clock.IngestClock;

/**
 * Releases frames of a recording at its own timing scaled by a {@link Pace}: frame {@code t} is due at
 * {@code start + (t - t0) / speed} on the injected clock.
 *
 * <p>A pacer that falls more than {@code maxLagNanos} behind (the sink blocked, the machine was busy) starts a new
 * timeline from the late frame instead of bursting to catch up, so downstream sees the recording's rate again.
 */
public final class Pacer {
    private final Pace pace;
    private final IngestClock clock;
    private final long maxLagNanos;
    private long startNanos;
    private long startMedia;
    private boolean started;
    private long rebases;

    /** A pacer on the given clock that rebases after falling one second behind. */
    public Pacer(Pace pace, IngestClock clock) {
        this(pace, clock, 1_000_000_000L);
    }

    public Pacer(Pace pace, IngestClock clock, long maxLagNanos) {
        this.pace = pace;
        this.clock = clock;
        this.maxLagNanos = maxLagNanos;
    }

    /** Waits until the frame at {@code mediaMicros} (a continuous, non-decreasing timeline) is due. */
    public void await(long mediaMicros) throws InterruptedException {
        if (pace.isMax()) {
            return;
        }
        long now = clock.nanoTime();
        if (!started) {
            rebase(now, mediaMicros);
            return;
        }
        long due = startNanos + Math.round((mediaMicros - startMedia) * 1000.0 / pace.speed());
        long wait = due - now;
        if (wait > 0) {
            clock.sleepNanos(wait);
        } else if (-wait > maxLagNanos || mediaMicros < startMedia) {
            rebases++;
            rebase(now, mediaMicros);
        }
    }

    private void rebase(long nowNanos, long mediaMicros) {
        startNanos = nowNanos;
        startMedia = mediaMicros;
        started = true;
    }

    /** How often the pacer fell too far behind and restarted its timeline. */
    public long rebases() {
        return rebases;
    }
}
