package io.segstream.connectors.kafka;

import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.RecordDecodeException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Builds {@link DeadLetter}s with the source position, the reason and a bounded copy of the payload.
 *
 * <pre>{@code
 * // a frame that decoded from Avro but whose image is bad, in an operator holding decoded.position():
 * DeadLetter dead = DeadLetters.forRecord(decoded.position(), frame, DeadLetters.STAGE_IMAGE,
 *         "frame cam-1/7 says 1920x1080 but its JPEG is 640x480", error);
 * }</pre>
 */
public final class DeadLetters {
    /** Stage name for values that are not readable records. */
    public static final String STAGE_DECODE = "decode";
    /** Stage name for records whose image cannot be decoded or does not match its header. */
    public static final String STAGE_IMAGE = "image";
    /** Stage name for failures while running the model. */
    public static final String STAGE_INFERENCE = "inference";

    /** Default bound of the payload copy: enough to inspect a header, not a whole frame. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

    private DeadLetters() {}

    /**
     * A dead letter for a Kafka value the codec could not decode, with the codec's sentence as the reason.
     */
    public static DeadLetter undecodable(ConsumerRecord<byte[], byte[]> record, RecordDecodeException error,
            int maxPayloadBytes) {
        return of(SourcePosition.of(record), record.key(), record.value(), STAGE_DECODE, error.getMessage(), error,
                maxPayloadBytes).build();
    }

    /**
     * A dead letter for a record that decoded but failed later (image, inference): the payload is the record
     * encoded again (bounded by {@link #DEFAULT_MAX_PAYLOAD_BYTES}), the key is the record's segstream key,
     * and {@code camera_id} and {@code seq} are copied when the record has them.
     *
     * @param error the failure, or null
     */
    public static <T extends SpecificRecord> DeadLetter forRecord(SourcePosition source, T record, String stage,
            String reason, Throwable error) {
        @SuppressWarnings("unchecked")
        AvroCodec<T> codec = AvroCodec.of((Class<T>) record.getClass());
        Schema schema = record.getSchema();
        byte[] key = RecordKey.<T>defaultFor(schema).map(k -> k.keyOf(record)).orElse(null);
        DeadLetter.Builder letter = of(source, key, codec.encode(record), stage, reason, error,
                DEFAULT_MAX_PAYLOAD_BYTES);
        Schema.Field camera = schema.getField("camera_id");
        Schema.Field seq = schema.getField("seq");
        if (camera != null) {
            letter.setCameraId(String.valueOf(record.get(camera.pos())));
        }
        if (seq != null && record.get(seq.pos()) instanceof Long value) {
            letter.setSeq(value);
        }
        return letter.build();
    }

    /**
     * A dead-letter builder filled with the source position, key, reason, error class, bounded payload, payload
     * size and the current time; callers may add {@code camera_id} and {@code seq} before {@code build()}.
     *
     * @param error the failure, or null when there is no exception (then error_class is empty)
     */
    public static DeadLetter.Builder of(SourcePosition source, byte[] key, byte[] payload, String stage, String reason,
            Throwable error, int maxPayloadBytes) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be >= 0, got " + maxPayloadBytes);
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setReason(reason)
                .setErrorClass(error == null ? "" : error.getClass().getName())
                .setStage(stage)
                .setPayload(payload == null ? null
                        : ByteBuffer.wrap(Arrays.copyOf(payload, Math.min(payload.length, maxPayloadBytes))))
                .setPayloadSize(payload == null ? 0 : payload.length)
                .setTime(Instant.now());
    }
}
