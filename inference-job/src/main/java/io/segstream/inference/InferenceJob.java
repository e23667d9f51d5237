package io.segstream.inference;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.AlertRulesException;
import io.segstream.inference.alerts.AlertFunction;
import io.segstream.inference.segment.SegmentationOperator;
import io.segstream.inference.segment.SegmentationSettings;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segstream streaming job: camera frames in, segmentation masks and per-class alerts out.
 *
 * <pre>
 * frames (Kafka) ─▶ split dead letters ─▶ segment (micro-batches, ONNX Runtime) ─▶ masks (Kafka)
 *                          │                        │                           └▶ alerts by camera ─▶ alerts (Kafka)
 *                          └──────────────▶ dead letters (Kafka) ◀──────────────┘
 * </pre>
 *
 * <p>Exactly once from the frames topic to the masks and alerts topics: checkpoints plus transactional sinks.
 * The job takes its source and sinks through the constructor, so tests wire in their own; {@link #onKafka}
 * wires Kafka. Submit the job jar to a cluster with {@code flink run inference-job.jar --bootstrap host:9092
 * --model /models/current}.
 */
public final class InferenceJob {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceJob.class);

    private final InferenceJobOptions options;
    private final Source<Decoded<CameraFrame>, ?, ?> frames;
    private final Sink<SegmentationMask> masks;
    private final Sink<Alert> alerts;
    private final Sink<DeadLetter> deadLetters;
    private final AlertRules rules;
    private final Path modelDir;

    /**
     * @param modelDir the model every subtask opens; readable on every task manager
     */
    public InferenceJob(InferenceJobOptions options, Path modelDir, AlertRules rules,
            Source<Decoded<CameraFrame>, ?, ?> frames, Sink<SegmentationMask> masks, Sink<Alert> alerts,
            Sink<DeadLetter> deadLetters) {
        this.options = Objects.requireNonNull(options, "options");
        this.modelDir = Objects.requireNonNull(modelDir, "modelDir");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.frames = Objects.requireNonNull(frames, "frames");
        this.masks = Objects.requireNonNull(masks, "masks");
        this.alerts = Objects.requireNonNull(alerts, "alerts");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    }

    /** The job on Kafka topics named by the options, with exactly-once masks and alerts sinks. */
    public static InferenceJob onKafka(InferenceJobOptions options, Path modelDir) throws AlertRulesException {
        String bootstrap = options.get(InferenceJobOptions.BOOTSTRAP);
        SegstreamTopics topics = topics(options);
        String txPrefix = options.get(InferenceJobOptions.TRANSACTIONAL_ID_PREFIX);
        Duration checkpoints = options.checkpointInterval();
        AvroKafkaSource.Builder<CameraFrame> source = AvroKafkaSource.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap)
                .setTopic(topics.frames())
                .setGroupId(options.get(InferenceJobOptions.GROUP_ID));
        if (options.get(InferenceJobOptions.FROM_LATEST)) {
            source.optStartingOffsets(OffsetsInitializer.latest());
        }
        return new InferenceJob(options, modelDir, loadRules(options.get(InferenceJobOptions.RULES)),
                source.build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bootstrap).setTopic(topics.masks())
                        .optExactlyOnce(txPrefix + "-masks").optCheckpointInterval(checkpoints).build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bootstrap).setTopic(topics.alerts())
                        .optExactlyOnce(txPrefix + "-alerts").optCheckpointInterval(checkpoints).build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bootstrap)
                        .setTopic(topics.deadLetters()).build());
    }

    /** The topic names the options give. */
    public static SegstreamTopics topics(InferenceJobOptions options) {
        return SegstreamTopics.builder().optPrefix(options.get(InferenceJobOptions.TOPIC_PREFIX)).build();
    }

    /** A rules file, or the name of a built-in set ({@code railway}, {@code road}). */
    public static AlertRules loadRules(String fileOrName) throws AlertRulesException {
        if (AlertRules.BUILT_IN.contains(fileOrName) && !Files.exists(Path.of(fileOrName))) {
            return AlertRules.builtIn(fileOrName);
        }
        return AlertRules.load(Path.of(fileOrName));
    }

    /** Turns on exactly-once checkpointing at the options' interval. */
    public static void configure(StreamExecutionEnvironment env, InferenceJobOptions options) {
        env.enableCheckpointing(options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Math.min(500, options.checkpointInterval().toMillis()));
        env.setParallelism(options.get(InferenceJobOptions.PARALLELISM));
    }

    /** Adds the job's operators to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        WatermarkStrategy<Decoded<CameraFrame>> watermarks = WatermarkStrategy
                .<Decoded<CameraFrame>>forBoundedOutOfOrderness(
                        Duration.ofMillis(options.get(InferenceJobOptions.OUT_OF_ORDERNESS_MS)))
                .withTimestampAssigner((d, kafkaTs) -> d.isRecord()
                        ? d.getRecord().getCaptureTime().toEpochMilli() : kafkaTs)
                .withIdleness(Duration.ofMillis(Math.max(1, options.get(InferenceJobOptions.IDLENESS_MS))));
        DataStream<Decoded<CameraFrame>> source = env.fromSource(frames, watermarks, "frames").uid("frames-source");
        DecodedSplit<CameraFrame> split = DecodedSplit.of(source, "frames");

        SegmentationSettings settings = new SegmentationSettings(
                modelDir.toAbsolutePath().toString(),
                options.segmenterSettings(),
                rules,
                options.get(InferenceJobOptions.MASK_ENCODING),
                options.get(InferenceJobOptions.BATCH_SIZE),
                options.get(InferenceJobOptions.BATCH_WAIT_MS),
                options.live(),
                options.get(InferenceJobOptions.STALENESS_MS));
        SingleOutputStreamOperator<SegmentationMask> segmented = split.decoded()
                .transform("segment", new AvroTypeInfo<>(SegmentationMask.class), new SegmentationOperator(settings))
                .uid("segment");

        segmented.sinkTo(masks).name("masks sink").uid("masks-sink");
        segmented.keyBy(AlertFunction.BY_CAMERA)
                .process(new AlertFunction(rules), new AvroTypeInfo<>(Alert.class))
                .name("alert rules").uid("alert-rules")
                .sinkTo(alerts).name("alerts sink").uid("alerts-sink");
        split.deadLetters().union(segmented.getSideOutput(DecodedSplit.DEAD_LETTERS))
                .sinkTo(deadLetters).name("dead letters sink").uid("dead-letters-sink");
    }

    /** Entry point of the job jar: {@code --key value} pairs of {@link InferenceJobOptions}. */
    public static void main(String[] args) throws Exception {
        InferenceJobOptions options = InferenceJobOptions.fromArgs(args);
        String model = options.get(InferenceJobOptions.MODEL);
        if (model.isBlank()) {
            throw new IllegalArgumentException("--model DIR is required when the job runs on a cluster");
        }
        LOG.info("segstream inference job options: {}", options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        onKafka(options, Path.of(model)).build(env);
        env.execute("segstream inference");
    }
}
