package io.segstream.schemas;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type as Avro single-object encoding, the format of every segstream Kafka
 * value: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the
 * binary body.
 *
 * <p>The decoder resolves the writer schema by fingerprint: the reader's own schema is always known, older
 * and newer versions are added with {@link #withWriterSchemas}, and the body is read through Avro schema
 * resolution (new fields take their defaults, unknown fields are dropped, unknown enum symbols fall back
 * to the enum's default). Bad bytes never escape as Avro internals: {@link #decode} throws a
 * {@link RecordDecodeException} whose message says what is wrong. The codec is immutable, thread-safe and
 * {@link Serializable}, so Flink functions can hold one.
 *
 * <pre>{@code
 * AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
 * byte[] value = codec.encode(frame);
 * CameraFrame back = codec.decode(value);   // throws RecordDecodeException on bad bytes
 * }</pre>
 *
 * @param <T> the record type the decoder produces
 */
public final class AvroCodec<T extends IndexedRecord> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Length of the single-object header: two marker bytes and the 8-byte fingerprint. */
    public static final int HEADER_BYTES = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    private final Class<T> specificType;
    private final String readerSchemaJson;
    private final List<String> writerSchemaJsons;

    private final transient Schema readerSchema;
    private final transient SchemaStore.Cache writerSchemas;
    private final transient BinaryMessageEncoder<T> encoder;
    private final transient BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> specificType, Schema readerSchema, List<Schema> extraWriterSchemas) {
        this.specificType = specificType;
        this.readerSchema = readerSchema;
        this.readerSchemaJson = readerSchema.toString();
        this.writerSchemaJsons = new ArrayList<>();
        GenericData model = specificType != null ? SpecificData.getForClass(specificType) : GenericData.get();
        this.writerSchemas = new SchemaStore.Cache();
        writerSchemas.addSchema(readerSchema);
        for (Schema writer : extraWriterSchemas) {
            requireReadable(readerSchema, writer);
            writerSchemas.addSchema(writer);
            writerSchemaJsons.add(writer.toString());
        }
        this.encoder = new BinaryMessageEncoder<>(model, readerSchema);
        this.decoder = new BinaryMessageDecoder<>(model, readerSchema, writerSchemas);
    }

    /** A codec for a generated record class, e.g. {@code AvroCodec.of(CameraFrame.class)}. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return new AvroCodec<>(type, SpecificData.get().getSchema(type), List.of());
    }

    /**
     * A codec producing {@link GenericRecord}s of the given reader schema (timestamps stay {@code long}
     * milliseconds), for tools that hold an {@code .avsc} but no generated class.
     */
    public static AvroCodec<GenericRecord> generic(Schema readerSchema) {
        Objects.requireNonNull(readerSchema, "readerSchema");
        if (readerSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("a Kafka value schema must be a record, got " + readerSchema.getType());
        }
        return new AvroCodec<>(null, readerSchema, List.of());
    }

    /**
     * This codec, also able to decode values written with the given older or newer schemas.
     *
     * @throws IllegalArgumentException if a schema cannot be read into this codec's type (an incompatible change)
     */
    public AvroCodec<T> withWriterSchemas(Schema... schemas) {
        List<Schema> all = new ArrayList<>(parse(writerSchemaJsons));
        all.addAll(Arrays.asList(schemas));
        return new AvroCodec<>(specificType, readerSchema, all);
    }

    /** The reader (and writer) schema of this codec. */
    public Schema schema() {
        return readerSchema;
    }

    /** The full name of the record type, e.g. {@code io.segstream.schemas.CameraFrame}. */
    public String typeName() {
        return readerSchema.getFullName();
    }

    /** Fingerprint that {@link #encode} writes into the header. */
    public long fingerprint() {
        return Contracts.fingerprint(readerSchema);
    }

    /**
     * The record as a single-object encoded value.
     *
     * @throws IllegalArgumentException if the record cannot be written (a required field is null, a value
     *     of the wrong type)
     */
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            encoder.encode(record, out);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode this " + readerSchema.getName() + ": "
                    + describe(e) + "; set every field that has no default", e);
        }
        return out.toByteArray();
    }

    /**
     * The record in a single-object encoded value, resolved from its writer schema into this codec's.
     *
     * @throws RecordDecodeException if the value is null or empty, has no single-object header, names a
     *     writer schema this codec does not know, ends early, or does not follow its writer schema
     */
    public T decode(byte[] value) throws RecordDecodeException {
        String expected = readerSchema.getName();
        if (value == null || value.length == 0) {
            throw failure(RecordDecodeException.Problem.EMPTY_VALUE,
                    "the value is " + (value == null ? "null (a tombstone)" : "empty (0 bytes)")
                            + ", expected an Avro single-object " + expected, null);
        }
        if (value[0] != MARKER_0 || (value.length > 1 && value[1] != MARKER_1)) {
            throw failure(RecordDecodeException.Problem.BAD_HEADER,
                    "the value does not start with the Avro single-object marker C3 01 (it starts with "
                            + hex(value, 2) + "), so it is not a " + expected + " written by an Avro encoder", null);
        }
        if (value.length < HEADER_BYTES) {
            throw failure(RecordDecodeException.Problem.TRUNCATED, "the value has only " + value.length
                    + " bytes, fewer than the " + HEADER_BYTES + "-byte single-object header of a " + expected, null);
        }
        long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = writerSchemas.findByFingerprint(fingerprint);
        if (writer == null) {
            throw failure(RecordDecodeException.Problem.UNKNOWN_SCHEMA, unknownSchemaMessage(fingerprint), null);
        }
        checkBody(value, writer);
        try {
            return decoder.decode(value);
        } catch (IOException | RuntimeException e) {
            throw failure(RecordDecodeException.Problem.MALFORMED_BODY,
                    "the " + writer.getName() + " body does not follow its schema: " + describe(e), e);
        }
    }

    /**
     * Walks the body with the writer schema before decoding: a corrupt length or count then fails here,
     * without allocating what it claims, and truncation and trailing bytes are told apart from other damage.
     */
    private void checkBody(byte[] value, Schema writer) throws RecordDecodeException {
        ByteArrayInputStream body = new ByteArrayInputStream(value, HEADER_BYTES, value.length - HEADER_BYTES);
        try {
            GenericDatumReader.skip(writer, DecoderFactory.get().directBinaryDecoder(body, null));
        } catch (EOFException e) {
            throw failure(RecordDecodeException.Problem.TRUNCATED, "the value ends early: its "
                    + (value.length - HEADER_BYTES) + "-byte body is not a complete " + writer.getName(), e);
        } catch (IOException | RuntimeException e) {
            throw failure(RecordDecodeException.Problem.MALFORMED_BODY,
                    "the " + writer.getName() + " body does not follow its schema: " + describe(e), e);
        }
        if (body.available() > 0) {
            throw failure(RecordDecodeException.Problem.MALFORMED_BODY, body.available()
                    + " unexpected bytes follow the end of the " + writer.getName() + " record", null);
        }
    }

    private String unknownSchemaMessage(long fingerprint) {
        String fp = String.format("%016x", fingerprint);
        return Contracts.byFingerprint(fingerprint)
                .filter(other -> !other.getFullName().equals(readerSchema.getFullName()))
                .map(other -> "the value holds a record of type " + other.getName() + " (schema fingerprint " + fp
                        + "), not " + readerSchema.getName() + ": it was written to the wrong topic")
                .orElse("the value was written with a " + readerSchema.getName() + " schema version this reader"
                        + " does not know (fingerprint " + fp + "); give the reader that writer schema (the jobs'"
                        + " writer-schemas folder, see the schemas README, or AvroCodec.withWriterSchemas)");
    }

    private RecordDecodeException failure(RecordDecodeException.Problem problem, String message, Throwable cause) {
        return new RecordDecodeException(problem, readerSchema.getFullName(), message, cause);
    }

    private static void requireReadable(Schema reader, Schema writer) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new IllegalArgumentException("writer schema " + writer.getFullName() + " cannot be read as "
                    + reader.getFullName() + ": " + result.getResult().getIncompatibilities()
                    + "; new fields need defaults and removed fields must have had them");
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t instanceof AvroRuntimeException && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
    }

    private static String hex(byte[] value, int count) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(count, value.length); i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02X", value[i]));
        }
        return s.toString();
    }

    private static List<Schema> parse(List<String> jsons) {
        List<Schema> schemas = new ArrayList<>();
        for (String json : jsons) {
            schemas.add(new Schema.Parser().parse(json));
        }
        return schemas;
    }

    /** Rebuilds the encoder and decoder, which Avro does not serialize, after Java deserialization. */
    private Object readResolve() throws ObjectStreamException {
        Schema reader = specificType != null
                ? SpecificData.get().getSchema(specificType)
                : new Schema.Parser().parse(readerSchemaJson);
        return new AvroCodec<>(specificType, reader, parse(writerSchemaJsons));
    }
}
