package io.segstream.edge.agent;

import io.segstream.connectors.kafka.RecordKey;
import io.segstream.connectors.kafka.RecordTimestamps;
import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertEvent;
import io.segstream.core.alerts.FrameFractions;
import io.segstream.core.alerts.MaskFrames;
import io.segstream.core.alerts.RuleState;
import io.segstream.core.alerts.ZoneMasks;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolRecord;
import io.segstream.ingest.sink.FrameSink;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.SegmentationMask;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent does with each grabbed frame, as ingest's {@link FrameSink}: number it past earlier runs, keep its
 * capture time in order, segment it, run the alert rules, and write the mask, the alerts and (by policy) the frame to
 * the spool. Kafka is the {@link io.segstream.edge.uplink.SpoolSender}'s business, so an uplink outage never slows a
 * camera down.
 *
 * <pre>
 *   CameraFrame ─▶ seq past earlier runs (CameraSequences) ─▶ capture time in order (CaptureClock)
 *     ─▶ FrameSegmenter ─▶ SegmentationMask ─┬─▶ spool: masks
 *                                            └─▶ MaskFrames ─▶ AlertEngine ─▶ Alert ─▶ spool: alerts
 *                                                                                      (+ local log, + alert hook)
 *     ─▶ spool: frames (send-frames all, or the frames around a raised alert)
 * </pre>
 *
 * <p>Masks and alerts are the records the Flink job writes for the same frames: {@link FrameSegmenter} builds the
 * masks, {@link AlertEngine} the alerts with ids from (camera, seq, rule). Each camera's frames arrive on that camera's
 * own thread, in order; the model is shared and runs one frame at a time. A frame that fails (bad image, model error)
 * is counted and logged, and the camera goes on.
 */
final class EdgePipeline implements FrameSink {
    private static final Logger LOG = LoggerFactory.getLogger(EdgePipeline.class);
    /** Where alerts go on the device itself, so a site can act on them without the uplink. */
    private static final Logger ALERTS = LoggerFactory.getLogger("io.segstream.edge.alerts");
    /** Frames sent before and after a raised alert with {@code send-frames: alerts}. */
    static final int FRAMES_AROUND_ALERT = 3;
    private static final Duration MAX_AHEAD = RecordTimestamps.DEFAULT_MAX_AHEAD;

    /** Guards {@link #segmenter}: frames of all cameras take turns on the one model, and a swap waits for a frame. */
    private final Object modelLock = new Object();
    private FrameSegmenter segmenter;
    private final AlertEngine engine;
    private final ZoneMasks zoneMasks = ZoneMasks.shared();
    private final DiskSpool spool;
    private final CameraSequences sequences;
    private final FramesPolicy framesPolicy;
    private final EdgeCounters counters;
    private final AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
    private final AvroCodec<Alert> alertCodec = AvroCodec.of(Alert.class);
    private final AvroCodec<CameraFrame> frameCodec = AvroCodec.of(CameraFrame.class);
    private final RecordKey<SegmentationMask> maskKey = RecordKey.<SegmentationMask>defaultFor(
            SegmentationMask.getClassSchema()).orElseThrow();
    private final RecordKey<Alert> alertKey = RecordKey.<Alert>defaultFor(Alert.getClassSchema()).orElseThrow();
    private final RecordKey<CameraFrame> frameKey = RecordKey.<CameraFrame>defaultFor(CameraFrame.getClassSchema())
            .orElseThrow();
    private final Map<String, CameraState> cameras = new ConcurrentHashMap<>();
    private final AlertHook hook;

    EdgePipeline(FrameSegmenter segmenter, AlertEngine engine, DiskSpool spool, CameraSequences sequences,
            FramesPolicy framesPolicy, EdgeCounters counters) {
        this(segmenter, engine, spool, sequences, framesPolicy, counters, null);
    }

