package io.segstream.schemas;

/**
 * A Kafka value that is not a readable Avro single-object record of the expected type.
 *
 * <p>The message is one sentence that says what is wrong with the bytes; {@link #problem()} classifies it
 * for dead-letter routing and metrics.
 */
public final class RecordDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the value. */
    public enum Problem {
        /** Null (a tombstone) or zero bytes. */
        EMPTY_VALUE,
        /** Does not start with the single-object marker {@code C3 01}: not an Avro single-object value at all. */
        BAD_HEADER,
        /** The writer schema's fingerprint is not registered with the decoder (another type, or an unknown version). */
        UNKNOWN_SCHEMA,
        /** The value ends before the record does. */
        TRUNCATED,
        /** The body does not follow the writer schema (bad lengths, union or enum indexes, trailing bytes). */
        MALFORMED_BODY
    }

    private final Problem problem;
    private final String recordType;

    RecordDecodeException(Problem problem, String recordType, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.recordType = recordType;
    }

    /** The kind of failure. */
    public Problem problem() {
        return problem;
    }

    /** Full name of the record type the decoder expected, e.g. {@code io.segstream.schemas.CameraFrame}. */
    public String recordType() {
        return recordType;
    }
}
