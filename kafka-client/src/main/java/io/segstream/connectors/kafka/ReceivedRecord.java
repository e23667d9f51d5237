package io.segstream.connectors.kafka;

import java.nio.charset.StandardCharsets;

/**
 * A decoded record with its Kafka key and position, as {@link AvroTopicReader#poll} returns it.
 *
 * @param position topic, partition, offset and timestamp
 * @param key the Kafka key, or null
 * @param value the decoded value
 * @param <T> the record type
 */
public record ReceivedRecord<T>(SourcePosition position, byte[] key, T value) {

    /** The key as UTF-8 text (camera id for frames, masks and alerts), or null. */
    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}
