package io.segstream.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Writer schemas a reader is given beyond its own: every {@code .avsc} file of one folder, for the record types a
 * consumer reads. This is how a consumer learns a newer (or older) compatible schema version before producers write
 * it: put its {@code .avsc} in the folder and restart the consumer (see the module README, "Rolling out a newer
 * schema"). Values written with a schema the consumer was not given still fail to decode, with a sentence that says
 * so (a dead letter in the streaming jobs), never silently.
 *
 * <pre>{@code
 * WriterSchemas known = WriterSchemas.load(Path.of("/etc/segstream/schemas"));
 * AvroCodec<CameraFrame> codec = known.codecFor(CameraFrame.class);
 * }</pre>
 */
public final class WriterSchemas {
    private final Map<Path, Schema> byFile;

    private WriterSchemas(Map<Path, Schema> byFile) {
        this.byFile = Map.copyOf(byFile);
    }

    /** No extra writer schemas. */
    public static WriterSchemas none() {
        return new WriterSchemas(Map.of());
    }

    /**
     * Every {@code *.avsc} file directly in {@code dir}, in name order.
     *
     * @throws IllegalArgumentException when {@code dir} is not a folder or a file is not an Avro record schema, naming
     *     the file and what is wrong
     */
    public static WriterSchemas load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("writer schema folder " + dir + " does not exist or is not a folder;"
                    + " give a folder of .avsc files");
        }
        Map<Path, Schema> schemas = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".avsc")).sorted().toList()) {
                Schema s;
                try {
                    s = new Schema.Parser().parse(f.toFile());
                } catch (SchemaParseException | IOException e) {
                    throw new IllegalArgumentException("writer schema file " + f + " is not a readable Avro schema ("
                            + e.getMessage() + "); fix or remove it", e);
                }
                if (s.getType() != Schema.Type.RECORD) {
                    throw new IllegalArgumentException("writer schema file " + f + " holds a " + s.getType()
                            + ", not a record schema; Kafka values are records");
                }
                schemas.put(f, s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list writer schema folder " + dir, e);
        }
        return new WriterSchemas(schemas);
    }

    /** The schemas for records named {@code fullName}, e.g. {@code io.segstream.schemas.CameraFrame}. */
    public List<Schema> forType(String fullName) {
        List<Schema> out = new ArrayList<>();
        byFile.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(e -> e.getValue().getFullName().equals(fullName)).forEach(e -> out.add(e.getValue()));
        return out;
    }

    /**
     * A codec for {@code type} that also decodes values written with this folder's schemas of that type.
     *
     * @throws IllegalArgumentException when one of them cannot be read as {@code type} (an incompatible change),
     *     naming its file
     */
    public <T extends org.apache.avro.specific.SpecificRecord> AvroCodec<T> codecFor(Class<T> type) {
        AvroCodec<T> codec = AvroCodec.of(type);
        for (Map.Entry<Path, Schema> e : byFile.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            if (!e.getValue().getFullName().equals(codec.typeName())) {
                continue;
            }
            try {
                codec = codec.withWriterSchemas(e.getValue());
            } catch (IllegalArgumentException incompatible) {
                throw new IllegalArgumentException("writer schema file " + e.getKey() + ": "
                        + incompatible.getMessage(), incompatible);
            }
        }
        return codec;
    }

    /** How many schemas there are, of all types. */
    public int size() {
        return byFile.size();
    }

    @Override
    public String toString() {
        return byFile.isEmpty() ? "no extra writer schemas" : byFile.size() + " writer schemas from "
                + byFile.keySet().stream().map(Path::toString).sorted().toList();
    }
}
