package io.segstream.connectors.flink.internal;

import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.AvroCodec;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes records to one topic as single-object Avro values with the record's key; the Kafka timestamp is the
 * element's Flink timestamp when it has one.
 *
 * @param <T> the record type
 */
public final class AvroRecordSerializationSchema<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroCodec<T> codec;
    private final RecordKey<T> key;

    /** Writes to {@code topic}, encoding with {@code codec} and keying with {@code key}. */
    public AvroRecordSerializationSchema(String topic, AvroCodec<T> codec, RecordKey<T> key) {
        this.topic = topic;
        this.codec = codec;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, key.keyOf(element), codec.encode(element));
    }
}
