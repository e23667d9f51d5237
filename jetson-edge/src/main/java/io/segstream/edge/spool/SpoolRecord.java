package io.segstream.edge.spool;

import java.util.Objects;

/**
 * One record in the spool: what the sender hands to Kafka, byte for byte, so that a record sent twice (in flight when
 * the agent died) is sent identically.
 *
 * @param kind      alert, mask or frame: decides the topic
 * @param index     position in its kind's log; increases by one per record appended
 * @param timestamp Kafka record timestamp in epoch milliseconds, or {@link #NO_TIMESTAMP} to let the producer stamp it
 * @param camera    the camera the record belongs to (drop counts and in-order draining are per camera)
 * @param key       Kafka key bytes
 * @param value     Kafka value bytes (Avro single-object encoding)
 */
public record SpoolRecord(RecordKind kind, long index, long timestamp, String camera, byte[] key, byte[] value) {
    /** The timestamp of a record that Kafka's producer stamps with its send time. */
    public static final long NO_TIMESTAMP = -1;

    public SpoolRecord {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(camera, "camera");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** Bytes the record takes in a segment file, framing included. */
    public int spooledBytes() {
        return RecordFraming.framedSize(camera, key, value);
    }

    @Override
    public String toString() {
        return kind.label() + " #" + index + " of camera " + camera + " (" + value.length + " bytes)";
    }
}
