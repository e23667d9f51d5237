package io.segstream.schemas;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/** The project's Kafka value schemas, so that a decoder can name the type of a value it was not built for. */
public final class Contracts {
    private static final List<Schema> ALL = List.of(
            CameraFrame.getClassSchema(),
            SegmentationMask.getClassSchema(),
            Alert.getClassSchema(),
            ModelRelease.getClassSchema(),
            DeadLetter.getClassSchema());

    private Contracts() {}

    /** Every top-level contract schema, in pipeline order: frames, masks, alerts, models, dead letters. */
    public static List<Schema> all() {
        return ALL;
    }

    /** The contract schema with this CRC-64-AVRO fingerprint (of its parsing canonical form), if any. */
    public static Optional<Schema> byFingerprint(long fingerprint) {
        return ALL.stream().filter(s -> fingerprint(s) == fingerprint).findFirst();
    }

    /** CRC-64-AVRO fingerprint of the schema's parsing canonical form, as single-object encoding writes it. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }
}
