package io.segstream.connectors.kafka;

import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.RecordDecodeException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Builds {@link DeadLetter}s with the source position, the reason and a bounded copy of the payload.
 *
 * <pre>{@code
 * DeadLetter dead = DeadLetters.of(SourcePosition.of(record), record.key(), record.value(), DeadLetters.STAGE_IMAGE,
 *         "frame 1920x1080 decodes to 640x480", error).setCameraId("cam-1").setSeq(7L).build();
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
