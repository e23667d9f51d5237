package io.segstream.ingest.camera;

import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.FrameSource;
import io.segstream.ingest.grab.FrameSources;
import io.segstream.ingest.grab.GrabbedFrame;
import io.segstream.ingest.grab.SourceException;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.replay.Pacer;
import io.segstream.ingest.sink.FrameQueue;
import io.segstream.ingest.sink.FrameSink;
import io.segstream.ingest.sink.FrameStamper;
import io.segstream.ingest.sink.OverflowPolicy;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one camera: a grab thread reads its source into a bounded {@link FrameQueue}, a send thread hands queued
 * frames to the {@link FrameSink}.
 *
 * <p>Live cameras stamp wall-clock capture times and drop their oldest queued frame when Kafka falls behind;
 * replay cameras use stream timestamps, are paced, and wait instead. A lost, timed-out or failing live source is
 * reopened with exponential back-off and jitter; when frames resume the outage is reported (log line and
 * {@link CameraMetrics#gap}). A damaged recording is reported and not retried. Errors of one camera never leave its
 * threads.
 *
 * <p>A read that hangs past the stall timeout (a stream that keeps sending undecodable data never returns from the
 * decoder) cannot be interrupted inside FFmpeg; {@link #checkStall} then leaves that connection to finish on its own
 * thread, which closes it when it returns, and opens a fresh one. At most one such connection is left at a time.
 */
public final class CameraWorker {
    private static final Logger LOG = LoggerFactory.getLogger(CameraWorker.class);

    private final CameraConfig config;
    private final FrameSink sink;
    private final CameraMetrics metrics;
    private final FrameStamper stamper;
    private final IngestClock clock;
    private final Backoff backoff;
    private final FrameQueue<CameraFrame> queue;
    private final Object emitLock = new Object();
    private final Thread sendThread;
    private volatile Thread grabThread;
    private volatile Thread abandoned;
    private volatile int generation;
    private volatile boolean running;
    /** Monotonic time the grab thread entered a source call, or -1 while it is outside one. */
    private volatile long inSourceSince = -1;
    private volatile long lastFrameNanos = -1;

    /**
     * @param seq the camera's sequence counter, kept by the caller so that it survives restarts of this camera
     */
    public CameraWorker(CameraConfig config, FrameSink sink, CameraMetrics metrics, AtomicLong seq, IngestClock clock,
            Backoff backoff) {
        this.config = config;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = backoff;
        this.stamper = new FrameStamper(config.id(), config.attributes(),
                config.mode() == CameraMode.LIVE ? null
                        : config.driveId() != null ? config.driveId() : config.source().baseName(), seq);
        this.queue = new FrameQueue<>(config.queueFrames(),
                config.mode() == CameraMode.LIVE ? OverflowPolicy.DROP_OLDEST : OverflowPolicy.BLOCK);
        this.sendThread = new Thread(this::sendLoop, "cam-" + config.id() + "-send");
        this.sendThread.setDaemon(true);
    }

    public CameraConfig config() {
        return config;
    }

    /** Starts grabbing and sending. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        sendThread.start();
        startGrabThread(0, -1);
    }

    private void startGrabThread(int gen, long outageSince) {
        Thread t = new Thread(() -> grabLoop(gen, outageSince), "cam-" + config.id() + "-grab-" + gen);
        t.setDaemon(true);
        grabThread = t;
        t.start();
    }

    private boolean active(int gen) {
        return running && generation == gen;
    }

    private void grabLoop(int gen, long outageSinceAtStart) {
        boolean live = config.mode() == CameraMode.LIVE;
        FpsLimiter limiter = new FpsLimiter(config.fpsCap());
        Pacer pacer = live ? null : new Pacer(config.pace(), clock);
        Outage outage = new Outage(outageSinceAtStart, outageSinceAtStart >= 0 ? "stalled" : null);
        Instant base = null;
        long offset = 0;
        boolean everOpened = false;
        while (active(gen)) {
            FrameSource src = null;
            try {
                inSourceSince = clock.nanoTime();
                src = FrameSources.open(config.source(), config.image());
                inSourceSince = -1;
                if (!active(gen)) {
                    break;
                }
                if (!everOpened) {
                    LOG.info("camera {}: opened {} ({} {}, {}x{}, {} fps, {} mode)", config.id(),
                            config.source().displayName(), src.info().format(), src.info().codec(), src.info().width(),
                            src.info().height(), String.format(Locale.ROOT, "%.2f", src.info().fps()),
                            config.mode().name().toLowerCase(Locale.ROOT));
                    everOpened = true;
                }
                if (base == null) {
                    base = src.info().optCreationTime().orElseGet(clock::now);
                }
                long first = -1;
                long last = -1;
                long corruptSeen = 0;
                long errorsSeen = 0;
                while (true) {
                    long callStart = clock.nanoTime();
                    inSourceSince = callStart;
                    GrabbedFrame f;
                    try {
                        f = src.next();
                    } finally {
                        inSourceSince = -1;
                        metrics.corruptFrames(src.corruptFrames() - corruptSeen);
                        metrics.decodeErrors(src.decodeErrors() - errorsSeen);
                        corruptSeen = src.corruptFrames();
                        errorsSeen = src.decodeErrors();
                    }
                    if (!active(gen)) {
                        break;
                    }
                    if (f == null) {
                        if (live) {
                            throw new SourceException(SourceException.Reason.DISCONNECTED, endOfLiveStream(callStart),
                                    0);
                        }
                        break;
                    }
                    long now = clock.nanoTime();
                    lastFrameNanos = now;
                    metrics.frameGrabbed();
                    if (outage.since >= 0) {
                        reportGap(now - outage.since, outage.cause);
                        outage.end();
                    }
                    backoff.reset();
                    metrics.state(CameraState.STREAMING);
                    if (first < 0) {
                        first = f.mediaTimeMicros();
                    }
                    last = f.mediaTimeMicros();
                    long timeline = offset + f.mediaTimeMicros();
                    if (!limiter.admit(live ? now / 1000 : timeline)) {
                        metrics.frameSkippedByFpsCap();
                        continue;
                    }
                    Instant capture;
                    if (live) {
                        capture = clock.now();
                    } else {
                        pacer.await(timeline);
                        capture = base.plusNanos(timeline * 1000);
                    }
                    if (!emit(gen, f, capture)) {
                        break;
                    }
                }
                if (!active(gen)) {
                    break;
                }
                // a recording reached its end
                if (config.loop() && first >= 0) {
                    offset += (last - first) + Math.max(src.info().frameIntervalMicros(), 1);
                    continue;
                }
                metrics.state(CameraState.FINISHED);
                LOG.info("camera {}: end of recording {} after {} frames", config.id(), config.source().displayName(),
                        metrics.grabbed());
                break;
            } catch (SourceException e) {
                inSourceSince = -1;
                if (!active(gen)) {
                    break;
                }
                metrics.lastError(e.getMessage());
                if (!live && e.reason() != SourceException.Reason.DISCONNECTED) {
                    metrics.state(CameraState.FAILED);
                    LOG.error("camera {}: {} (recordings are not retried; fix or replace the file)", config.id(),
                            e.getMessage());
                    break;
                }
                if (beginOutage(outage, e.getMessage())) {
                    LOG.warn("camera {}: {}; reconnecting", config.id(), e.getMessage());
                } else {
                    LOG.debug("camera {}: reconnect attempt {} failed: {}", config.id(), backoff.attempts(),
                            e.getMessage());
                }
                metrics.state(everOpened ? CameraState.RECONNECTING : CameraState.CONNECTING);
                if (!backOff()) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // a bug or a native failure must not kill the other cameras: report, back off, retry
                inSourceSince = -1;
                if (!active(gen)) {
                    break;
                }
                metrics.lastError(e.toString());
                metrics.state(CameraState.RECONNECTING);
                LOG.error("camera {}: unexpected failure; reopening its source", config.id(), e);
                beginOutage(outage, e.toString());
                if (!backOff()) {
                    break;
                }
            } finally {
                if (src != null) {
                    src.close();
                }
            }
        }
        if (generation == gen && (metrics.state() == CameraState.FINISHED || metrics.state() == CameraState.FAILED)) {
            // nothing more will be grabbed: let the send thread drain the queue and end
            queue.close();
        }
    }

    /** Since when frames stopped (nanos, -1 while streaming) and why; one per grab loop. */
    private static final class Outage {
        long since;
        String cause;

        Outage(long since, String cause) {
            this.since = since;
            this.cause = cause;
        }

        void end() {
            since = -1;
            cause = null;
        }
    }

    /**
     * Starts an outage unless one is under way: it began with the last frame (or now, if none came).
     *
     * @return whether this failure began the outage
     */
    private boolean beginOutage(Outage outage, String cause) {
        if (outage.since >= 0) {
            return false;
        }
        outage.since = lastFrameNanos >= 0 ? lastFrameNanos : clock.nanoTime();
        outage.cause = cause;
        return true;
    }

    /** Waits the next backoff delay before reopening the source; false when interrupted (the loop ends). */
    private boolean backOff() {
        try {
            clock.sleepNanos(backoff.next().toNanos());
        } catch (InterruptedException ie) {
            return false;
        }
        metrics.reconnectAttempted();
        return true;
    }

    /** FFmpeg reports a read timeout as the end of the stream; the time the read took tells them apart. */
    private String endOfLiveStream(long callStartNanos) {
        Duration timeout = config.source().readTimeout();
        if (clock.nanoTime() - callStartNanos >= timeout.toNanos() * 9 / 10) {
            return "no data from " + config.source().displayName() + " for " + timeout.toMillis()
                    + " ms (read timeout)";
        }
        return "stream " + config.source().displayName() + " ended";
    }

    private boolean emit(int gen, GrabbedFrame f, Instant capture) throws InterruptedException {
        synchronized (emitLock) {
            if (!active(gen)) {
                return false;
            }
            CameraFrame frame = stamper.stamp(f, capture, clock.now());
            int dropped = queue.put(frame);
            if (dropped > 0) {
                metrics.framesDropped(dropped);
            }
            return true;
        }
    }

    private void reportGap(long nanos, String cause) {
        double seconds = nanos / 1e9;
        metrics.gap(seconds);
        LOG.warn("camera {}: frames resumed after a {} s gap ({})", config.id(),
                String.format(Locale.ROOT, "%.1f", seconds), cause == null ? "source lost" : cause);
    }

    private void sendLoop() {
        FrameSink.DeliveryCallback callback = (frame, error) -> {
            if (error == null) {
                metrics.frameSent();
            } else {
                metrics.sendFailed();
                metrics.lastError("Kafka: " + error.getMessage());
                LOG.debug("camera {}: frame {} not delivered: {}", config.id(), frame.getSeq(), error.toString());
            }
        };
        while (true) {
            CameraFrame f;
            try {
                f = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (f == null) {
                if (queue.isDrained()) {
                    return;
                }
                continue;
            }
            try {
                sink.send(f, callback);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                metrics.sendFailed();
                metrics.lastError("Kafka: " + e.getMessage());
                LOG.warn("camera {}: frame {} could not be handed to Kafka: {}", config.id(), f.getSeq(), e.toString());
            }
        }
    }

    /**
     * Gives up a connection whose current read has hung longer than the stall timeout, and opens a new one.
     * Called periodically by the service's watchdog.
     */
    public void checkStall() {
        long since = inSourceSince;
        if (!running || since < 0) {
            return;
        }
        long stuckNanos = clock.nanoTime() - since;
        if (stuckNanos < config.stallTimeout().toNanos()) {
            return;
        }
        synchronized (this) {
            if (!running || inSourceSince != since) {
                return;
            }
            Thread old = abandoned;
            if (old != null && old.isAlive()) {
                metrics.state(CameraState.STALLED);
                return;
            }
            metrics.stalled();
            metrics.state(CameraState.STALLED);
            metrics.lastError("no frame for " + stuckNanos / 1_000_000_000L + " s");
            LOG.warn("camera {}: no frame for {} s although the source is open; leaving that connection and "
                    + "reconnecting",
                    config.id(), stuckNanos / 1_000_000_000L);
            abandoned = grabThread;
            generation++;
            inSourceSince = -1;
            metrics.reconnectAttempted();
            startGrabThread(generation, lastFrameNanos >= 0 ? lastFrameNanos : since);
        }
    }

    /**
     * Stops grabbing, sends what is queued, and waits up to {@code timeout} for the camera's threads. A grab thread
     * stuck inside FFmpeg is left behind (it is a daemon thread and closes its source when the read returns).
     */
    public void stop(Duration timeout) {
        beginStop();
        awaitStopped(System.nanoTime() + timeout.toNanos());
    }

    /** Signals the camera to stop: no more grabbing, the queue is closed and drains. Returns at once. */
    public synchronized void beginStop() {
        if (!running) {
            return;
        }
        running = false;
        grabThread.interrupt();
        queue.close();
    }

    /** Waits until the camera's threads ended or the deadline ({@link System#nanoTime()}) passed. */
    public void awaitStopped(long deadlineNanos) {
        join(grabThread, deadlineNanos);
        join(sendThread, deadlineNanos);
        if (sendThread.isAlive()) {
            LOG.warn("camera {}: frames still queued at shutdown were not handed to Kafka", config.id());
            sendThread.interrupt();
        }
        if (metrics.state() != CameraState.FAILED && metrics.state() != CameraState.FINISHED) {
            metrics.state(CameraState.STOPPED);
        }
    }

    private static void join(Thread t, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            t.join(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the camera is done: stopped, or its recording finished or failed and everything was sent. */
    public boolean isDone() {
        return !sendThread.isAlive() && !grabThread.isAlive();
    }
}
