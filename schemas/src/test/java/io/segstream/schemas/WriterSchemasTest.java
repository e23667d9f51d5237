package io.segstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterSchemasTest {
    @TempDir
    Path dir;

    /** CameraFrame plus a field with a default: what a newer producer writes. */
    private static Schema withExposure() {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : CameraFrame.getClassSchema().getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field("exposure_us", Schema.create(Schema.Type.LONG), "exposure", 0L));
        Schema s = CameraFrame.getClassSchema();
        return Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), false, fields);
    }

    private static byte[] writtenWith(Schema v2) {
        GenericRecord written = new GenericRecordBuilder(v2)
                .set("camera_id", "cam-2").set("seq", 5L).set("capture_time", 1000L).set("ingest_time", 1001L)
                .set("width", 4).set("height", 2)
                .set("encoding", new GenericData.EnumSymbol(v2.getField("encoding").schema(), "PNG"))
                .set("data", ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .set("attributes", Map.of())
                .set("exposure_us", 800L)
                .build();
        try {
            return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written).array();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aNewerSchemaFromTheFolderDecodesIntoTheCurrentClass() throws Exception {
        Schema v2 = withExposure();
        Files.writeString(dir.resolve("CameraFrame-v2.avsc"), v2.toString(true));
        Files.writeString(dir.resolve("notes.txt"), "not a schema, not read");
        Files.writeString(dir.resolve("Alert.avsc"), Alert.getClassSchema().toString());
        byte[] value = writtenWith(v2);

        assertThrows(RecordDecodeException.class, () -> WriterSchemas.none().codecFor(CameraFrame.class).decode(value));
        WriterSchemas known = WriterSchemas.load(dir);
        assertEquals(2, known.size());
        List<Schema> frames = known.forType(CameraFrame.class.getName());
        assertEquals(1, frames.size());
        assertEquals(Contracts.fingerprint(v2), Contracts.fingerprint(frames.get(0)));
        CameraFrame read = known.codecFor(CameraFrame.class).decode(value);
        assertEquals("cam-2", read.getCameraId());
        assertEquals(5L, read.getSeq());
        assertEquals(Instant.ofEpochMilli(1000), read.getCaptureTime());
        assertEquals(ImageEncoding.PNG, read.getEncoding());
        // the current schema still decodes too
        CameraFrame current = new CameraFrame("cam-3", 1L, Instant.EPOCH, Instant.EPOCH, 1, 1, ImageEncoding.PNG,
                ByteBuffer.wrap(new byte[] {9}), null, null, Map.of());
        byte[] currentValue = AvroCodec.of(CameraFrame.class).encode(current);
        assertEquals(current, known.codecFor(CameraFrame.class).decode(currentValue));
    }

    @Test
    void badFoldersAndFilesAreNamedWithTheFix() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> WriterSchemas.load(dir.resolve("nope")));
        assertTrue(missing.getMessage().endsWith("does not exist or is not a folder; give a folder of .avsc files"),
                missing.getMessage());
        Path broken = dir.resolve("broken.avsc");
        Files.writeString(broken, "{\"type\": \"record\", ");
        IllegalArgumentException parse = assertThrows(IllegalArgumentException.class, () -> WriterSchemas.load(dir));
        assertTrue(parse.getMessage().startsWith("writer schema file " + broken + " is not a readable Avro schema"),
                parse.getMessage());
        Files.delete(broken);

        // dropping seq, which has no default, is not a compatible change
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : CameraFrame.getClassSchema().getFields()) {
            if (!f.name().equals("seq")) {
                fields.add(new Schema.Field(f, f.schema()));
            }
        }
        Schema noSeq = Schema.createRecord("CameraFrame", null, "io.segstream.schemas", false, fields);
        Path incompatible = dir.resolve("no-seq.avsc");
        Files.writeString(incompatible, noSeq.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WriterSchemas.load(dir).codecFor(CameraFrame.class));
        assertTrue(e.getMessage().startsWith("writer schema file " + incompatible + ": writer schema"
                + " io.segstream.schemas.CameraFrame cannot be read as io.segstream.schemas.CameraFrame"),
                e.getMessage());
    }
}