    /** As the other constructor, with the site's alert hook (null for none), which gets every alert spooled. */
    EdgePipeline(FrameSegmenter segmenter, AlertEngine engine, DiskSpool spool, CameraSequences sequences,
            FramesPolicy framesPolicy, EdgeCounters counters, AlertHook hook) {
        this.hook = hook;
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.engine = engine;
        this.spool = Objects.requireNonNull(spool, "spool");
        this.sequences = Objects.requireNonNull(sequences, "sequences");
        this.framesPolicy = Objects.requireNonNull(framesPolicy, "framesPolicy");
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    @Override
    public void send(CameraFrame frame, DeliveryCallback callback) {
        CameraState state = cameras.computeIfAbsent(frame.getCameraId(),
                id -> new CameraState(new CaptureClock(sequences.lastTime(id), System.nanoTime())));
        Exception error = null;
        synchronized (state) {
            try {
                process(frame, state);
            } catch (IOException | RuntimeException e) {
                error = e;
                counters.add(frame.getCameraId(), Count.SPOOL_WRITE_FAILURES);
                LOG.error("camera {} frame {}: could not write its records to the spool ({}); they are lost",
                        frame.getCameraId(), frame.getSeq(), e.toString());
            }
        }
        callback.completed(frame, error);
    }

    private void process(CameraFrame frame, CameraState state) throws IOException {
        String camera = frame.getCameraId();
        frame.setSeq(sequences.seq(camera, frame.getSeq()));
        CaptureClock.Stamp stamp = state.clock.stamp(frame.getCaptureTime().toEpochMilli(), System.nanoTime());
        if (stamp.jumped()) {
            counters.add(camera, Count.CLOCK_JUMPS);
            LOG.warn("camera {}: the clock went back to {} at frame {}; capture times continue from {} on the monotonic"
                    + " clock until the wall clock catches up (alert ids do not depend on time)", camera,
                    Instant.ofEpochMilli(stamp.wallMillis()), frame.getSeq(), Instant.ofEpochMilli(stamp.millis()));
        }
        frame.setCaptureTime(Instant.ofEpochMilli(stamp.millis()));
        if (!state.clock.holding()) {
            sequences.trustedTime(camera, stamp.millis());
        }
        long timestamp = timestamp(stamp.millis(), state);
        if (framesPolicy == FramesPolicy.ALL) {
            spoolFrame(frame, timestamp);
        }

        FrameOutcome outcome;
        synchronized (modelLock) {
            outcome = segmenter.segment(List.of(frame)).get(0);
        }
        if (!outcome.succeeded()) {
            counters.add(camera, Count.FRAMES_FAILED);
            long failed = counters.get(camera, Count.FRAMES_FAILED);
            if (failed <= 10 || failed % 100 == 0) {
                LOG.warn("camera {} frame {}: no mask ({} stage: {}); {} such frames so far", camera, frame.getSeq(),
                        outcome.failure().stage(), outcome.failure().reason(), failed);
            }
            return;
        }
        counters.add(camera, Count.FRAMES_SEGMENTED);
        SegmentationMask mask = outcome.mask();
        mask.getTimings().setEndToEndMs(Math.max(0, System.currentTimeMillis() - frame.getIngestTime().toEpochMilli()));
        spool.append(RecordKind.MASK, camera, timestamp, maskKey.keyOf(mask), maskCodec.encode(mask));
        counters.add(camera, Count.MASKS);

        boolean raised = false;
        if (engine != null) {
            FrameFractions fractions = MaskFrames.toFrame(mask, engine.zonesFor(camera), zoneMasks);
            for (AlertEvent event : engine.onFrame(fractions, state.rules)) {
                Alert alert = event.toAvro(mask.getModel().getVersion());
                spool.append(RecordKind.ALERT, camera, timestamp, alertKey.keyOf(alert), alertCodec.encode(alert));
                boolean raise = event.state() == AlertState.RAISED;
                counters.add(camera, raise ? Count.ALERTS_RAISED : Count.ALERTS_CLEARED);
                ALERTS.warn("{} {} [{}] {} (alert {})", camera, event.state(), event.severity(), event.message(),
                        event.alertId());
                if (hook != null) {
                    hook.offer(alert);
                }
                raised |= raise;
            }
        }
        if (framesPolicy == FramesPolicy.ALERTS) {
            if (raised) {
                for (Stored before : state.recent) {
                    spoolFrame(before.frame, before.timestamp);
                }
                state.recent.clear();
                spoolFrame(frame, timestamp);
                state.framesAfterAlert = FRAMES_AROUND_ALERT;
            } else if (state.framesAfterAlert > 0) {
                spoolFrame(frame, timestamp);
                state.framesAfterAlert--;
            } else {
                state.recent.addLast(new Stored(frame, timestamp));
                if (state.recent.size() > FRAMES_AROUND_ALERT) {
                    state.recent.removeFirst();
                }
            }
        }
    }

    /**
     * The spool record's time stamp, from which the spool's oldest undelivered age is reported: the capture time when
     * usable. The uplink does not send it as the Kafka timestamp (see {@link RecordTimestamps}).
     */
    private static long timestamp(long captureMillis, CameraState state) {
        long now = Math.max(System.currentTimeMillis(), state.clock.lastMillis());
        Long ts = RecordTimestamps.usable(captureMillis, now, MAX_AHEAD);
        return ts == null ? SpoolRecord.NO_TIMESTAMP : ts;
    }

    private void spoolFrame(CameraFrame frame, long timestamp) throws IOException {
        if (spool.append(RecordKind.FRAME, frame.getCameraId(), timestamp, frameKey.keyOf(frame),
                frameCodec.encode(frame)) != null) {
            counters.add(frame.getCameraId(), Count.FRAMES_SPOOLED);
        }
    }

    /** Puts {@code next} in service between two frames; returns the one it replaces, no longer in use. */
    FrameSegmenter swap(FrameSegmenter next) {
        synchronized (modelLock) {
            FrameSegmenter old = segmenter;
            segmenter = Objects.requireNonNull(next, "next");
            return old;
        }
    }

    /** Writes an alert about the agent itself (no camera, no frame) to the spool. */
    void systemAlert(Alert alert) throws IOException {
        spool.append(RecordKind.ALERT, "system", SpoolRecord.NO_TIMESTAMP, alertKey.keyOf(alert),
                alertCodec.encode(alert));
        ALERTS.warn("{} [{}] {}", alert.getRuleId(), alert.getSeverity(), alert.getMessage());
        if (hook != null) {
            hook.offer(alert);
        }
    }

    /** Syncs the spool: everything handed over so far is on the disk. */
    @Override
    public void flush() {
        try {
            spool.sync();
            sequences.flush();
        } catch (IOException e) {
            LOG.error("could not sync the spool: {}", e.toString());
        }
    }

    @Override
    public void close() {
        flush();
    }

    /** One camera's rule states, clock and recent frames; guarded by itself. */
    private static final class CameraState {
        final CaptureClock clock;
        final Map<String, RuleState> rules = new HashMap<>();
        final Deque<Stored> recent = new ArrayDeque<>();
        int framesAfterAlert;

        CameraState(CaptureClock clock) {
            this.clock = clock;
        }
    }

    private record Stored(CameraFrame frame, long timestamp) {}
}
