package io.segstream.edge.agent;

import java.time.Instant;

/**
 * Keeps one camera's capture times moving forward when the wall clock does not: a Jetson without an RTC battery boots
 * at 1970 until NTP sets it, and NTP may also step a clock back.
 *
 * <p>A capture time is <em>trusted</em> when it is after {@link #PLAUSIBLE_AFTER} and not before the last one handed
 * out (by more than {@link #BACKWARD_TOLERANCE_MS}, so jitter of a few ms is just clamped). Otherwise the clock has
 * jumped back: the jump is reported once (the caller logs and counts it) and capture times continue from the last
 * trusted one along the monotonic clock, until the wall clock catches up with them again. Capture times handed out
 * never go backwards, so the order of a camera's masks and alerts holds; alert ids do not depend on time at all (camera,
 * seq, rule). At start-up the last trusted time of the previous run ({@code resumeFrom}) is the floor.
 *
 * <p>Not thread-safe: one camera's frames pass it in order.
 */
public final class CaptureClock {
    /** Earlier wall-clock readings are an unset clock, not a time: 2024-01-01T00:00:00Z. */
    public static final Instant PLAUSIBLE_AFTER = Instant.parse("2024-01-01T00:00:00Z");
    /** Steps back up to this are clamped silently: timestamp jitter, not a jump. */
    static final long BACKWARD_TOLERANCE_MS = 1000;

    private long lastMillis;
    private long lastNanos;
    private boolean haveLast;
    private boolean free;

    /**
     * @param resumeFrom the last trusted capture time of an earlier run (epoch ms), or 0 for none
     * @param nowNanos   the monotonic clock now
     */
    public CaptureClock(long resumeFrom, long nowNanos) {
        if (resumeFrom > PLAUSIBLE_AFTER.toEpochMilli()) {
            lastMillis = resumeFrom;
            lastNanos = nowNanos;
            haveLast = true;
        }
    }

    /**
     * The capture time to use for a frame stamped {@code captureMillis} at monotonic time {@code nowNanos}.
     */
    public Stamp stamp(long captureMillis, long nowNanos) {
        boolean plausible = captureMillis > PLAUSIBLE_AFTER.toEpochMilli();
        if (!haveLast) {
            if (!plausible) {
                // no earlier time to continue from: the floor is the best lower bound there is
                lastMillis = PLAUSIBLE_AFTER.toEpochMilli();
                lastNanos = nowNanos;
                haveLast = true;
                free = true;
                return new Stamp(lastMillis, true, captureMillis);
            }
            return accept(captureMillis, nowNanos, false);
        }
        long estimate = lastMillis + Math.max(0, (nowNanos - lastNanos) / 1_000_000);
        if (plausible && captureMillis >= lastMillis - (free ? 0 : BACKWARD_TOLERANCE_MS)) {
            if (free && captureMillis < estimate) {
                // the wall clock is still behind the time kept since the jump
                return held(estimate, nowNanos, false, captureMillis);
            }
            free = false;
            return accept(Math.max(captureMillis, lastMillis), nowNanos, false);
        }
        boolean newJump = !free;
        free = true;
        return held(Math.max(estimate, lastMillis), nowNanos, newJump, captureMillis);
    }

    private Stamp accept(long millis, long nowNanos, boolean jumped) {
        lastMillis = millis;
        lastNanos = nowNanos;
        haveLast = true;
        return new Stamp(millis, jumped, millis);
    }

    private Stamp held(long millis, long nowNanos, boolean jumped, long wall) {
        lastMillis = millis;
        lastNanos = nowNanos;
        return new Stamp(millis, jumped, wall);
    }

    /** Whether capture times currently run on the monotonic clock because the wall clock is behind. */
    public boolean holding() {
        return free;
    }

    /** The last capture time handed out (epoch ms), 0 before the first. */
    public long lastMillis() {
        return haveLast ? lastMillis : 0;
    }

    /**
     * A capture time to use.
     *
     * @param millis     the capture time, epoch ms
     * @param jumped     whether the wall clock was found to have jumped back at this frame (report it)
     * @param wallMillis what the frame's own time stamp said
     */
    public record Stamp(long millis, boolean jumped, long wallMillis) {}
}
