package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.internal.DecodingDeserializationSchema;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DecodedTest {
    private static final AvroCodec<CameraFrame> CODEC = AvroCodec.of(CameraFrame.class);

    @Test
    void flinkSerializerCarriesRecordsAndDeadLetters() throws Exception {
        TypeSerializer<Decoded<CameraFrame>> serializer =
                Decoded.typeInfo(CameraFrame.class).createSerializer(new SerializerConfigImpl());
        Decoded<CameraFrame> good = Decoded.ofRecord(new SourcePosition("frames", 2, 41, 1000), frame(7));
        Decoded<CameraFrame> bad = Decoded.ofDeadLetter(new SourcePosition("frames", 0, 3, 999),
                DeadLetter.newBuilder().setSourceTopic("frames").setSourcePartition(0).setSourceOffset(3)
                        .setReason("the value is empty").setTime(Instant.ofEpochMilli(5)).build());

        for (Decoded<CameraFrame> original : List.of(good, bad)) {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serializer.serialize(original, out);
            Decoded<CameraFrame> copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertEquals(original, copy);
            assertEquals(original.position(), copy.position());
        }
        assertEquals(Instant.ofEpochMilli(1_000_007), serializer.copy(good).getRecord().getCaptureTime());
    }

    @Test
    void deserializerTurnsBadValuesIntoDeadLettersWithTheirPosition() {
        DecodingDeserializationSchema<CameraFrame> schema = new DecodingDeserializationSchema<>(CameraFrame.class,
                CODEC, 4);
        byte[] key = "cam-1".getBytes(StandardCharsets.UTF_8);
        List<Decoded<CameraFrame>> out = new ArrayList<>();
        Collector<Decoded<CameraFrame>> collector = new ListCollector<>(out);

        schema.deserialize(new ConsumerRecord<>("frames", 1, 10, key, CODEC.encode(frame(1))), collector);
        schema.deserialize(new ConsumerRecord<>("frames", 1, 11, key, "not avro at all".getBytes()), collector);

        assertTrue(out.get(0).isRecord());
        assertEquals(1, out.get(0).getRecord().getSeq());
        assertEquals(10, out.get(0).getOffset());
        assertFalse(out.get(1).isRecord());
        DeadLetter dead = out.get(1).getDeadLetter();
        assertEquals("frames", dead.getSourceTopic());
        assertEquals(1, dead.getSourcePartition());
        assertEquals(11, dead.getSourceOffset());
        assertEquals(DeadLetters.STAGE_DECODE, dead.getStage());
        assertTrue(dead.getReason().contains("C3 01"), dead.getReason());
        assertEquals("io.segstream.schemas.RecordDecodeException", dead.getErrorClass());
        assertEquals(ByteBuffer.wrap("not ".getBytes()), dead.getPayload(), "payload is bounded to 4 bytes");
        assertEquals(15, dead.getPayloadSize());
        assertEquals(ByteBuffer.wrap(key), dead.getKey());
    }

    static CameraFrame frame(long seq) {
        return CameraFrame.newBuilder().setCameraId("cam-1").setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_000_000 + seq)).setIngestTime(Instant.ofEpochMilli(2_000_000))
                .setWidth(2).setHeight(1).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6})).setAttributes(Map.of("track", "2"))
                .build();
    }

    private record ListCollector<T>(List<T> list) implements Collector<T> {
        @Override
        public void collect(T record) {
            list.add(record);
        }

        @Override
        public void close() {}
    }
}
