package io.segstream.connectors.flink;

import io.segstream.connectors.flink.internal.SplitDecodedFunction;
import io.segstream.schemas.DeadLetter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Splits a stream of {@link Decoded} records into the good records and the dead letters, which go on to the
 * dead-letter sink while the job carries on. The operator counts dead letters in its {@code deadLetters} metric.
 *
 * <pre>{@code
 * DecodedSplit<CameraFrame> split = DecodedSplit.of(env.fromSource(source, watermarks, "frames"), "frames");
 * DataStream<CameraFrame> frames = split.records();        // or split.decoded() to keep source positions
 * split.deadLetters().sinkTo(deadLetterSink);
 * }</pre>
 *
 * @param <T> the record type
 */
public final class DecodedSplit<T extends SpecificRecordBase> {
    /** The side output of dead letters. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("segstream-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final SingleOutputStreamOperator<Decoded<T>> decoded;
    private final AvroTypeInfo<T> recordType;
    private final String name;
    private DataStream<T> records;

    private DecodedSplit(SingleOutputStreamOperator<Decoded<T>> decoded, AvroTypeInfo<T> recordType, String name) {
        this.decoded = decoded;
        this.recordType = recordType;
        this.name = name;
    }

    /**
     * Adds the split operator after {@code source}.
     *
     * @param name names the operators and their uids ({@code <name>-split}, {@code <name>-records}); unique per job
     */
    public static <T extends SpecificRecordBase> DecodedSplit<T> of(DataStream<Decoded<T>> source, String name) {
        AvroTypeInfo<T> recordType = recordTypeOf(source.getType());
        SingleOutputStreamOperator<Decoded<T>> decoded = source
                .process(new SplitDecodedFunction<T>(DEAD_LETTERS), source.getType())
                .name(name + ": split dead letters")
                .uid(name + "-split");
        return new DecodedSplit<>(decoded, recordType, name);
    }

    /** The records that decoded, still with their source positions. */
    public DataStream<Decoded<T>> decoded() {
        return decoded;
    }

    /** The records that decoded (one operator, however often this is called). */
    public DataStream<T> records() {
        if (records == null) {
            records = decoded.map(Decoded::getRecord, recordType).name(name + ": records").uid(name + "-records");
        }
        return records;
    }

    /** The dead letters of values that did not decode. */
    public DataStream<DeadLetter> deadLetters() {
        return decoded.getSideOutput(DEAD_LETTERS);
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecordBase> AvroTypeInfo<T> recordTypeOf(TypeInformation<Decoded<T>> type) {
        if (type instanceof PojoTypeInfo<Decoded<T>> pojo && pojo.getTypeAt("record") instanceof AvroTypeInfo<?> avro) {
            return (AvroTypeInfo<T>) avro;
        }
        throw new IllegalArgumentException("expected a stream typed with Decoded.typeInfo(...), got " + type
                + ": build the source with AvroKafkaSource");
    }
}
