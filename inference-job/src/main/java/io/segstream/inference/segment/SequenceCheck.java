package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.core.frames.SequenceWindow;
import io.segstream.core.frames.SequenceWindow.Step;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per camera (keyed by camera id), skips a frame whose seq that camera already sent, before it costs an inference,
 * so every (camera, seq) gets at most one mask. The rule is {@link SequenceWindow}'s: a seq within the last
 * {@value SequenceWindow#SIZE} that was seen is a repeat (a producer retry or a replayed batch); one not seen is a
 * late frame and is processed; a seq further back is a camera that restarted its counter, processed and counted.
 *
 * <p>Repeats are not dead letters: the first copy got its mask, and the dead-letter topic would fill with copies of
 * frames that were not bad. They are counted ({@code skippedDuplicates}) and summarised in the log at most once a
 * minute; restarts likewise ({@code sequenceRestarts}).
 *
 * <p>State: one highest seq and a 64-bit bitmap per camera (keyed state, so it is checkpointed and restored with the
 * job), expiring after {@link #STATE_TTL} without frames, so cameras that are gone do not keep state for ever; a
 * camera that comes back after that starts a fresh window.
 */
public final class SequenceCheck extends KeyedProcessFunction<String, Decoded<CameraFrame>, Decoded<CameraFrame>> {
    /** Keys frames by camera id. */
    public static final KeySelector<Decoded<CameraFrame>, String> BY_CAMERA = new ByCamera();
    /** How long a camera's window is kept without frames. */
    public static final Duration STATE_TTL = Duration.ofDays(1);
    /** Name of the keyed state: (highest seq, seen bitmap). */
    static final String STATE = "sequence-window";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SequenceCheck.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private transient ValueState<Tuple2<Long, Long>> window;
    private transient Counter duplicates;
    private transient Counter restarts;
    private transient CountedReport duplicateReport;
    private transient CountedReport restartReport;

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Tuple2<Long, Long>> d = new ValueStateDescriptor<>(STATE,
                Types.TUPLE(Types.LONG, Types.LONG));
        d.enableTimeToLive(StateTtlConfig.newBuilder(STATE_TTL).build());
        window = getRuntimeContext().getState(d);
        duplicates = getRuntimeContext().getMetricGroup().counter("skippedDuplicates");
        restarts = getRuntimeContext().getMetricGroup().counter("sequenceRestarts");
        duplicateReport = new CountedReport(REPORT_INTERVAL_MS,
                "repeated frames skipped (their (camera, seq) already got a mask; a producer retried or replayed)");
        restartReport = new CountedReport(REPORT_INTERVAL_MS,
                "camera seq restarts (a seq more than " + SequenceWindow.SIZE
                        + " below the camera's highest; processed)");
    }

    @Override
    public void processElement(Decoded<CameraFrame> decoded, Context context, Collector<Decoded<CameraFrame>> out)
            throws Exception {
        CameraFrame frame = decoded.getRecord();
        long seq = frame.getSeq();
        Tuple2<Long, Long> held = window.value();
        Step step = held == null ? SequenceWindow.first(seq) : new SequenceWindow(held.f0, held.f1).next(seq);
        long now = System.currentTimeMillis();
        switch (step.verdict()) {
            case DUPLICATE -> {
                duplicates.inc();
                log(duplicateReport.count("camera " + frame.getCameraId() + " seq " + seq + " (highest "
                        + step.window().highest() + ")", now));
                return;
            }
            case RESTART -> {
                restarts.inc();
                log(restartReport.count("camera " + frame.getCameraId() + " went from seq " + held.f0 + " to " + seq,
                        now));
            }
            default -> {
            }
        }
        window.update(Tuple2.of(step.window().highest(), step.window().seen()));
        out.collect(decoded);
    }

    private static void log(String line) {
        if (line != null) {
            LOG.warn("{}", line);
        }
    }

    /** The camera id of a decoded frame. */
    private static final class ByCamera implements KeySelector<Decoded<CameraFrame>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Decoded<CameraFrame> decoded) {
            return decoded.getRecord().getCameraId();
        }
    }
}
