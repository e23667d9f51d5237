package io.segstream.inference.segment;

import io.segstream.connectors.flink.Decoded;
import io.segstream.core.frames.SequenceWindow;
import io.segstream.core.frames.SequenceWindow.Step;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per camera, skips a frame whose seq that camera already sent, before it costs an inference, so every
 * (camera, seq) gets at most one mask. The rule is {@link SequenceWindow}'s: a seq within the last
 * {@value SequenceWindow#SIZE} that was seen is a repeat (a producer retry or a replayed batch); one not seen is a
 * late frame and is processed; a seq further back is a camera that restarted its counter, processed and counted.
 *
 * <p>It runs in the source's subtask, chained to it, so frames cross no shuffle before the model (a keyed operator
 * here cost the pipeline about 13 % of its frames per second, 26.2 against 30.2 in {@code bench}: every JPEG
 * serialised once more). That is sound because frames are keyed by camera id on Kafka (the data contract): all of a
 * camera's frames come from one partition, read by one subtask at a time. Frames of one camera spread over several
 * partitions are each checked within their partition's subtask.
 *
 * <p>Repeats are not dead letters: the first copy got its mask, and the dead-letter topic would fill with copies of
 * frames that were not bad. They are counted ({@code skippedDuplicates}) and summarised in the log at most once a
 * minute; restarts likewise ({@code sequenceRestarts}).
 *
 * <p>State: one highest seq and a 64-bit bitmap per camera, checkpointed as union list state, because after a
 * restore or rescale a camera's partition may be read by any subtask: each subtask gets every camera's window and
 * keeps, per camera, the copy updated last. A camera without frames for {@link #STATE_TTL} is dropped at the next
 * checkpoint, so cameras that are gone do not keep state for ever; one that comes back starts a fresh window.
 */
public final class SequenceCheck extends ProcessFunction<Decoded<CameraFrame>, Decoded<CameraFrame>>
        implements CheckpointedFunction {
    /** How long a camera's window is kept without frames. */
    public static final Duration STATE_TTL = Duration.ofDays(1);
    /** Name of the union list state: (camera, highest seq, seen bitmap, last frame at, epoch ms). */
    static final String STATE = "sequence-windows";

    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(SequenceCheck.class);
    private static final long REPORT_INTERVAL_MS = 60_000;

    private transient Map<String, Held> windows;
    private transient ListState<Tuple4<String, Long, Long, Long>> state;
    private transient Counter duplicates;
    private transient Counter restarts;
    private transient CountedReport duplicateReport;
    private transient CountedReport restartReport;

    /** A camera's window and when it last changed. */
    private record Held(SequenceWindow window, long lastMillis) {
        /** Of two copies of one camera's window, the one updated last (the larger highest seq on a tie). */
        Held newer(Held other) {
            if (other.lastMillis != lastMillis) {
                return other.lastMillis > lastMillis ? other : this;
            }
            return other.window.highest() > window.highest() ? other : this;
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(STATE,
                Types.TUPLE(Types.STRING, Types.LONG, Types.LONG, Types.LONG)));
        windows = new HashMap<>();
        if (context.isRestored()) {
            for (Tuple4<String, Long, Long, Long> e : state.get()) {
                windows.merge(e.f0, new Held(new SequenceWindow(e.f1, e.f2), e.f3), Held::newer);
            }
        }
    }

    @Override
    public void open(OpenContext openContext) {
        duplicates = getRuntimeContext().getMetricGroup().counter("skippedDuplicates");
        restarts = getRuntimeContext().getMetricGroup().counter("sequenceRestarts");
        duplicateReport = new CountedReport(REPORT_INTERVAL_MS,
                "repeated frames skipped (their (camera, seq) already got a mask; a producer retried or replayed)");
        restartReport = new CountedReport(REPORT_INTERVAL_MS,
                "camera seq restarts (a seq more than " + SequenceWindow.SIZE
                        + " below the camera's highest; processed)");
    }

    @Override
    public void processElement(Decoded<CameraFrame> decoded, Context context, Collector<Decoded<CameraFrame>> out) {
        CameraFrame frame = decoded.getRecord();
        String camera = frame.getCameraId();
        long seq = frame.getSeq();
        Held held = windows.get(camera);
        Step step = held == null ? SequenceWindow.first(seq) : held.window().next(seq);
        long now = System.currentTimeMillis();
        switch (step.verdict()) {
            case DUPLICATE -> {
                duplicates.inc();
                log(duplicateReport.count("camera " + camera + " seq " + seq + " (highest "
                        + step.window().highest() + ")", now));
                return;
            }
            case RESTART -> {
                restarts.inc();
                log(restartReport.count("camera " + camera + " went from seq " + held.window().highest() + " to "
                        + seq, now));
            }
            default -> {
            }
        }
        windows.put(camera, new Held(step.window(), now));
        out.collect(decoded);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        long expired = System.currentTimeMillis() - STATE_TTL.toMillis();
        for (Iterator<Held> it = windows.values().iterator(); it.hasNext(); ) {
            if (it.next().lastMillis() < expired) {
                it.remove();
            }
        }
        state.clear();
        for (Map.Entry<String, Held> e : windows.entrySet()) {
            SequenceWindow w = e.getValue().window();
            state.add(Tuple4.of(e.getKey(), w.highest(), w.seen(), e.getValue().lastMillis()));
        }
    }

    /** Cameras whose window this subtask holds. */
    int cameras() {
        return windows.size();
    }

    private static void log(String line) {
        if (line != null) {
            LOG.warn("{}", line);
        }
    }
}
