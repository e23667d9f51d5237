package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segstream.connectors.flink.internal.AvroRecordSerializationSchema;
import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The sinks' serializer never hands the producer a record it would refuse. */
class AvroRecordSerializationSchemaTest {
    private static final AvroCodec<DeadLetter> CODEC = AvroCodec.of(DeadLetter.class);

    private static AvroRecordSerializationSchema<DeadLetter> schema(int maxValueBytes) {
        return new AvroRecordSerializationSchema<>("dlq", CODEC,
                RecordKey.<DeadLetter>defaultFor(DeadLetter.getClassSchema()).orElseThrow(), maxValueBytes);
    }

    private static DeadLetter letter(int payloadBytes) {
        return DeadLetter.newBuilder().setSourceTopic("frames").setSourcePartition(0).setSourceOffset(7)
                .setKey(ByteBuffer.wrap("cam-1".getBytes(StandardCharsets.UTF_8))).setReason("bad")
                .setPayload(ByteBuffer.wrap(new byte[payloadBytes])).setPayloadSize(payloadBytes)
                .setTime(Instant.now()).build();
    }

    @Test
    void everyRecordIsLeftToBeStampedWithItsSendTimeWhateverItsEventTime() throws Exception {
        AvroRecordSerializationSchema<DeadLetter> s = schema(1 << 20);
        DeadLetter d = letter(10);
        assertNull(s.serialize(d, null, -1L).timestamp(), "the producer throws on a negative timestamp");
        long year9999 = Instant.parse("9999-12-31T00:00:00Z").toEpochMilli();
        assertNull(s.serialize(d, null, year9999).timestamp(), "the broker refuses far-future timestamps");
        long recorded2023 = Instant.parse("2023-11-14T22:13:20Z").toEpochMilli();
        assertNull(s.serialize(d, null, recorded2023).timestamp(), "the broker deletes by timestamp: a replayed"
                + " drive's records would go at the next retention check");
        ProducerRecord<byte[], byte[]> kept = s.serialize(d, null, System.currentTimeMillis() - 60_000);
        assertNull(kept.timestamp());
        assertEquals("dlq", kept.topic());
        assertArrayEquals("cam-1".getBytes(StandardCharsets.UTF_8), kept.key());
        assertEquals(d, CODEC.decode(kept.value()));
    }

    @Test
    void aRecordOverTheValueLimitIsLeftOutInsteadOfFailingTheWriter() throws Exception {
        AvroRecordSerializationSchema<DeadLetter> s = schema(200);
        assertNull(s.serialize(letter(500), null, null), "the writer skips a null record");
        assertEquals(letter(10).getPayloadSize(), CODEC.decode(s.serialize(letter(10), null, null).value())
                .getPayloadSize());
    }

    @Test
    void aRecordThatDoesNotEncodeIsLeftOut() {
        DeadLetter broken = letter(10);
        broken.setReason(null); // a required string
        assertNull(schema(1 << 20).serialize(broken, null, null));
    }

    @Test
    void countsStayReportedWhenTheWriterOpensTheSerializerTwice() throws Exception {
        // flink-connector-kafka 5.0's ExactlyOnceKafkaWriter opens its serializer twice on one metric group
        MetricListener listener = new MetricListener();
        SerializationSchema.InitializationContext context = context(listener.getMetricGroup());
        AvroRecordSerializationSchema<DeadLetter> s = schema(200);
        s.open(context, null);
        s.open(context, null);

        assertNull(s.serialize(letter(500), null, null));
        assertNull(s.serialize(letter(600), null, null));
        assertEquals(2, listener.getCounter("recordsUnwritable").orElseThrow().getCount());
    }

    @Test
    void twoSinksCountInTheirOwnGroups() throws Exception {
        MetricListener listener = new MetricListener();
        AvroRecordSerializationSchema<DeadLetter> masks = schema(200);
        AvroRecordSerializationSchema<DeadLetter> alerts = schema(200);
        masks.open(context(listener.getMetricGroup().addGroup("masks")), null);
        alerts.open(context(listener.getMetricGroup().addGroup("alerts")), null);

        masks.serialize(letter(500), null, null);
        alerts.serialize(letter(500), null, null);
        alerts.serialize(letter(500), null, null);
        assertEquals(1, listener.getCounter("masks", "recordsUnwritable").orElseThrow().getCount());
        assertEquals(2, listener.getCounter("alerts", "recordsUnwritable").orElseThrow().getCount());
    }

    private static SerializationSchema.InitializationContext context(MetricGroup group) {
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return group;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return SimpleUserCodeClassLoader.create(AvroRecordSerializationSchemaTest.class.getClassLoader());
            }
        };
    }
}
