package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.flink.SinkGuard;
import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRef;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The frame-time and sink guards of the poison-pill rule, through Flink's operator harness. */
class CaptureTimeCheckTest {
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private static Decoded<CameraFrame> frame(String camera, long seq, long captureMillis, long offset) {
        CameraFrame f = CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(captureMillis)).setIngestTime(Instant.now())
                .setWidth(2).setHeight(1).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[6])).setAttributes(Map.of()).build();
        return Decoded.ofRecord(new SourcePosition("frames", 0, offset, 1_700_000_000_000L), f);
    }

    @Test
    void framesWithAnUnusableCaptureTimeBecomeDeadLettersAndTheOthersPass() throws Exception {
        long now = System.currentTimeMillis();
        long year9999 = Instant.parse("9999-06-01T00:00:00Z").toEpochMilli();
        TypeSerializer<Decoded<CameraFrame>> frames = Decoded.typeInfo(CameraFrame.class)
                .createSerializer(new SerializerConfigImpl());
        try (OneInputStreamOperatorTestHarness<Decoded<CameraFrame>, Decoded<CameraFrame>> h =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new CaptureTimeCheck(TEN_MINUTES)),
                        frames)) {
            h.setup(frames);
            h.open();
            h.processElement(frame("cam-x", 0, now - 1_000, 0), 1);
            h.processElement(frame("cam-x", 1, -1, 1), 2);
            h.processElement(frame("cam-x", 2, 0, 2), 3);
            h.processElement(frame("cam-x", 3, year9999, 3), 4);
            h.processElement(frame("cam-y", 0, 1_600_000_000_000L, 4), 5);

            assertEquals(List.of("cam-x/0", "cam-y/0"), h.extractOutputValues().stream()
                    .map(d -> d.getRecord().getCameraId() + "/" + d.getRecord().getSeq()).toList());
            List<DeadLetter> dead = h.getSideOutput(DecodedSplit.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).toList();
            assertEquals(List.of(1L, 2L, 3L), dead.stream().map(DeadLetter::getSourceOffset).toList());
            for (DeadLetter d : dead) {
                assertEquals(CaptureTimeCheck.STAGE_CAPTURE_TIME, d.getStage());
                assertEquals("cam-x", d.getCameraId());
                assertEquals("frames", d.getSourceTopic());
            }
            assertTrue(dead.get(0).getReason().startsWith("frame of camera cam-x seq 1: capture time -1 ms"),
                    dead.get(0).getReason());
            assertTrue(dead.get(2).getReason().contains("9999-06-01T00:00:00Z lies"), dead.get(2).getReason());
        }
    }

    @Test
    void aFrameWithABrokenClockCannotMoveTheWatermark() {
        long kafkaTs = 1_700_000_000_000L;
        long year9999 = Instant.parse("9999-06-01T00:00:00Z").toEpochMilli();
        assertEquals(kafkaTs, CaptureTimeCheck.eventTime(frame("cam-x", 3, year9999, 3), kafkaTs, TEN_MINUTES));
        assertEquals(kafkaTs, CaptureTimeCheck.eventTime(frame("cam-x", 1, -1, 1), kafkaTs, TEN_MINUTES));
        assertEquals(1_600_000_000_000L, CaptureTimeCheck.eventTime(frame("cam-y", 0, 1_600_000_000_000L, 4),
                kafkaTs, TEN_MINUTES), "a good capture time is the event time, however old");
    }

    @Test
    void aMaskTheSinkCouldNotWriteBecomesADeadLetterNamingCameraSeqAndTopic() throws Exception {
        SegmentationMask small = mask("cam-z", 4, 10);
        SegmentationMask big = mask("cam-z", 5, 5_000);
        try (OneInputStreamOperatorTestHarness<SegmentationMask, SegmentationMask> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new SinkGuard<>(SegmentationMask.class, "segstream.masks", 1_000))) {
            h.processElement(small, 1);
            h.processElement(big, 2);
            assertEquals(List.of(small), h.extractOutputValues());
            List<DeadLetter> dead = h.getSideOutput(DecodedSplit.DEAD_LETTERS).stream()
                    .map(StreamRecord::getValue).toList();
            assertEquals(1, dead.size());
            DeadLetter d = dead.get(0);
            assertEquals(SinkGuard.STAGE_SINK, d.getStage());
            assertEquals("segstream.masks", d.getSourceTopic());
            assertEquals(-1L, d.getSourceOffset());
            assertEquals("cam-z", d.getCameraId());
            assertEquals(5L, d.getSeq());
            assertTrue(d.getReason().startsWith("SegmentationMask of camera cam-z seq 5 cannot be written to"
                    + " segstream.masks: its value is "), d.getReason());
            assertTrue(d.getReason().endsWith("bytes, over the 1000-byte record limit"), d.getReason());
        }
    }

    private static SegmentationMask mask(String camera, long seq, int maskBytes) {
        return SegmentationMask.newBuilder().setCameraId(camera).setSeq(seq).setCaptureTime(Instant.now())
                .setModel(new ModelRef("m", "1", ""))
                .setLabelSet("rail-20").setWidth(2).setHeight(1).setMaskEncoding(MaskEncoding.PNG_CLASS_IDS)
                .setMask(ByteBuffer.wrap(new byte[maskBytes])).setClassFractions(Map.of())
                .setZoneFractions(List.of()).setTimings(new StageTimings(0f, 0f, 0f, 0f, 0f)).build();
    }
}
