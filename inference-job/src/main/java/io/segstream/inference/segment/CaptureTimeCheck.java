package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.RecordTimestamps;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends frames whose capture time is not a usable time stamp (see {@link RecordTimestamps}: not after 1970, or
 * more than the allowed skew ahead of this machine's clock) to the dead-letter side output, counted in
 * {@code deadLettered}; passes the others on. A mask or alert made from such a frame would carry a time no consumer
 * can place (and, used as event time, a far-future one would carry the watermark past every other camera's frames).
 * The sinks stamp records with their send time, so no capture time can make Kafka refuse a record.
 */
public final class CaptureTimeCheck extends ProcessFunction<Decoded<CameraFrame>, Decoded<CameraFrame>> {
    /** Stage name of dead letters for frames with an unusable capture time. */
    public static final String STAGE_CAPTURE_TIME = "capture-time";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CaptureTimeCheck.class);

    private final Duration maxAhead;
    private transient Counter deadLettered;

    /** Refuses capture times more than {@code maxAhead} ahead of the clock. */
    public CaptureTimeCheck(Duration maxAhead) {
        this.maxAhead = maxAhead;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    }

    @Override
    public void processElement(Decoded<CameraFrame> decoded, Context context, Collector<Decoded<CameraFrame>> out) {
        CameraFrame frame = decoded.getRecord();
        Optional<String> problem = RecordTimestamps.problem(frame.getCaptureTime().toEpochMilli(),
                System.currentTimeMillis(), maxAhead);
        if (problem.isEmpty()) {
            out.collect(decoded);
            return;
        }
        deadLettered.inc();
        String reason = "frame of camera " + frame.getCameraId() + " seq " + frame.getSeq() + ": " + problem.get();
        LOG.warn("{} ({} such frames so far); sent to the dead-letter topic", reason, deadLettered.getCount());
        context.output(DecodedSplit.DEAD_LETTERS,
                DeadLetters.forRecord(decoded.position(), frame, STAGE_CAPTURE_TIME, reason, null));
    }

    /**
     * The event time of a record for watermarks: its capture time when usable, else the Kafka timestamp, so that
     * one frame with a broken clock cannot move the watermark past every other camera's frames.
     */
    public static long eventTime(Decoded<CameraFrame> decoded, long kafkaTimestamp, Duration maxAhead) {
        if (!decoded.isRecord()) {
            return kafkaTimestamp;
        }
        long capture = decoded.getRecord().getCaptureTime().toEpochMilli();
        return RecordTimestamps.problem(capture, System.currentTimeMillis(), maxAhead).isEmpty() ? capture
                : kafkaTimestamp;
    }
}
