package io.segstream.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    private static final AvroCodec<CameraFrame> FRAMES = AvroCodec.of(CameraFrame.class);

    @Test
    void roundTripKeepsEveryField() throws Exception {
        CameraFrame frame = frame("cam-7", 42);
        frame.setDriveId("drive-3");
        frame.setGroundTruth(ByteBuffer.wrap(new byte[] {9, 8, 7}));

        CameraFrame back = FRAMES.decode(FRAMES.encode(frame));

        assertEquals(frame, back);
        assertEquals(Instant.ofEpochMilli(1_700_000_000_123L), back.getCaptureTime());
        assertEquals("km 12.4", back.getAttributes().get("location"));
    }

    @Test
    void writesTheStandardSingleObjectHeader() throws Exception {
        CameraFrame frame = frame("cam-1", 0);
        byte[] value = FRAMES.encode(frame);

        assertEquals((byte) 0xC3, value[0]);
        assertEquals((byte) 0x01, value[1]);
        long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(Contracts.fingerprint(CameraFrame.getClassSchema()), fingerprint);
        // any Avro reader holding the .avsc decodes it: here the generated class's own decoder
        assertEquals(frame, CameraFrame.getDecoder().decode(value));
        assertArrayEquals(CameraFrame.getEncoder().encode(frame).array(), value);
    }

    @Test
    void everyContractRoundTrips() throws Exception {
        DeadLetter dead = DeadLetter.newBuilder().setSourceTopic("segstream.frames").setSourcePartition(2)
                .setSourceOffset(77).setReason("the value is empty").setTime(Instant.ofEpochMilli(5)).build();
        assertEquals(dead, AvroCodec.of(DeadLetter.class).decode(AvroCodec.of(DeadLetter.class).encode(dead)));

        Alert alert = Alert.newBuilder().setAlertId("cam-1/7/track-intrusion").setCameraId("cam-1").setSeq(7)
                .setRuleId("track-intrusion").setSeverity(Severity.CRITICAL).setState(AlertState.RAISED)
                .setCaptureTime(Instant.ofEpochMilli(9)).setClasses(List.of("person"))
                .setBbox(new BoundingBox(0.1f, 0.2f, 0.3f, 0.4f)).build();
        assertEquals(alert, AvroCodec.of(Alert.class).decode(AvroCodec.of(Alert.class).encode(alert)));
        assertEquals(5, Contracts.all().size());
    }

    @Test
    void oldReaderReadsNewWriter() throws Exception {
        Schema v2 = evolvedFrameSchema();
        GenericRecord written = new GenericRecordBuilder(v2)
                .set("camera_id", "cam-2").set("seq", 5L).set("capture_time", 1000L).set("ingest_time", 1001L)
                .set("width", 4).set("height", 2)
                .set("encoding", new GenericData.EnumSymbol(v2.getField("encoding").schema(), "NV12"))
                .set("data", ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .set("exposure_us", 800L)
                .build();
        byte[] value = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written).array();

        RecordDecodeException unknown = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(value));
        assertEquals(RecordDecodeException.Problem.UNKNOWN_SCHEMA, unknown.problem());
        assertTrue(unknown.getMessage().contains("withWriterSchemas"), unknown.getMessage());

        CameraFrame read = FRAMES.withWriterSchemas(v2).decode(value);
        assertEquals("cam-2", read.getCameraId());
        assertEquals(5L, read.getSeq());
        assertEquals(Instant.ofEpochMilli(1000), read.getCaptureTime());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read.getData());
        // a symbol the old reader does not know becomes the enum default, never a wrong guess
        assertEquals(ImageEncoding.UNKNOWN, read.getEncoding());
    }

    @Test
    void newReaderReadsOldWriter() throws Exception {
        Schema v2 = evolvedFrameSchema();
        byte[] value = FRAMES.encode(frame("cam-3", 9));

        GenericRecord read = AvroCodec.generic(v2).withWriterSchemas(CameraFrame.getClassSchema()).decode(value);

        assertEquals("cam-3", read.get("camera_id").toString());
        assertEquals(9L, read.get("seq"));
        assertEquals("JPEG", read.get("encoding").toString());
        assertEquals(0L, read.get("exposure_us"), "a field the old writer did not have takes its default");
    }

    @Test
    void refusesAWriterSchemaItCannotRead() {
        ObjectNode json = schemaJson(CameraFrame.getClassSchema());
        ArrayNode fields = (ArrayNode) json.get("fields");
        fields.remove(1); // drops seq, which has no default
        Schema withoutSeq = new Schema.Parser().parse(json.toString());

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FRAMES.withWriterSchemas(withoutSeq));
        assertTrue(e.getMessage().contains("seq"), e.getMessage());
    }

    @Test
    void garbageIsABadHeader() {
        byte[] garbage = new byte[64];
        new Random(3).nextBytes(garbage);
        garbage[0] = 0x47;

        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(garbage));
        assertEquals(RecordDecodeException.Problem.BAD_HEADER, e.problem());
        assertTrue(e.getMessage().contains("C3 01") && e.getMessage().contains("starts with 47"), e.getMessage());
        assertEquals("io.segstream.schemas.CameraFrame", e.recordType());
    }

    @Test
    void emptyAndNullValuesAreEmpty() {
        assertEquals(RecordDecodeException.Problem.EMPTY_VALUE,
                assertThrows(RecordDecodeException.class, () -> FRAMES.decode(new byte[0])).problem());
        RecordDecodeException tombstone = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(null));
        assertTrue(tombstone.getMessage().contains("tombstone"), tombstone.getMessage());
    }

    @Test
    void truncatedBodyIsTruncated() throws Exception {
        byte[] value = FRAMES.encode(frame("cam-4", 1));

        for (int length : new int[] {1, 5, AvroCodec.HEADER_BYTES, value.length / 2, value.length - 1}) {
            RecordDecodeException e = assertThrows(RecordDecodeException.class,
                    () -> FRAMES.decode(Arrays.copyOf(value, length)), "length " + length);
            assertEquals(RecordDecodeException.Problem.TRUNCATED, e.problem(), e.getMessage());
        }
    }

    @Test
    void trailingBytesAreMalformed() throws Exception {
        byte[] value = FRAMES.encode(frame("cam-5", 1));
        byte[] longer = Arrays.copyOf(value, value.length + 3);

        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(longer));
        assertEquals(RecordDecodeException.Problem.MALFORMED_BODY, e.problem());
        assertTrue(e.getMessage().startsWith("3 unexpected bytes"), e.getMessage());
    }

    @Test
    void aHugeClaimedLengthFailsWithoutAllocatingIt() throws Exception {
        byte[] header = Arrays.copyOf(FRAMES.encode(frame("cam-6", 1)), AvroCodec.HEADER_BYTES);
        // camera_id length as a zig-zag varint: 2^30 bytes, followed by nothing
        byte[] corrupt = Arrays.copyOf(header, header.length + 5);
        System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, 0, corrupt,
                header.length, 5);

        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(corrupt));
        assertEquals(RecordDecodeException.Problem.TRUNCATED, e.problem(), e.getMessage());
    }

    @Test
    void aRecordOfAnotherContractIsNamed() throws Exception {
        Alert alert = Alert.newBuilder().setAlertId("a").setCameraId("cam-1").setSeq(1).setRuleId("r")
                .setSeverity(Severity.INFO).setState(AlertState.CLEARED).setCaptureTime(Instant.EPOCH).build();
        byte[] value = AvroCodec.of(Alert.class).encode(alert);

        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> FRAMES.decode(value));
        assertEquals(RecordDecodeException.Problem.UNKNOWN_SCHEMA, e.problem());
        assertTrue(e.getMessage().startsWith("the value holds a record of type Alert"), e.getMessage());
    }

    @Test
    void encodingARecordWithAMissingFieldSaysSo() {
        CameraFrame broken = frame("cam-8", 1);
        broken.setCameraId(null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FRAMES.encode(broken));
        assertTrue(e.getMessage().startsWith("cannot encode this CameraFrame"), e.getMessage());
    }

    @Test
    void survivesJavaSerializationWithItsWriterSchemas() throws Exception {
        Schema v2 = evolvedFrameSchema();
        AvroCodec<CameraFrame> codec = FRAMES.withWriterSchemas(v2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(codec);
        }
        @SuppressWarnings("unchecked")
        AvroCodec<CameraFrame> copy = (AvroCodec<CameraFrame>)
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();

        GenericRecord written = new GenericRecordBuilder(v2)
                .set("camera_id", "cam-9").set("seq", 1L).set("capture_time", 0L).set("ingest_time", 0L)
                .set("width", 1).set("height", 1)
                .set("encoding", new GenericData.EnumSymbol(v2.getField("encoding").schema(), "PNG"))
                .set("data", ByteBuffer.wrap(new byte[0])).build();
        byte[] value = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written).array();
        assertEquals("cam-9", copy.decode(value).getCameraId());
        assertNull(copy.decode(value).getDriveId());
    }

    private static CameraFrame frame(String camera, long seq) {
        return CameraFrame.newBuilder()
                .setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_456L))
                .setWidth(4).setHeight(2).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}))
                .setAttributes(Map.of("location", "km 12.4"))
                .build();
    }

    /** CameraFrame as a later release might write it: a new field with a default and a new encoding. */
    private static Schema evolvedFrameSchema() {
        ObjectNode json = schemaJson(CameraFrame.getClassSchema());
        ObjectNode exposure = new ObjectMapper().createObjectNode();
        exposure.put("name", "exposure_us").put("type", "long").put("default", 0);
        ((ArrayNode) json.get("fields")).add(exposure);
        for (JsonNode field : json.get("fields")) {
            if (field.get("name").asText().equals("encoding")) {
                ((ArrayNode) field.get("type").get("symbols")).add("NV12");
            }
        }
        return new Schema.Parser().parse(json.toString());
    }

    private static ObjectNode schemaJson(Schema schema) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(schema.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void avroBytesCopiesTheRemainingBytesAndLeavesTheBufferAsItWas() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        b.position(1);
        assertArrayEquals(new byte[] {2, 3, 4}, AvroBytes.toArray(b));
        assertEquals(1, b.position(), "the record can be read again");
    }
}
