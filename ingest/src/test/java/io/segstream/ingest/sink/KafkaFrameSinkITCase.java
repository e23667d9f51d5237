package io.segstream.ingest.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.ingest.testing.KafkaFrames;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link KafkaFrameSink} against a real broker: keys, order, timestamps, failures through the callback, close. */
class KafkaFrameSinkITCase {
    /** Capture times from long ago: the Kafka timestamp must be the time of sending instead. */
    private static final Instant CAPTURED = Instant.parse("2020-05-01T08:00:00Z");
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @Test
    void framesAreKeyedByCameraInOrderAndStampedWithTheSendTime() throws Exception {
        String topic = KafkaFrames.newTopic(KAFKA.broker(), "sink-order.");
        Map<String, String> outcomes = new ConcurrentHashMap<>();
        long before = System.currentTimeMillis();
        try (KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic)) {
            assertEquals(topic, sink.topic());
            for (long seq = 0; seq < 4; seq++) {
                for (String camera : List.of("cam-1", "cam-2")) {
                    sink.send(frame(camera, seq, 16), (f, error) -> outcomes.put(f.getCameraId() + "/" + f.getSeq(),
                            error == null ? "delivered" : error.getMessage()));
                }
            }
            sink.flush();
            assertEquals(8, outcomes.size(), "every callback ran before flush returned");
            outcomes.forEach((frame, outcome) -> assertEquals("delivered", outcome, frame));
        }
        List<ReceivedRecord<CameraFrame>> records = KafkaFrames.readAll(KAFKA.broker(), topic);
        assertEquals(8, records.size());
        for (String camera : List.of("cam-1", "cam-2")) {
            assertEquals(List.of(0L, 1L, 2L, 3L),
                    KafkaFrames.ofCamera(records, camera).stream().map(CameraFrame::getSeq).toList(), camera);
            assertEquals(1, records.stream().filter(r -> camera.equals(r.keyString()))
                    .map(r -> r.position().partition()).distinct().count(), "one partition for " + camera);
        }
        for (ReceivedRecord<CameraFrame> r : records) {
            assertEquals(CAPTURED.plusMillis(r.value().getSeq()), r.value().getCaptureTime());
            assertTrue(r.position().timestamp() >= before, "Kafka timestamp " + r.position().timestamp()
                    + " is the time of sending, not the capture time");
        }
    }

    @Test
    void aFrameTheTopicRefusesFailsThroughItsCallbackNamingTheTopicAndLaterFramesGo() throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("sink-small.").optPartitions(1)
                .optConfig(TopicRole.FRAMES, "max.message.bytes", "1024").build();
        KAFKA.broker().ensureTopics(List.of(topics.spec(TopicRole.FRAMES)));
        String topic = topics.frames();
        Map<Long, Exception> errors = new ConcurrentHashMap<>();
        Map<Long, Boolean> delivered = new ConcurrentHashMap<>();
        FrameSink.DeliveryCallback callback = (f, error) -> {
            if (error == null) {
                delivered.put(f.getSeq(), true);
            } else {
                errors.put(f.getSeq(), error);
            }
        };
        try (KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic)) {
            sink.send(frame("cam-big", 0, 8 * 1024), callback);
            sink.flush();
            sink.send(frame("cam-big", 1, 16), callback);
            sink.flush();
        }
        assertEquals(List.of(0L), List.copyOf(errors.keySet()));
        String message = errors.get(0L).getMessage();
        assertTrue(message.startsWith("could not send a CameraFrame to " + topic + ": "), message);
        assertEquals(Map.of(1L, true), delivered, "the sink goes on after a refused frame");
        assertEquals(List.of(1L),
                KafkaFrames.readAll(KAFKA.broker(), topic).stream().map(r -> r.value().getSeq()).toList());
    }

    @Test
    void aClosedSinkRefusesFramesAndClosesOnce() throws Exception {
        String topic = KafkaFrames.newTopic(KAFKA.broker(), "sink-closed.");
        KafkaFrameSink sink = KafkaFrameSink.builder().setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topic)
                .optClientId("it-sink").optCloseTimeout(Duration.ofSeconds(5)).build();
        sink.close();
        sink.close();
        sink.flush();
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> sink.send(frame("cam-x", 0, 16), (f, error) -> { }));
        assertTrue(closed.getMessage().contains(topic), closed.getMessage());
    }

    @Test
    void settingsAreCheckedWithMessagesThatSayWhatToFix() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> KafkaFrameSink.builder()
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic("t").optMaxInFlightBytes(10L << 20).build());
        assertEquals("the in-flight bound must hold at least one maximal record (33 MiB), got 10485760 bytes",
                small.getMessage());
        IllegalArgumentException noTopic = assertThrows(IllegalArgumentException.class,
                () -> KafkaFrameSink.builder().setBootstrapServers(KAFKA.bootstrapServers()).build());
        assertEquals("setTopic is required, e.g. segstream.frames", noTopic.getMessage());
        IllegalArgumentException noTimeout = assertThrows(IllegalArgumentException.class, () -> KafkaFrameSink.builder()
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic("t").optCloseTimeout(null).build());
        assertEquals("optCloseTimeout must be zero or positive, got null", noTimeout.getMessage());
    }

    private static CameraFrame frame(String camera, long seq, int bytes) {
        return CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(CAPTURED.plusMillis(seq))
                .setIngestTime(CAPTURED.plusMillis(seq + 500))
                .setWidth(64).setHeight(48).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(new byte[bytes])).build();
    }
}
