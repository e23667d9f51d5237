package io.segstream.connectors.flink;

import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SourcePosition;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stands before a Kafka sink and sends records the sink could not write (they do not encode, or their value is
 * over {@link KafkaClientConfigs#MAX_RECORD_BYTES}) to the {@link DecodedSplit#DEAD_LETTERS} side output instead,
 * counted in {@code deadLettered}, so that no single record fails the sink's task.
 *
 * <p>The dead letter names the topic the record was meant for as its source, with partition and offset -1 (the
 * record never reached Kafka), and the record's camera and seq where it has them.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<SegmentationMask> safe = SinkGuard.before(masks, SegmentationMask.class, "segstream.masks", "masks");
 * safe.sinkTo(maskSink);
 * safe.getSideOutput(DecodedSplit.DEAD_LETTERS).sinkTo(deadLetterSink);
 * }</pre>
 *
 * @param <T> the record type
 */
public final class SinkGuard<T extends SpecificRecordBase> extends ProcessFunction<T, T> {
    /** Stage name of dead letters for records a sink could not write. */
    public static final String STAGE_SINK = "sink";

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String topic;
    private final int maxValueBytes;
    private transient AvroCodec<T> codec;
    private transient Counter deadLettered;

    /** Checks records of {@code type} meant for {@code topic} against the value limit {@code maxValueBytes}. */
    public SinkGuard(Class<T> type, String topic, int maxValueBytes) {
        this.type = type;
        this.topic = topic;
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * Adds a guard for {@code topic} after {@code records}.
     *
     * @param name names the operator and its uid ({@code <name>-guard}); stable across restarts, unique per job
     */
    public static <T extends SpecificRecordBase> SingleOutputStreamOperator<T> before(DataStream<T> records,
            Class<T> type, String topic, String name) {
        return records.process(new SinkGuard<>(type, topic, KafkaClientConfigs.MAX_RECORD_BYTES),
                        new AvroTypeInfo<>(type))
                .name(name + ": sink guard").uid(name + "-guard");
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(type);
        deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
    }

    @Override
    public void processElement(T record, Context context, Collector<T> out) {
        String problem = problem(record);
        if (problem == null) {
            out.collect(record);
            return;
        }
        deadLettered.inc();
        context.output(DecodedSplit.DEAD_LETTERS, deadLetter(record, problem));
    }

    /** Why the sink could not write {@code record}, or null when it can. */
    String problem(T record) {
        try {
            int size = codec.encode(record).length;
            return size > maxValueBytes ? "its value is " + size + " bytes, over the " + maxValueBytes
                    + "-byte record limit" : null;
        } catch (RuntimeException e) {
            return "it does not encode: " + e.getMessage();
        }
    }

    private DeadLetter deadLetter(T record, String problem) {
        Schema schema = record.getSchema();
        Schema.Field camera = schema.getField("camera_id");
        Schema.Field seq = schema.getField("seq");
        Object cameraId = camera == null ? null : record.get(camera.pos());
        Object seqValue = seq == null ? null : record.get(seq.pos());
        String what = schema.getName() + (cameraId == null ? "" : " of camera " + cameraId)
                + (seqValue == null ? "" : " seq " + seqValue);
        DeadLetter.Builder letter = DeadLetters.of(new SourcePosition(topic, -1, -1, -1),
                cameraId == null ? null : cameraId.toString().getBytes(StandardCharsets.UTF_8), null, STAGE_SINK,
                what + " cannot be written to " + topic + ": " + problem, null, 0);
        if (cameraId != null) {
            letter.setCameraId(cameraId.toString());
        }
        if (seqValue instanceof Long value) {
            letter.setSeq(value);
        }
        return letter.build();
    }
}
