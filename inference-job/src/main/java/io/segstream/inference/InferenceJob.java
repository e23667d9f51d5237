package io.segstream.inference;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.flink.Decoded;
import io.segstream.connectors.flink.DecodedSplit;
import io.segstream.connectors.flink.SinkGuard;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.AlertRulesException;
import io.segstream.inference.alerts.AlertFunction;
import io.segstream.inference.segment.CameraIdCheck;
import io.segstream.inference.segment.CaptureTimeCheck;
import io.segstream.inference.segment.ConfiguredModel;
import io.segstream.inference.segment.SegmentationOperator;
import io.segstream.inference.segment.SegmentationSettings;
import io.segstream.inference.segment.SequenceCheck;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.WriterSchemas;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segstream streaming job: camera frames in, segmentation masks and per-class alerts out.
 *
 * <pre>
 * frames (Kafka) ─▶ split ─▶ camera id check ─▶ capture time check ─▶ seq check (repeats skipped, counted; chained)
 *                    │             │                   │                          │
 *                    │             │                   │                          ▼
 *                    │             │                   │      ┌────────────▶ segment ─▶ guard ─▶ masks (Kafka)
 *                    │             │                   │      │              │  │  └▶ alerts by camera ─┬─▶ guard ─▶ alerts
 * models (Kafka) ─▶ split ─ broadcast ────────────────────────┘              │  └── system alerts ───────┘      │
 *                    │             │                   │                     │      (rejected releases)         │
 *                    └─────────────┴───────────────────┴─────────────────────┴──────┬───────────────────────────┴─ masks' guard too
 *                                                                                    ▼
 *                                                                        dead letters (Kafka, exactly once)
 * </pre>
 *
 * <p>No single record can fail a task (the poison-pill rule): values that do not decode (among them values written
 * with a schema the job was not given, see {@link InferenceJobOptions#WRITER_SCHEMAS}), frames with an invalid camera
 * id (see {@link CameraIdCheck}), an unusable capture time (see {@link CaptureTimeCheck}), a bad or oversized image,
 * or scores the model made NaN, and masks or alerts a sink could not write (see {@link SinkGuard}) become dead
 * letters, counted, and the job goes on. A frame whose (camera, seq) was already seen is skipped and counted before
 * it costs an inference (see {@link SequenceCheck}).
 *
 * <p>With a {@link ModelReleaseFeed} ({@link #withModelReleases}; {@link #onKafka} adds one unless
 * {@code models-topic=false}) the job serves the newest valid release for its target and hot-swaps each new one
 * (see {@link SegmentationOperator}); without one it serves the configured model.
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
    private final String model;
    private final ModelReleaseFeed releases;

    /**
     * @param modelDir the model every subtask opens; readable on every task manager
     */
    public InferenceJob(InferenceJobOptions options, Path modelDir, AlertRules rules,
            Source<Decoded<CameraFrame>, ?, ?> frames, Sink<SegmentationMask> masks, Sink<Alert> alerts,
            Sink<DeadLetter> deadLetters) {
        this(options, Objects.requireNonNull(modelDir, "modelDir").toString(), rules, frames, masks, alerts,
                deadLetters);
    }

    /**
     * @param model the model every subtask opens: a directory readable on every task manager, or a model-store URI
     *              each subtask fetches and verifies (see {@link ConfiguredModel})
     */
    public InferenceJob(InferenceJobOptions options, String model, AlertRules rules,
            Source<Decoded<CameraFrame>, ?, ?> frames, Sink<SegmentationMask> masks, Sink<Alert> alerts,
            Sink<DeadLetter> deadLetters) {
        this.options = Objects.requireNonNull(options, "options");
        this.model = ConfiguredModel.location(model);
        this.rules = Objects.requireNonNull(rules, "rules");
        this.frames = Objects.requireNonNull(frames, "frames");
        this.masks = Objects.requireNonNull(masks, "masks");
        this.alerts = Objects.requireNonNull(alerts, "alerts");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.releases = null;
    }

    private InferenceJob(InferenceJob job, ModelReleaseFeed releases) {
        this.options = job.options;
        this.model = job.model;
        this.rules = job.rules;
        this.frames = job.frames;
        this.masks = job.masks;
        this.alerts = job.alerts;
        this.deadLetters = job.deadLetters;
        this.releases = releases;
    }

    /** This job, following {@code feed} for model releases to hot-swap. */
    public InferenceJob withModelReleases(ModelReleaseFeed feed) {
        return new InferenceJob(this, Objects.requireNonNull(feed, "feed"));
    }

    /** The job on Kafka topics named by the options, with exactly-once masks and alerts sinks. */
    public static InferenceJob onKafka(InferenceJobOptions options, Path modelDir) throws AlertRulesException {
        return onKafka(options, Objects.requireNonNull(modelDir, "modelDir").toString());
    }

    /**
     * The job on Kafka topics named by the options, serving {@code model}: a directory or a model-store URI (see
     * {@link ConfiguredModel}).
     */
    public static InferenceJob onKafka(InferenceJobOptions options, String model) throws AlertRulesException {
        String bootstrap = options.get(InferenceJobOptions.BOOTSTRAP);
        SegstreamTopics topics = topics(options);
        String txPrefix = options.get(InferenceJobOptions.TRANSACTIONAL_ID_PREFIX);
        Duration checkpoints = options.checkpointInterval();
        AvroKafkaSource.Builder<CameraFrame> source = AvroKafkaSource.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap)
                .setTopic(topics.frames())
                .setGroupId(options.get(InferenceJobOptions.GROUP_ID))
                .optWriterSchemas(frameWriterSchemas(options));
        if (options.get(InferenceJobOptions.FROM_LATEST)) {
            source.optStartingOffsets(OffsetsInitializer.latest());
        }
        InferenceJob job = new InferenceJob(options, model, loadRules(options.get(InferenceJobOptions.RULES)),
                source.build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bootstrap).setTopic(topics.masks())
                        .optExactlyOnce(txPrefix + "-masks").optCheckpointInterval(checkpoints).build(),
                alertsSink(options, bootstrap, topics.alerts()),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bootstrap)
                        .setTopic(topics.deadLetters())
                        .optExactlyOnce(txPrefix + "-dlq").optCheckpointInterval(checkpoints).build());
        if (!options.get(InferenceJobOptions.MODELS_TOPIC)) {
            return job;
        }
        try {
            return job.withModelReleases(ModelReleaseFeed.onKafka(bootstrap, topics,
                    options.get(InferenceJobOptions.GROUP_ID), Duration.ofSeconds(30)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the models topic " + topics.models() + " on " + bootstrap
                    + " (" + e.getMessage() + "); start with models-topic=false to serve the configured model only", e);
        }
    }

    /**
     * The alerts sink: transactional like the masks, or with {@code alerts-delivery=fast} an idempotent producer that
     * sends each alert as it is raised. The fast path is at least once: after a failover the job replays the frames
     * since its last checkpoint and raises the same alerts again, with the same deterministic {@code alert_id} and
     * state, so a consumer that keeps the first of each (alert_id, state) sees every alert once.
     */
    public static Sink<Alert> alertsSink(InferenceJobOptions options, String bootstrap, String topic) {
        AvroKafkaSink.Builder<Alert> sink = AvroKafkaSink.builder(Alert.class).setBootstrapServers(bootstrap)
                .setTopic(topic);
        if (options.fastAlerts()) {
            return sink.optProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                    .optProperty(ProducerConfig.ACKS_CONFIG, "all")
                    .optProperty(ProducerConfig.LINGER_MS_CONFIG, "0")
                    .build();
        }
        return sink.optExactlyOnce(options.get(InferenceJobOptions.TRANSACTIONAL_ID_PREFIX) + "-alerts")
                .optCheckpointInterval(options.checkpointInterval()).build();
    }

    /**
     * The CameraFrame writer schemas of the options' {@code writer-schemas} folder, each checked to be readable as
     * the job's CameraFrame (an incompatible one stops the start with a sentence naming its file), for the frames
     * source's {@code optWriterSchemas}.
     */
    public static Schema[] frameWriterSchemas(InferenceJobOptions options) {
        WriterSchemas known = options.writerSchemas();
        known.codecFor(CameraFrame.class);
        Schema[] frames = known.forType(CameraFrame.getClassSchema().getFullName()).toArray(Schema[]::new);
        if (frames.length > 0) {
            LOG.info("the frames source also decodes {} newer or older CameraFrame schema versions ({})",
                    frames.length, known);
        }
        return frames;
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
        Duration maxAhead = options.maxClockAhead();
        WatermarkStrategy<Decoded<CameraFrame>> watermarks = WatermarkStrategy
                .<Decoded<CameraFrame>>forBoundedOutOfOrderness(
                        Duration.ofMillis(options.get(InferenceJobOptions.OUT_OF_ORDERNESS_MS)))
                .withTimestampAssigner((d, kafkaTs) -> CaptureTimeCheck.eventTime(d, kafkaTs, maxAhead))
                .withIdleness(Duration.ofMillis(Math.max(1, options.get(InferenceJobOptions.IDLENESS_MS))));
        DataStream<Decoded<CameraFrame>> source = env.fromSource(frames, watermarks, "frames").uid("frames-source");
        DecodedSplit<CameraFrame> split = DecodedSplit.of(source, "frames");
        SingleOutputStreamOperator<Decoded<CameraFrame>> named = split.decoded()
                .process(new CameraIdCheck(), split.decoded().getType())
                .name("camera id check").uid("camera-id-check");
        SingleOutputStreamOperator<Decoded<CameraFrame>> timed = named
                .process(new CaptureTimeCheck(maxAhead), split.decoded().getType())
                .name("capture time check").uid("capture-time-check");
        // before the model, so that a repeated frame costs no inference; chained to the source (no shuffle)
        SingleOutputStreamOperator<Decoded<CameraFrame>> checked = timed
                .process(new SequenceCheck(), split.decoded().getType())
                .name("seq check").uid("sequence-check");

        SegmentationSettings settings = new SegmentationSettings(
                model,
                options.segmenterSettings(),
                rules,
                options.get(InferenceJobOptions.MASK_ENCODING),
                options.get(InferenceJobOptions.BATCH_SIZE),
                options.get(InferenceJobOptions.BATCH_WAIT_MS),
                options.live(),
                options.get(InferenceJobOptions.STALENESS_MS),
                options.targets(),
                options.modelCacheDir().toAbsolutePath().toString(),
                options.storeOptions(),
                releases == null ? null : releases.before());
        DataStream<DeadLetter> releaseDeadLetters;
        DataStream<ModelRelease> releaseRecords;
        if (releases != null) {
            DecodedSplit<ModelRelease> models = DecodedSplit.of(env.fromSource(releases.source(),
                    WatermarkStrategy.noWatermarks(), "models").uid("models-source").setParallelism(1), "models");
            releaseRecords = models.records();
            releaseDeadLetters = models.deadLetters();
        } else {
            // no feed: an empty release input that ends with the frames, so bounded jobs still finish
            releaseRecords = timed.flatMap(new NoReleases(), new AvroTypeInfo<>(ModelRelease.class))
                    .name("no model releases").uid("models-none");
            releaseDeadLetters = null;
        }
        SingleOutputStreamOperator<SegmentationMask> segmented = checked
                .connect(releaseRecords.broadcast())
                .transform("segment", new AvroTypeInfo<>(SegmentationMask.class), new SegmentationOperator(settings))
                .uid("segment");

        SegstreamTopics topics = topics(options);
        SingleOutputStreamOperator<SegmentationMask> maskOut = SinkGuard.before(segmented, SegmentationMask.class,
                topics.masks(), "masks");
        maskOut.sinkTo(masks).name("masks sink").uid("masks-sink");
        SingleOutputStreamOperator<Alert> alertOut = SinkGuard.before(segmented.keyBy(AlertFunction.BY_CAMERA)
                .process(new AlertFunction(rules), new AvroTypeInfo<>(Alert.class))
                .name("alert rules").uid("alert-rules")
                .union(segmented.getSideOutput(SegmentationOperator.SYSTEM_ALERTS)), Alert.class, topics.alerts(),
                "alerts");
        alertOut.sinkTo(alerts).name("alerts sink").uid("alerts-sink");
        DataStream<DeadLetter> allDeadLetters = split.deadLetters().union(
                named.getSideOutput(DecodedSplit.DEAD_LETTERS),
                timed.getSideOutput(DecodedSplit.DEAD_LETTERS),
                segmented.getSideOutput(DecodedSplit.DEAD_LETTERS),
                maskOut.getSideOutput(DecodedSplit.DEAD_LETTERS),
                alertOut.getSideOutput(DecodedSplit.DEAD_LETTERS));
        if (releaseDeadLetters != null) {
            allDeadLetters = allDeadLetters.union(releaseDeadLetters);
        }
        allDeadLetters.sinkTo(deadLetters).name("dead letters sink").uid("dead-letters-sink");
    }

    /** Emits no release for any frame: the release input of a job that serves its configured model only. */
    private static final class NoReleases implements FlatMapFunction<Decoded<CameraFrame>, ModelRelease> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(Decoded<CameraFrame> frame, Collector<ModelRelease> out) {
        }
    }

    /** Entry point of the job jar: {@code --key value} pairs of {@link InferenceJobOptions}. */
    public static void main(String[] args) throws Exception {
        InferenceJobOptions options = InferenceJobOptions.fromArgs(args);
        String model = options.get(InferenceJobOptions.MODEL);
        if (model.isBlank()) {
            throw new IllegalArgumentException("--model DIR or --model URI is required when the job runs on a"
                    + " cluster, e.g. /models/current or s3://models/rail/current/");
        }
        LOG.info("segstream inference job options: {}", options);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        onKafka(options, model).build(env);
        env.execute("segstream inference");
    }
}
