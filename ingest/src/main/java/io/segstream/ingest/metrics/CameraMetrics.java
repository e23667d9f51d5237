package io.segstream.ingest.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.LongSupplier;

/**
 * The counters and gauges of one camera: what {@code /metrics} exports and the health line prints. Thread-safe;
 * the grab and send threads of the camera update it while the metrics endpoint reads it.
 */
public final class CameraMetrics {
    private final String cameraId;
    private final LongSupplier nanoClock;
    private final AtomicLong grabbed = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong skippedByFpsCap = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong decodeErrors = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong gaps = new AtomicLong();
    private final DoubleAdder gapSeconds = new DoubleAdder();
    private final RateWindow sentRate = new RateWindow(5);
    private final long createdNanos;
    private volatile double lastGapSeconds;
    private volatile long lastFrameNanos = Long.MIN_VALUE;
    private volatile CameraState state = CameraState.CONNECTING;
    private volatile String lastError;

    /** Metrics for one camera; {@code nanoClock} is the monotonic clock used for rates and ages. */
    public CameraMetrics(String cameraId, LongSupplier nanoClock) {
        this.cameraId = cameraId;
        this.nanoClock = nanoClock;
        this.createdNanos = nanoClock.getAsLong();
    }

    public String cameraId() {
        return cameraId;
    }

    /** A frame was decoded from the source. */
    public void frameGrabbed() {
        grabbed.incrementAndGet();
        lastFrameNanos = nanoClock.getAsLong();
    }

    /** A frame reached the broker. */
    public void frameSent() {
        sent.incrementAndGet();
        sentRate.record(nanoClock.getAsLong());
    }

    /** Frames dropped because the sink could not keep up (live cameras drop the oldest). */
    public void framesDropped(long n) {
        dropped.addAndGet(n);
    }

    /** A frame was skipped to keep the camera under its fps cap. */
    public void frameSkippedByFpsCap() {
        skippedByFpsCap.incrementAndGet();
    }

    /** Frames lost to corrupt data. */
    public void corruptFrames(long n) {
        corrupt.addAndGet(n);
    }

    /** FFmpeg error messages while reading. */
    public void decodeErrors(long n) {
        decodeErrors.addAndGet(n);
    }

    /** A frame the sink failed to deliver. */
    public void sendFailed() {
        sendErrors.incrementAndGet();
    }

    /** An attempt to reopen a lost, stalled or failed source. */
    public void reconnectAttempted() {
        reconnects.incrementAndGet();
    }

    /** The stream stayed silent beyond the stall timeout. */
    public void stalled() {
        stalls.incrementAndGet();
    }

    /** Frames resumed after an outage of {@code seconds}. */
    public void gap(double seconds) {
        gaps.incrementAndGet();
        gapSeconds.add(seconds);
        lastGapSeconds = seconds;
    }

    public void state(CameraState s) {
        state = s;
    }

    public void lastError(String message) {
        lastError = message;
    }

    public CameraState state() {
        return state;
    }

    public String lastError() {
        return lastError;
    }

    public long grabbed() {
        return grabbed.get();
    }

    public long sent() {
        return sent.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long skippedByFpsCap() {
        return skippedByFpsCap.get();
    }

    public long corrupt() {
        return corrupt.get();
    }

    public long decodeErrors() {
        return decodeErrors.get();
    }

    public long sendErrors() {
        return sendErrors.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    public long stalls() {
        return stalls.get();
    }

    public long gaps() {
        return gaps.get();
    }

    public double gapSeconds() {
        return gapSeconds.sum();
    }

    public double lastGapSeconds() {
        return lastGapSeconds;
    }

    /** Frames sent per second over the last five whole seconds. */
    public double currentFps() {
        return sentRate.rate(nanoClock.getAsLong());
    }

    /** Seconds since the last grabbed frame; since the camera was added when it has none yet. */
    public double lastFrameAgeSeconds() {
        long last = lastFrameNanos;
        long ref = last == Long.MIN_VALUE ? createdNanos : last;
        return Math.max(0, nanoClock.getAsLong() - ref) / 1e9;
    }

    /** Whether any frame has been grabbed yet. */
    public boolean hasFrames() {
        return lastFrameNanos != Long.MIN_VALUE;
    }
}
