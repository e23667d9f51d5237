package io.segstream.ingest.camera;

/**
 * Caps a camera's frame rate by skipping frames: a frame passes when its time has reached the next due time, which
 * then advances by one interval. A source slower than the cap passes every frame; after a pause the schedule
 * restarts instead of letting a burst through. Not thread-safe.
 */
public final class FpsLimiter {
    private final long intervalMicros;
    private long nextDue = Long.MIN_VALUE;

    /** A limiter for {@code maxFps} frames per second; 0 or less means no cap. */
    public FpsLimiter(double maxFps) {
        this.intervalMicros = maxFps > 0 ? Math.round(1_000_000.0 / maxFps) : 0;
    }

    /** Whether the frame at {@code timeMicros} (non-decreasing) passes. */
    public boolean admit(long timeMicros) {
        if (intervalMicros == 0) {
            return true;
        }
        // a little slack: frames of a 30 fps source under a 10 fps cap arrive a hair early on every third frame
        long slack = intervalMicros / 10;
        if (nextDue != Long.MIN_VALUE && timeMicros + slack < nextDue) {
            return false;
        }
        nextDue = (nextDue == Long.MIN_VALUE || timeMicros - nextDue > intervalMicros)
                ? timeMicros + intervalMicros
                : nextDue + intervalMicros;
        return true;
    }
}
