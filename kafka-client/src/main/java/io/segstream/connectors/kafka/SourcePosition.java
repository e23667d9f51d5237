package io.segstream.connectors.kafka;

import java.io.Serializable;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a record came from: topic, partition, offset and the Kafka timestamp.
 *
 * @param topic the topic name
 * @param partition the partition
 * @param offset the offset in the partition
 * @param timestamp the record's Kafka timestamp in epoch milliseconds
 */
public record SourcePosition(String topic, int partition, long offset, long timestamp) implements Serializable {

    /** The position of a consumed record. */
    public static SourcePosition of(ConsumerRecord<?, ?> record) {
        return new SourcePosition(record.topic(), record.partition(), record.offset(), record.timestamp());
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
