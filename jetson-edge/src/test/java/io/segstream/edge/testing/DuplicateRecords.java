package io.segstream.edge.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.RecordDecodeException;
import io.segstream.schemas.SegmentationMask;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of a topic grouped by the identity a consumer drops repeats by: (mask, camera, seq) and (alert, camera,
 * alert id, state). Every repeat must be the first copy byte for byte (key and value; the Kafka timestamp is each
 * copy's send time), or dropping it by its id would lose information.
 */
public final class DuplicateRecords {
    private static final AvroCodec<SegmentationMask> MASKS = AvroCodec.of(SegmentationMask.class);
    private static final AvroCodec<Alert> ALERTS = AvroCodec.of(Alert.class);

    private DuplicateRecords() {}

    /** {@code mask/CAMERA/SEQ}. */
    public static String maskIdentity(ConsumerRecord<byte[], byte[]> r) {
        SegmentationMask m = decode(MASKS, r);
        return "mask/" + m.getCameraId() + "/" + m.getSeq();
    }

    /** {@code alert/CAMERA/ALERT_ID/STATE}. */
    public static String alertIdentity(ConsumerRecord<byte[], byte[]> r) {
        Alert a = decode(ALERTS, r);
        return "alert/" + a.getCameraId() + "/" + a.getAlertId() + "/" + a.getState();
    }

    private static <T extends IndexedRecord> T decode(AvroCodec<T> codec, ConsumerRecord<byte[], byte[]> r) {
        try {
            return codec.decode(r.value());
        } catch (RecordDecodeException e) {
            throw new AssertionError("the record at offset " + r.offset() + " of " + r.topic() + " does not decode", e);
        }
    }

    /**
     * Asserts that every identity seen more than once has identical copies; returns how often each identity was
     * seen, in the order of first arrival.
     */
    public static Map<String, Integer> assertCopiesIdentical(List<ConsumerRecord<byte[], byte[]>> records,
            Function<ConsumerRecord<byte[], byte[]>, String> identity) {
        Map<String, ConsumerRecord<byte[], byte[]>> first = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String id = identity.apply(r);
            ConsumerRecord<byte[], byte[]> earlier = first.putIfAbsent(id, r);
            seen.merge(id, 1, Integer::sum);
            if (earlier != null) {
                assertArrayEquals(earlier.key(), r.key(), id + " at offset " + r.offset() + ": the same key as at "
                        + earlier.offset());
                assertArrayEquals(earlier.value(), r.value(), id + " at offset " + r.offset() + ": the same bytes as at "
                        + earlier.offset());
            }
        }
        return seen;
    }

    /** Identities seen more than once. */
    public static long repeated(Map<String, Integer> seen) {
        return seen.values().stream().filter(n -> n > 1).count();
    }
}
