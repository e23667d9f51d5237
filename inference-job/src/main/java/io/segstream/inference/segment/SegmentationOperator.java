package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.core.frames.FrameFailure;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segments camera frames in micro-batches with one {@link OnnxSegmenter} per subtask.
 *
 * <p>Frames are buffered up to B frames or T ms, then segmented together; the buffer is flushed before every
 * checkpoint barrier ({@link #prepareSnapshotPreBarrier}), so it never needs to be part of the state and
 * exactly-once holds. Frames whose image is bad, and batches the model fails on, become dead letters on the
 * {@link DecodedSplit#DEAD_LETTERS} side output; the job goes on. In live mode frames older than the staleness
 * bound are counted and skipped.
 *
 * <p>Metrics: {@code framesIn}, {@code masksOut}, {@code skippedStale}, {@code deadLettered},
 * {@code inferenceLatencyMs}, {@code endToEndLatencyMs}, {@code modelVersion}.
 */
public class SegmentationOperator extends AbstractStreamOperator<SegmentationMask>
        implements OneInputStreamOperator<Decoded<CameraFrame>, SegmentationMask> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationOperator.class);
    private static final int HISTOGRAM_WINDOW = 1024;

    private final SegmentationSettings settings;

    private transient OnnxSegmenter segmenter;
    private transient FrameSegmenter frames;
    private transient FrameBatcher<StreamRecord<Decoded<CameraFrame>>> batcher;
    private transient AvroCodec<CameraFrame> frameCodec;
    private transient boolean timerPending;
    private transient Counter framesIn;
    private transient Counter masksOut;
    private transient Counter skippedStale;
    private transient Counter deadLettered;
    private transient Histogram inferenceLatency;
    private transient Histogram endToEndLatency;

    public SegmentationOperator(SegmentationSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        segmenter = OnnxSegmenter.open(Path.of(settings.modelDir()),
                SegmenterOptions.fromMap(settings.segmenterSettings()));
        frames = new FrameSegmenter(segmenter, settings.rules(), settings.maskEncoding());
        batcher = new FrameBatcher<>(settings.batchSize(), settings.batchWaitMs());
        frameCodec = AvroCodec.of(CameraFrame.class);
        MetricGroup g = getMetricGroup();
        framesIn = g.counter("framesIn");
        masksOut = g.counter("masksOut");
        skippedStale = g.counter("skippedStale");
        deadLettered = g.counter("deadLettered");
        inferenceLatency = g.histogram("inferenceLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatency = g.histogram("endToEndLatencyMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        String version = frames.model().getName() + ":" + frames.model().getVersion();
        g.gauge("modelVersion", () -> version);
        LOG.info("subtask {} serves model {} on {} (batch {}, wait {} ms, {} mode)",
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), version, segmenter.provider(),
                settings.batchSize(), settings.batchWaitMs(), settings.live() ? "live" : "replay");
    }

    @Override
    public void processElement(StreamRecord<Decoded<CameraFrame>> element) throws Exception {
        framesIn.inc();
        CameraFrame frame = element.getValue().getRecord();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (settings.live() && now - frame.getCaptureTime().toEpochMilli() > settings.stalenessMs()) {
            skippedStale.inc();
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
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (batcher.isEmpty()) {
            return;
        }
        List<StreamRecord<Decoded<CameraFrame>>> batch = batcher.drain();
        List<CameraFrame> input = batch.stream().map(r -> r.getValue().getRecord()).toList();
        List<FrameOutcome> outcomes = frames.segment(input);
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

    @Override
    public void close() throws Exception {
        try {
            if (segmenter != null) {
                segmenter.close();
            }
        } finally {
            super.close();
        }
    }
}
