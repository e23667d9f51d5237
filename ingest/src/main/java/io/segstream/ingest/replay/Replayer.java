package io.segstream.ingest.replay;

import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.FrameSource;
import io.segstream.ingest.grab.FrameSources;
import io.segstream.ingest.grab.GrabbedFrame;
import io.segstream.ingest.grab.SourceException;
import io.segstream.ingest.grab.SourceInfo;
import io.segstream.ingest.sink.DeliveryException;
import io.segstream.ingest.sink.FrameSink;
import io.segstream.ingest.sink.FrameStamper;
import io.segstream.schemas.CameraFrame;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a recording (video file, stream URL or image sequence) into a {@link FrameSink} as one camera.
 *
 * <p>Capture times follow the recording's timestamps from its start time; sends block when the sink is full (no
 * frame of a recording is dropped); pacing follows the {@link Pace} on the injected clock. With {@code loop} the
 * recording restarts after its end and the timeline continues, so capture times and {@code seq} keep increasing.
 * Whatever happens, frames handed to the sink are flushed before {@link #run} returns or throws: a truncated file
 * delivers every frame before the damage and then fails.
 *
 * <pre>{@code
 * Replayer r = new Replayer(options, sink, IngestClock.SYSTEM);
 * ReplayResult result = r.run(new ReplayProgress(stderr, "replay cam-1", IngestClock.SYSTEM, true));
 * }</pre>
 */
public final class Replayer {
    private static final Logger LOG = LoggerFactory.getLogger(Replayer.class);

    private final ReplayOptions options;
    private final FrameSink sink;
    private final IngestClock clock;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private volatile boolean stopRequested;

    public Replayer(ReplayOptions options, FrameSink sink, IngestClock clock) {
        this.options = options;
        this.sink = sink;
        this.clock = clock;
    }

    /** Asks a running replay to stop after the current frame; {@link #run} then flushes and returns. */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Runs the replay to the end of the range (or until {@link #stop()} with {@code loop}).
     *
     * @throws SourceException   the source could not be opened, or is damaged (after its earlier frames were delivered)
     * @throws DeliveryException some frames could not be delivered to the sink
     */
    public ReplayResult run(ReplayListener listener) throws SourceException, InterruptedException, DeliveryException {
        long startNanos = clock.nanoTime();
        Pacer pacer = new Pacer(options.pace(), clock);
        FrameSink.DeliveryCallback callback = this::delivered;
        long from = options.fromMicros();
        long to = options.toMicros();
        Instant base = null;
        String driveId = null;
        FrameStamper stamper = null;
        SourceInfo info = null;
        long offset = 0;
        long passes = 0;
        long corrupt = 0;
        SourceException sourceFailure = null;
        try {
            do {
                long first = -1;
                long last = -1;
                long passFrames = 0;
                try (FrameSource src = FrameSources.open(options.source(), options.image())) {
                    info = src.info();
                    if (base == null) {
                        base = options.startTime().or(src.info()::optCreationTime).orElseGet(clock::now);
                        driveId = options.driveId().orElse(info.name());
                        stamper = new FrameStamper(options.cameraId(), options.attributes(), driveId, new AtomicLong());
                        LOG.info("replaying {} ({} {}, {}x{}, {} fps) as camera {}, drive {}, pace {}, capture times "
                                + "from {}",
                                info.description(), info.format(), info.codec(), info.width(), info.height(),
                                String.format(java.util.Locale.ROOT, "%.2f", info.fps()), options.cameraId(),
                                driveId, options.pace(), base);
                    }
                    if (from > 0) {
                        src.seek(from);
                    }
                    listener.started(info, expectedFrames(info, from, to));
                    try {
                        GrabbedFrame f;
                        while (!stopRequested && (f = src.next()) != null) {
                            long t = f.mediaTimeMicros();
                            if (t < from) {
                                continue;
                            }
                            if (to >= 0 && t > to) {
                                break;
                            }
                            if (first < 0) {
                                first = t;
                            }
                            last = t;
                            pacer.await(offset + t);
                            Instant capture = base.plusNanos((offset + t) * 1000);
                            CameraFrame frame = stamper.stamp(f, capture, clock.now());
                            sink.send(frame, callback);
                            passFrames++;
                            listener.frameSent(passFrames, passes);
                        }
                    } finally {
                        corrupt += src.corruptFrames();
                    }
                }
                passes++;
                if (first < 0) {
                    if (passes == 1 && !stopRequested) {
                        LOG.warn("{} has no frames between {} and {}", options.source().displayName(),
                                MediaTime.format(from), to < 0 ? "its end" : MediaTime.format(to));
                    }
                    break;
                }
                offset += (last - first) + Math.max(info.frameIntervalMicros(), 1);
            } while (options.loop() && !stopRequested);
        } catch (SourceException e) {
            sourceFailure = e;
        } finally {
            // frames already handed over must arrive even when the source failed half-way
            sink.flush();
            listener.finished(delivered.get());
        }
        if (failed.get() > 0) {
            // lost frames matter more than a damaged tail: report them, with the damage as context
            Exception e = firstFailure.get();
            DeliveryException d = new DeliveryException(failed.get() + " of " + (failed.get() + delivered.get())
                    + " frames of camera " + options.cameraId() + " were not delivered: "
                    + (e == null ? "unknown error" : e.getMessage()), failed.get(), e);
            if (sourceFailure != null) {
                d.addSuppressed(sourceFailure);
            }
            throw d;
        }
        if (sourceFailure != null) {
            throw sourceFailure;
        }
        double seconds = (clock.nanoTime() - startNanos) / 1e9;
        return new ReplayResult(info, driveId, delivered.get(), corrupt, passes, seconds);
    }

    private void delivered(CameraFrame frame, Exception error) {
        if (error == null) {
            delivered.incrementAndGet();
        } else {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, error);
        }
    }

    private static long expectedFrames(SourceInfo info, long from, long to) {
        if (info.durationMicros() <= 0 || info.fps() <= 0) {
            return -1;
        }
        long end = to >= 0 ? Math.min(to + info.frameIntervalMicros(), info.durationMicros()) : info.durationMicros();
        return Math.max(0, Math.round((end - from) * info.fps() / 1e6));
    }
}
