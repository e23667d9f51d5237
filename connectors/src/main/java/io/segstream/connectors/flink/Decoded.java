package io.segstream.connectors.flink;

import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.DeadLetter;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * What a segstream Kafka source emits for each Kafka record: either the decoded record or, when the value
 * could not be decoded, a {@link DeadLetter} saying why; both with the record's source position.
 *
 * <p>Downstream failures (a corrupt image, a wrong size) can build their own dead letter from
 * {@link #position()} with {@code DeadLetters.of(...)}. Flink serializes it as a POJO whose record field uses
 * Avro ({@link #typeInfo}).
 *
 * <pre>{@code
 * DataStream<Decoded<CameraFrame>> in = env.fromSource(source, watermarks, "frames");
 * in.process(...);   // decoded.isRecord() ? decoded.getRecord() : decoded.getDeadLetter()
 * }</pre>
 *
 * @param <T> the record type
 */
public final class Decoded<T extends SpecificRecordBase> {
    private String topic;
    private int partition;
    private long offset;
    private long timestamp;
    private T record;
    private DeadLetter deadLetter;

    /** For Flink's POJO serializer; use {@link #ofRecord} or {@link #ofDeadLetter}. */
    public Decoded() {}

    /** A successfully decoded record. */
    public static <T extends SpecificRecordBase> Decoded<T> ofRecord(SourcePosition position, T record) {
        Decoded<T> d = at(position);
        d.record = Objects.requireNonNull(record, "record");
        return d;
    }

    /** A Kafka record that did not decode. */
    public static <T extends SpecificRecordBase> Decoded<T> ofDeadLetter(SourcePosition position, DeadLetter dead) {
        Decoded<T> d = at(position);
        d.deadLetter = Objects.requireNonNull(dead, "dead");
        return d;
    }

    private static <T extends SpecificRecordBase> Decoded<T> at(SourcePosition position) {
        Decoded<T> d = new Decoded<>();
        d.topic = position.topic();
        d.partition = position.partition();
        d.offset = position.offset();
        d.timestamp = position.timestamp();
        return d;
    }

    /**
     * Flink type information of {@code Decoded<T>}: POJO fields with the record and dead letter as Avro.
     */
    public static <T extends SpecificRecordBase> TypeInformation<Decoded<T>> typeInfo(Class<T> type) {
        try {
            List<PojoField> fields = List.of(
                    new PojoField(Decoded.class.getDeclaredField("topic"), BasicTypeInfo.STRING_TYPE_INFO),
                    new PojoField(Decoded.class.getDeclaredField("partition"), BasicTypeInfo.INT_TYPE_INFO),
                    new PojoField(Decoded.class.getDeclaredField("offset"), BasicTypeInfo.LONG_TYPE_INFO),
                    new PojoField(Decoded.class.getDeclaredField("timestamp"), BasicTypeInfo.LONG_TYPE_INFO),
                    new PojoField(Decoded.class.getDeclaredField("record"), new AvroTypeInfo<>(type)),
                    new PojoField(Decoded.class.getDeclaredField("deadLetter"), new AvroTypeInfo<>(DeadLetter.class)));
            @SuppressWarnings("unchecked")
            Class<Decoded<T>> decodedClass = (Class<Decoded<T>>) (Class<?>) Decoded.class;
            return new PojoTypeInfo<>(decodedClass, fields);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("Decoded lost a field its type information names", e);
        }
    }

    /** True if the value decoded; then {@link #getRecord()} is set, else {@link #getDeadLetter()}. */
    public boolean isRecord() {
        return record != null;
    }

    /** Topic, partition, offset and Kafka timestamp of the source record. */
    public SourcePosition position() {
        return new SourcePosition(topic, partition, offset, timestamp);
    }

    /** The decoded record, or null if the value did not decode. */
    public T getRecord() {
        return record;
    }

    /** Sets the decoded record (for Flink's serializer). */
    public void setRecord(T record) {
        this.record = record;
    }

    /** Why the value did not decode, or null if it did. */
    public DeadLetter getDeadLetter() {
        return deadLetter;
    }

    /** Sets the dead letter (for Flink's serializer). */
    public void setDeadLetter(DeadLetter deadLetter) {
        this.deadLetter = deadLetter;
    }

    /** Source topic. */
    public String getTopic() {
        return topic;
    }

    /** Sets the source topic (for Flink's serializer). */
    public void setTopic(String topic) {
        this.topic = topic;
    }

    /** Source partition. */
    public int getPartition() {
        return partition;
    }

    /** Sets the source partition (for Flink's serializer). */
    public void setPartition(int partition) {
        this.partition = partition;
    }

    /** Source offset. */
    public long getOffset() {
        return offset;
    }

    /** Sets the source offset (for Flink's serializer). */
    public void setOffset(long offset) {
        this.offset = offset;
    }

    /** Kafka timestamp of the source record, epoch milliseconds. */
    public long getTimestamp() {
        return timestamp;
    }

    /** Sets the Kafka timestamp (for Flink's serializer). */
    public void setTimestamp(long timestamp) {
        this.timestamp = timestamp;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Decoded<?> d && partition == d.partition && offset == d.offset
                && timestamp == d.timestamp && Objects.equals(topic, d.topic) && Objects.equals(record, d.record)
                && Objects.equals(deadLetter, d.deadLetter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "Decoded{" + position() + ", " + (isRecord() ? record.getSchema().getName()
                : "dead letter: " + (deadLetter == null ? null : deadLetter.getReason())) + "}";
    }
}
