package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * The sequence check in Flink's operator harness, with real union list state, snapshots, and restores at another
 * parallelism (a camera's partition read by another subtask after a rescale).
 */
class SequenceCheckTest {
    private static final int MAX_PARALLELISM = 128;
    private static long offset;

    private static OneInputStreamOperatorTestHarness<Decoded<CameraFrame>, Decoded<CameraFrame>> harness(
            int parallelism, int subtask) throws Exception {
        // serialised and back, as Flink ships the function to its task managers
        SequenceCheck shipped = InstantiationUtil.clone(new SequenceCheck());
        var h = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(shipped), MAX_PARALLELISM, parallelism,
                subtask);
        // the job's own type for the frames (Avro records inside), not a Kryo guess
        h.setup(Decoded.typeInfo(CameraFrame.class).createSerializer(h.getExecutionConfig().getSerializerConfig()));
        return h;
    }

    private static Decoded<CameraFrame> frame(String camera, long seq) {
        CameraFrame f = CameraFrame.newBuilder().setCameraId(camera).setSeq(seq).setCaptureTime(Instant.EPOCH)
                .setIngestTime(Instant.EPOCH).setWidth(1).setHeight(1).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[3])).setAttributes(Map.of()).build();
        return Decoded.ofRecord(new SourcePosition("frames", 0, offset++, 0), f);
    }

    private static void feed(OneInputStreamOperatorTestHarness<Decoded<CameraFrame>, Decoded<CameraFrame>> h,
            Object... cameraSeq) throws Exception {
        for (int i = 0; i < cameraSeq.length; i += 2) {
            h.processElement(frame((String) cameraSeq[i], ((Number) cameraSeq[i + 1]).longValue()), 0);
        }
    }

    private static List<String> passed(OneInputStreamOperatorTestHarness<Decoded<CameraFrame>, Decoded<CameraFrame>> h) {
        return h.extractOutputValues().stream().map(d -> d.getRecord().getCameraId() + "#" + d.getRecord().getSeq())
                .toList();
    }

    private static SequenceCheck check(OneInputStreamOperatorTestHarness<Decoded<CameraFrame>, Decoded<CameraFrame>> h) {
        return (SequenceCheck) ((ProcessOperator<?, ?>) h.getOneInputOperator()).getUserFunction();
    }

    @Test
    void repeatsAreSkippedPerCameraAndLateFramesAndRestartsPass() throws Exception {
        try (var h = harness(1, 0)) {
            h.open();
            feed(h, "cam-a", 0, "cam-b", 0, "cam-a", 1, "cam-a", 1, "cam-b", 1, "cam-a", 3, "cam-a", 2, "cam-a", 2,
                    "cam-b", 0, "cam-a", 500, "cam-a", 4, "cam-a", 4, "cam-a", 5);
            // cam-a 1 and 2 repeated, cam-b 0 repeated: skipped; cam-a 2 late but new: passes; 500 -> 4 is a
            // restart (4 is more than 64 below 500): passes, and then 4 repeated is skipped
            assertEquals(List.of("cam-a#0", "cam-b#0", "cam-a#1", "cam-b#1", "cam-a#3", "cam-a#2", "cam-a#500",
                    "cam-a#4", "cam-a#5"), passed(h));
            assertEquals(2, check(h).cameras(), "one small window per camera");
        }
    }

    @Test
    void theWindowSurvivesASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(1, 0)) {
            h.open();
            feed(h, "cam-a", 10, "cam-a", 11, "cam-b", 7);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness(1, 0)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, "cam-a", 11, "cam-b", 7, "cam-a", 12, "cam-b", 6, "cam-a", 10);
            assertEquals(List.of("cam-a#12", "cam-b#6"), passed(h), "the restored windows know 10, 11 and 7");
        }
    }

    @Test
    void afterARescaleEverySubtaskKnowsEveryCameraAndKeepsTheNewestCopy() throws Exception {
        // parallelism 2: subtask 0 reads cam-a's partition, subtask 1 cam-b's
        OperatorSubtaskState first0;
        OperatorSubtaskState first1;
        try (var s0 = harness(2, 0); var s1 = harness(2, 1)) {
            s0.open();
            s1.open();
            feed(s0, "cam-a", 10, "cam-a", 11);
            feed(s1, "cam-b", 7);
            first0 = s0.snapshot(1L, 1L);
            first1 = s1.snapshot(1L, 1L);
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(first0, first1);

        // rescaled to 1: the one subtask reads both partitions
        try (var h = harness(1, 0)) {
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 1,
                    0));
            h.open();
            feed(h, "cam-a", 11, "cam-b", 7, "cam-a", 12);
            assertEquals(List.of("cam-a#12"), passed(h), "both cameras' windows arrived");
        }

        // restored at 2 with the partitions swapped: subtask 1 now reads cam-a and moves its window on to 40, while
        // its stale copy of cam-b (7) stays behind; subtask 0 reads cam-b up to 9 and holds a stale cam-a (11)
        OperatorSubtaskState second0;
        OperatorSubtaskState second1;
        try (var s0 = harness(2, 0); var s1 = harness(2, 1)) {
            s0.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 2,
                    0));
            s1.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(both, MAX_PARALLELISM, 2, 2,
                    1));
            s0.open();
            s1.open();
            feed(s1, "cam-a", 11, "cam-a", 40);
            feed(s0, "cam-b", 7, "cam-b", 9);
            assertEquals(List.of("cam-a#40"), passed(s1), "subtask 1 knew cam-a's 11");
            assertEquals(List.of("cam-b#9"), passed(s0), "subtask 0 knew cam-b's 7");
            second0 = s0.snapshot(2L, 2L);
            second1 = s1.snapshot(2L, 2L);
        }
        // back to 1: for each camera the copy updated last wins over the stale one
        try (var h = harness(1, 0)) {
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    AbstractStreamOperatorTestHarness.repackageState(second0, second1), MAX_PARALLELISM, 2, 1, 0));
            h.open();
            feed(h, "cam-a", 40, "cam-b", 9, "cam-a", 39, "cam-b", 8);
            assertEquals(List.of("cam-a#39", "cam-b#8"), passed(h),
                    "40 and 9 are known repeats (the stale copies, 11 and 7, would let them through); 39 and 8 are late");
            assertEquals(2, check(h).cameras());
        }
    }
}
