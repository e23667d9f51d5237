package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.core.frames.FrameFailure;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.SegmentationMask;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments camera frames (input 1) in micro-batches with one {@link OnnxSegmenter} per subtask, and hot-swaps that
 * model when a release arrives on the broadcast models stream (input 2).
 *
 * <p><b>Frames.</b> Frames are buffered up to B frames or T ms, then segmented together; the buffer is flushed
 * before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}), so it never needs to be part of the state
 * and exactly-once holds. Frames whose image is bad, and batches the model fails on, become dead letters on the
 * {@link DecodedSplit#DEAD_LETTERS} side output, and so do frames the model gives NaN or infinite scores for (stage
 * {@code model}: no mask is made from such scores); the job goes on. In live mode frames older than the staleness
 * bound are counted and skipped. Every mask names the model (name, version, SHA-256) that made it.
 *
 * <p><b>Releases.</b> A release whose target applies to the job ({@link ReleaseTarget}) is prepared on a
 * background thread by {@link ModelPreparer} (fetch, SHA-256 and size, manifest against release and label set,
 * load, shapes, smoke run, warm-up) while frames keep flowing through the serving model. When it is ready, the
 * operator swaps it in before the next batch, so every frame is segmented wholly by one model, and closes the
 * old one. A release that fails is logged, counted and announced as a {@link SystemAlerts system alert} on the
 * {@link #SYSTEM_ALERTS} side output; the serving model stays. Releases are taken in the order they arrive, so
 * rolling back is releasing an older version again.
 *
 * <p><b>State.</b> The release being served and the releases not yet decided are kept in operator (union list)
 * state; a restored subtask fetches and verifies its release again before the first frame. A fresh start reads the
 * models topic up to where the release stream begins ({@link SegmentationSettings#startupReleases()}) and serves
 * the newest release for its target that verifies, else the configured model.
 *
 * <p>The lifecycle itself (which release to prepare, swap in, reject or ignore) is {@link ReleaseLifecycle}; this
 * operator keeps its state, polls it on a timer and turns what it decides into metrics and side outputs.
 *
 * <p>Releases carry no event time: the operator's watermark follows the frames alone.
 *
 * <p>Metrics: {@code framesIn}, {@code masksOut}, {@code skippedStale}, {@code deadLettered},
 * {@code inferenceLatencyMs}, {@code endToEndLatencyMs}, {@code batchSize}, {@code modelVersion} (a string; for
 * Prometheus {@code model.<id>.modelServing}, 1 for the serving model), {@code modelReleasesAccepted},
 * {@code modelReleasesRejected}, {@code modelReleasesIgnored} (other targets, or the model already serving).
 */
public class SegmentationOperator extends AbstractStreamOperator<SegmentationMask>
        implements TwoInputStreamOperator<Decoded<CameraFrame>, ModelRelease, SegmentationMask> {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationOperator.class);
    /** Skipped stale frames and dead letters are summarised in the log at most once a minute. */
    private static final long STALE_REPORT_INTERVAL_MS = 60_000;
    private static final int HISTOGRAM_WINDOW = 1024;
    private static final long SWAP_POLL_MS = 50;
    private static final Duration STARTUP_READ_TIMEOUT = Duration.ofSeconds(60);

    /** System alerts (rejected releases) for the alerts sink. */
    public static final OutputTag<Alert> SYSTEM_ALERTS =
            new OutputTag<>("segstream-system-alerts", new AvroTypeInfo<>(Alert.class));

    /** Operator state: the release each subtask serves (none while the configured model serves). */
    static final String SERVING_STATE = "serving-model-release";
    /** Operator state: releases received and not yet swapped in or rejected. */
    static final String PENDING_STATE = "pending-model-releases";

    private SegmentationSettings settings;

    private transient volatile ReleaseLifecycle releases;
    private transient ListState<ModelRelease> servingState;
    private transient ListState<ModelRelease> pendingState;
    private transient boolean restored;
    private transient boolean swapTimerPending;

    private transient FrameBatcher<StreamRecord<Decoded<CameraFrame>>> batcher;
    private transient AvroCodec<CameraFrame> frameCodec;
    private transient boolean timerPending;
    private transient Counter framesIn;
    private transient Counter masksOut;
    private transient Counter skippedStale;
    private transient StaleFrameReport staleReport;
    private transient CountedReport deadLetterReport;
    private transient Histogram batchSizes;
    private transient Set<String> servingGauges;
    private transient Counter deadLettered;
    private transient Counter releasesAccepted;
    private transient Counter releasesRejected;
    private transient Counter releasesIgnored;
    private transient Histogram inferenceLatency;
    private transient Histogram endToEndLatency;

    public SegmentationOperator(SegmentationSettings settings) {
        this.settings = settings;
    }

    private static ListStateDescriptor<ModelRelease> releases(String name) {
        return new ListStateDescriptor<>(name, new AvroTypeInfo<>(ModelRelease.class));
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        servingState = context.getOperatorStateStore().getUnionListState(releases(SERVING_STATE));
        pendingState = context.getOperatorStateStore().getUnionListState(releases(PENDING_STATE));
        restored = context.isRestored();
    }

    /**
     * ONNX Runtime's threads per session where the user set none: the task manager's cores shared by its slots, at
     * least one. ONNX Runtime's own default (one per physical core) gives every slot all the cores, so slots that
     * segment side by side oversubscribe them (README, Performance: 2 subtasks x 1 thread ran 1.4x the frames of
     * 1 x 2 threads on 2 cores).
     */
    static SegmentationSettings withThreadsPerSlot(SegmentationSettings settings, Configuration taskManager, int cores,
            String owner) {
        if (settings.segmenterSettings().containsKey(SegmenterOptions.INTRA_OP_THREADS.key())) {
            return settings;
        }
        int slots = Math.max(1, taskManager.get(TaskManagerOptions.NUM_TASK_SLOTS));
        int threads = Math.max(1, cores / slots);
        LOG.info("{}: ONNX Runtime on {} thread(s) per session, {} core(s) shared by {} task slot(s); set"
                + " segmenter.intra-op-threads to choose", owner, threads, cores, slots);
        return settings.withSegmenterDefault(SegmenterOptions.INTRA_OP_THREADS.key(), String.valueOf(threads));
    }

    @Override
    public void open() throws Exception {
        super.open();
        String owner = "segment subtask " + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        batcher = new FrameBatcher<>(settings.batchSize(), settings.batchWaitMs());
        frameCodec = AvroCodec.of(CameraFrame.class);
        MetricGroup g = getMetricGroup();
        framesIn = g.counter("framesIn");
        masksOut = g.counter("masksOut");
        skippedStale = g.counter("skippedStale");
        staleReport = new StaleFrameReport(STALE_REPORT_INTERVAL_MS, settings.stalenessMs());
        deadLetterReport = new CountedReport(STALE_REPORT_INTERVAL_MS,
                "frames sent to the dead-letter topic (bad image, oversized, NaN scores, failed inference)");
        deadLettered = g.counter("deadLettered");
        releasesAccepted = g.counter("modelReleasesAccepted");
        releasesRejected = g.counter("modelReleasesRejected");
        releasesIgnored = g.counter("modelReleasesIgnored");
        inferenceLatency = g.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency = g.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        // metric reporters may read the gauges before the lifecycle below exists
        g.gauge("modelVersion", () -> releases == null ? null : releases.servingId());
        batchSizes = g.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        servingGauges = new HashSet<>();

        settings = withThreadsPerSlot(settings, getRuntimeContext().getTaskManagerRuntimeInfo().getConfiguration(),
                Runtime.getRuntime().availableProcessors(), owner);
        ModelPreparer preparer = new ModelPreparer(settings, owner);
        g.gauge("modelFetchRetries", preparer::fetchRetries);
        releases = new ReleaseLifecycle(preparer, settings.targets(), new Counting());
        if (restored) {
            releases.restore(servingState.get(), pendingState.get());
        }
        // a restored subtask already decided on the releases before its checkpoint: it only reads them at a fresh start
        List<ModelRelease> startup = !restored && settings.startupReleases() != null
                ? settings.startupReleases().read(STARTUP_READ_TIMEOUT) : List.of();
        ServingModel serving = releases.start(startup);
        registerServing(serving.id());
        LOG.info("{} serves model {} on {} (batch {}, wait {} ms, {} mode, release targets {})", owner, serving,
                serving.segmenter().provider(), settings.batchSize(), settings.batchWaitMs(),
                settings.live() ? "live" : "replay", settings.targets());
        releases.startNextPreparation();
        scheduleSwapPoll();
    }

    // ---------------------------------------------------------------- frames

    @Override
    public void processElement1(StreamRecord<Decoded<CameraFrame>> element) throws Exception {
        framesIn.inc();
        CameraFrame frame = element.getValue().getRecord();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long age = now - frame.getCaptureTime().toEpochMilli();
        if (settings.live() && age > settings.stalenessMs()) {
            skippedStale.inc();
            String report = staleReport.skipped(frame.getCameraId(), frame.getSeq(), age, now);
            if (report != null) {
                LOG.warn("{}", report);
            }
            return;
        }
        if (batcher.add(element, now)) {
            flush();
        } else if (!timerPending) {
            scheduleTimer();
        }
    }

    private void scheduleTimer() {
        timerPending = true;
        getProcessingTimeService().registerTimer(batcher.deadline(), this::onTimer);
    }

    private void onTimer(long time) {
        timerPending = false;
        if (batcher.due(time)) {
            flush();
        } else if (!batcher.isEmpty()) {
            // the batch this timer was for is gone; a newer one started later
            scheduleTimer();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
        emitSystemAlerts();
    }

    @Override
    public void finish() throws Exception {
        flush();
        emitSystemAlerts();
        super.finish();
    }

    private void flush() {
        // a model that finished warming up takes over here, between two batches
        releases.applyPrepared();
        if (batcher.isEmpty()) {
            return;
        }
        List<StreamRecord<Decoded<CameraFrame>>> batch = batcher.drain();
        batchSizes.update(batch.size());
        List<CameraFrame> input = batch.stream().map(r -> r.getValue().getRecord()).toList();
        List<FrameOutcome> outcomes = releases.serving().frames().segment(input);
        long now = System.currentTimeMillis();
        for (int i = 0; i < outcomes.size(); i++) {
            FrameOutcome o = outcomes.get(i);
            StreamRecord<Decoded<CameraFrame>> in = batch.get(i);
            if (o.succeeded()) {
                SegmentationMask mask = o.mask();
                float e2e = Math.max(0, now - o.frame().getIngestTime().toEpochMilli());
                mask.getTimings().setEndToEndMs(e2e);
                inferenceLatency.update(Math.round(mask.getTimings().getInferMs()));
                endToEndLatency.update(Math.round(e2e));
                masksOut.inc();
                output.collect(in.replace(mask));
            } else {
                deadLettered.inc();
                String line = deadLetterReport.count(o.failure().reason() + " (stage " + o.failure().stage() + ")",
                        now);
                if (line != null) {
                    LOG.warn("{}", line);
                }
                output.collect(DecodedSplit.DEAD_LETTERS, new StreamRecord<>(deadLetter(in.getValue(), o.failure()),
                        in.getTimestamp()));
            }
        }
    }

    private DeadLetter deadLetter(Decoded<CameraFrame> in, FrameFailure failure) {
        CameraFrame f = in.getRecord();
        byte[] payload = frameCodec.encode(f);
        return DeadLetters.of(in.position(), f.getCameraId().getBytes(StandardCharsets.UTF_8), payload,
                        failure.stage(), failure.reason(), failure.error(), DeadLetters.DEFAULT_MAX_PAYLOAD_BYTES)
                .setCameraId(f.getCameraId())
                .setSeq(f.getSeq())
                .build();
    }

    // ---------------------------------------------------------------- releases

    @Override
    public void processElement2(StreamRecord<ModelRelease> element) {
        releases.offer(element.getValue());
        scheduleSwapPoll();
    }

    /** Counts the lifecycle's decisions and logs each swap. */
    private final class Counting implements ReleaseLifecycle.Listener {
        @Override
        public void accepted() {
            releasesAccepted.inc();
        }

        @Override
        public void rejected() {
            releasesRejected.inc();
        }

        @Override
        public void ignored() {
            releasesIgnored.inc();
        }

        @Override
        public void swapped(ServingModel old, ServingModel next) {
            registerServing(next.id());
            LOG.info("subtask {} swapped model {} for {} between two frames",
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), old.id(), next.id());
        }
    }

    /**
     * A numeric "which model serves" metric, labelled by model: Prometheus drops the string gauge
     * {@code modelVersion}, so {@code model_modelServing{model="name:version"}} is 1 for the serving model and 0 for
     * those it replaced.
     */
    private void registerServing(String id) {
        if (servingGauges.add(id)) {
            getMetricGroup().addGroup("model", id)
                    .gauge("modelServing", () -> id.equals(releases.servingId()) ? 1 : 0);
        }
    }

    private void emitSystemAlerts() {
        for (Alert a : releases.drainAlerts()) {
            output.collect(SYSTEM_ALERTS, new StreamRecord<>(a, a.getCaptureTime().toEpochMilli()));
        }
    }

    /** Polls the preparation while one runs, and emits alerts, also when no frames arrive. */
    private void scheduleSwapPoll() {
        if (!swapTimerPending && (releases.preparation() != null || releases.hasAlerts())) {
            swapTimerPending = true;
            getProcessingTimeService().registerTimer(
                    getProcessingTimeService().getCurrentProcessingTime() + SWAP_POLL_MS, t -> {
                        swapTimerPending = false;
                        releases.applyPrepared();
                        emitSystemAlerts();
                        scheduleSwapPoll();
                    });
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        servingState.update(releases.servingToSnapshot());
        pendingState.update(releases.pendingToSnapshot());
    }

    // ---------------------------------------------------------------- watermarks follow the frames

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // releases have no event time
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        if (index == 0) {
            processWatermarkStatus(status);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() throws Exception {
        try {
            if (releases != null) {
                releases.close();
            }
        } finally {
            super.close();
        }
    }
}
