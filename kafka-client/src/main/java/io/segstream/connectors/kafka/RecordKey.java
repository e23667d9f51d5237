package io.segstream.connectors.kafka;

import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * The Kafka key of a record, as bytes. Serializable so that Flink sinks can hold one.
 *
 * <p>segstream keys: {@code camera_id} (UTF-8) for frames, masks and alerts, so that a camera's records stay
 * in order on one partition; the model name for releases; the source record's key for dead letters.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface RecordKey<T> extends Serializable {

    /** The key bytes of {@code record}; null for no key. */
    byte[] keyOf(T record);

    /** A key made of a string, UTF-8 encoded. */
    static <T> RecordKey<T> ofString(StringKey<T> key) {
        return record -> {
            String value = key.apply(record);
            return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        };
    }

    /**
     * The project's key for records of this schema: {@code camera_id} when it has that field,
     * {@code name:version@target} for {@link ModelRelease}, the source key for {@link DeadLetter}; empty for other
     * schemas.
     *
     * <p>Releases are keyed by version and target, not by name alone, because the models topic is compacted: a
     * key per name would keep only a name's newest release, and a job that cannot verify it could then not fall
     * back to the version before. Releasing the same version for the same target again (a rollback) replaces
     * the earlier record, which moves that release to the end of the topic, where it belongs.
     */
    static <T extends IndexedRecord> Optional<RecordKey<T>> defaultFor(Schema schema) {
        if (schema.getFullName().equals(DeadLetter.getClassSchema().getFullName())) {
            int pos = schema.getField("key").pos();
            return Optional.of(record -> bytes(record.get(pos)));
        }
        if (schema.getFullName().equals(ModelRelease.getClassSchema().getFullName())) {
            int name = schema.getField("name").pos();
            int version = schema.getField("version").pos();
            int target = schema.getField("target").pos();
            return Optional.of(record -> (record.get(name) + ":" + record.get(version) + "@" + record.get(target))
                    .getBytes(StandardCharsets.UTF_8));
        }
        Schema.Field keyField = schema.getField("camera_id");
        if (keyField == null) {
            return Optional.empty();
        }
        int pos = keyField.pos();
        return Optional.of(record -> {
            Object value = record.get(pos);
            return value == null ? null : value.toString().getBytes(StandardCharsets.UTF_8);
        });
    }

    private static byte[] bytes(Object value) {
        return value == null ? null : AvroBytes.toArray((ByteBuffer) value);
    }

    /** A serializable function from a record to a string key. */
    @FunctionalInterface
    interface StringKey<T> extends Serializable {
        /** The key string of {@code record}. */
        String apply(T record);
    }
}
