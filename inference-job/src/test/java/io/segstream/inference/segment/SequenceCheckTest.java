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
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** The per-camera sequence check in Flink's keyed operator harness, with real keyed state and snapshots. */
class SequenceCheckTest {
    private static long offset;

    private static KeyedOneInputStreamOperatorTestHarness<String, Decoded<CameraFrame>, Decoded<CameraFrame>> harness()
            throws Exception {
        // serialised and back, as Flink ships the function to its task managers
        SequenceCheck shipped = InstantiationUtil.clone(new SequenceCheck());
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(shipped),
                SequenceCheck.BY_CAMERA, Types.STRING);
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

    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, Decoded<CameraFrame>, Decoded<CameraFrame>> h,
            Object... cameraSeq) throws Exception {
        for (int i = 0; i < cameraSeq.length; i += 2) {
            h.processElement(frame((String) cameraSeq[i], ((Number) cameraSeq[i + 1]).longValue()), 0);
        }
    }

    private static List<String> passed(
            KeyedOneInputStreamOperatorTestHarness<String, Decoded<CameraFrame>, Decoded<CameraFrame>> h) {
        return h.extractOutputValues().stream().map(d -> d.getRecord().getCameraId() + "#" + d.getRecord().getSeq())
                .toList();
    }

    @Test
    void repeatsAreSkippedPerCameraAndLateFramesAndRestartsPass() throws Exception {
        try (var h = harness()) {
            h.open();
            feed(h, "cam-a", 0, "cam-b", 0, "cam-a", 1, "cam-a", 1, "cam-b", 1, "cam-a", 3, "cam-a", 2, "cam-a", 2,
                    "cam-b", 0, "cam-a", 500, "cam-a", 4, "cam-a", 4, "cam-a", 5);
            // cam-a 1 and 2 repeated, cam-b 0 repeated: skipped; cam-a 2 late but new: passes; 500 -> 4 is a
            // restart (4 is more than 64 below 500): passes, and then 4 repeated is skipped
            assertEquals(List.of("cam-a#0", "cam-b#0", "cam-a#1", "cam-b#1", "cam-a#3", "cam-a#2", "cam-a#500",
                    "cam-a#4", "cam-a#5"), passed(h));
            assertEquals(2, h.numKeyedStateEntries(), "one small window per camera");
        }
    }

    @Test
    void theWindowSurvivesASnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            feed(h, "cam-a", 10, "cam-a", 11, "cam-b", 7);
            snapshot = h.snapshot(1L, 1L);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            feed(h, "cam-a", 11, "cam-b", 7, "cam-a", 12, "cam-b", 6, "cam-a", 10);
            assertEquals(List.of("cam-a#12", "cam-b#6"), passed(h), "the restored windows know 10, 11 and 7");
        }
    }
}
