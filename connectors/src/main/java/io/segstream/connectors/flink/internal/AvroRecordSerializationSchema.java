package io.segstream.connectors.flink.internal;

import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.AvroCodec;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to one topic as single-object Avro values with the record's key. The Kafka timestamp is always the
 * producer's send time, never the element's event time: brokers delete by record timestamp, so masks of a drive
 * recorded last month, stamped with their capture times, would be deleted at the broker's next retention check on a
 * topic that keeps a day, and a broker with {@code log.message.timestamp.before.max.ms} set would refuse them and
 * fail the sink. The capture time travels in the record itself.
 *
 * <p>No record can fail the sink's task: one that does not encode, or whose value exceeds the record limit, is
 * left out (the writer skips a null record), counted in {@code recordsUnwritable} and logged with the reason.
 * Streams that must keep such records route them to the dead-letter topic before the sink ({@code SinkGuard}).
 *
 * <p>{@link #open} may be called more than once for one writer: flink-connector-kafka 5.0's exactly-once writer
 * opens its serializer in its own constructor and again in its parent's, on the same metric group. The counters are
 * registered the first time and kept; registering them again would hand back counters that Flink refuses to report
 * (a name collision), and every record counted after that would be lost to the metrics.
 *
 * @param <T> the record type
 */
public final class AvroRecordSerializationSchema<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(AvroRecordSerializationSchema.class);

    private final String topic;
    private final AvroCodec<T> codec;
    private final RecordKey<T> key;
    private final int maxValueBytes;
    private transient MetricGroup metrics;
    private transient Counter unwritable;

    /**
     * Writes to {@code topic}, encoding with {@code codec} and keying with {@code key}.
     *
     * @param maxValueBytes the largest value the producer may send
     */
    public AvroRecordSerializationSchema(String topic, AvroCodec<T> codec, RecordKey<T> key, int maxValueBytes) {
        this.topic = topic;
        this.codec = codec;
        this.key = key;
        this.maxValueBytes = maxValueBytes;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        MetricGroup group = context.getMetricGroup();
        if (group == metrics) {
            return;
        }
        metrics = group;
        unwritable = group.counter("recordsUnwritable");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        if (unwritable == null) {
            // serialized directly, without open(): count locally
            unwritable = new SimpleCounter();
        }
        byte[] value;
        byte[] keyBytes;
        try {
            value = codec.encode(element);
            keyBytes = key.keyOf(element);
        } catch (RuntimeException e) {
            drop(element, "it does not encode: " + e);
            return null;
        }
        if (value.length > maxValueBytes) {
            drop(element, "its value is " + value.length + " bytes, over the " + maxValueBytes + "-byte record limit");
            return null;
        }
        // no timestamp: the producer stamps the send time (see the class comment)
        return new ProducerRecord<>(topic, null, null, keyBytes, value);
    }

    private void drop(T element, String reason) {
        unwritable.inc();
        LOG.warn("a {} record was not written to {} ({} so far): {}", element.getSchema().getName(), topic,
                unwritable.getCount(), reason);
    }
}
