package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.core.frames.CameraIds;
import io.segstream.schemas.CameraFrame;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends frames whose camera id breaks the {@link CameraIds} rule (1 to 64 of {@code A-Z a-z 0-9 . _ -}, starting
 * with a letter or digit) to the dead-letter side output with stage {@code camera-id}, counted in
 * {@code refusedCameraIds} and logged escaped (at most once a minute); passes the others on. Everything after this
 * check may use a frame's camera id in a file name, metric label or log line as it is.
 */
public final class CameraIdCheck extends ProcessFunction<Decoded<CameraFrame>, Decoded<CameraFrame>> {
    /** Stage name of dead letters for frames whose camera id is not a valid camera id. */
    public static final String STAGE_CAMERA_ID = "camera-id";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CameraIdCheck.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private transient Counter refused;
    private transient CountedReport report;

    @Override
    public void open(OpenContext openContext) {
        refused = getRuntimeContext().getMetricGroup().counter("refusedCameraIds");
        report = new CountedReport(REPORT_INTERVAL_MS,
                "frames with an invalid camera id sent to the dead-letter topic");
    }

    @Override
    public void processElement(Decoded<CameraFrame> decoded, Context context, Collector<Decoded<CameraFrame>> out) {
        CameraFrame frame = decoded.getRecord();
        Optional<String> problem = CameraIds.problem(frame.getCameraId());
        if (problem.isEmpty()) {
            out.collect(decoded);
            return;
        }
        refused.inc();
        String reason = "frame seq " + frame.getSeq() + ": " + problem.get();
        String line = report.count(reason, System.currentTimeMillis());
        if (line != null) {
            LOG.warn("{}", line);
        }
        context.output(DecodedSplit.DEAD_LETTERS,
                DeadLetters.forRecord(decoded.position(), frame, STAGE_CAMERA_ID, reason, null));
    }
}
