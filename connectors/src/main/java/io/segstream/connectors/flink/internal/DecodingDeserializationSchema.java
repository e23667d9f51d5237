package io.segstream.connectors.flink.internal;

import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.RecordDecodeException;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes Kafka values into {@link Decoded} records; a value that does not decode becomes a dead letter
 * instead of an exception, so one bad record never fails the job.
 *
 * @param <T> the record type
 */
public final class DecodingDeserializationSchema<T extends SpecificRecordBase>
        implements KafkaRecordDeserializationSchema<Decoded<T>> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final AvroCodec<T> codec;
    private final int maxPayloadBytes;

    /** Decodes with {@code codec}; dead letters keep at most {@code maxPayloadBytes} of the value. */
    public DecodingDeserializationSchema(Class<T> type, AvroCodec<T> codec, int maxPayloadBytes) {
        this.type = type;
        this.codec = codec;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded<T>> out) {
        SourcePosition position = SourcePosition.of(record);
        try {
            out.collect(Decoded.ofRecord(position, codec.decode(record.value())));
        } catch (RecordDecodeException e) {
            out.collect(Decoded.ofDeadLetter(position, DeadLetters.undecodable(record, e, maxPayloadBytes)));
        }
    }

    @Override
    public TypeInformation<Decoded<T>> getProducedType() {
        return Decoded.typeInfo(type);
    }
}
