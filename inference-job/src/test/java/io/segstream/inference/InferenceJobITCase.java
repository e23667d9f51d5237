package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.alerts.AlertRules;
import io.segstream.inference.segment.CaptureTimeCheck;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.SegmentationMask;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inference job on a Flink MiniCluster against a real embedded Kafka broker and a real ONNX model. */
class InferenceJobITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    private static final AtomicInteger TOPIC_SEQ = new AtomicInteger();
    private static AlertRules rules;

    @TempDir
    static Path tmp;
    private static Path model;

    @BeforeAll
    static void start() throws Exception {
        model = ColourModel.write(tmp.resolve("colour"), "1");
        rules = AlertRules.load(Path.of(InferenceJobITCase.class.getResource("/corridor-rules.yaml").toURI()));
    }

    private static SegstreamTopics freshTopics() throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("it" + TOPIC_SEQ.incrementAndGet() + ".").build();
        KAFKA.broker().ensureTopics(topics.all());
        return topics;
    }

    private static InferenceJobOptions options(SegstreamTopics topics, String mode) {
        return options(topics, mode, Map.of());
    }

    /** The test options, with {@code overrides} on top. */
    private static InferenceJobOptions options(SegstreamTopics topics, String mode, Map<String, String> overrides) {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "bootstrap", KAFKA.bootstrapServers(),
                "topic-prefix", topics.frames().substring(0, topics.frames().indexOf("frames")),
                "mode", mode,
                "batch-size", "4",
                "batch-wait-ms", "20",
                "checkpoint-interval-ms", "500",
                "transactional-id-prefix", "tx-" + topics.frames()));
        settings.putAll(overrides);
        return InferenceJobOptions.fromMap(settings);
    }

    /** The job with a bounded frames source: it ends once it has read what the topic holds now. */
    private static InferenceJob boundedJob(InferenceJobOptions o, SegstreamTopics topics) {
        String bs = KAFKA.bootstrapServers();
        String tx = o.get(InferenceJobOptions.TRANSACTIONAL_ID_PREFIX);
        return new InferenceJob(o, model, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-" + topics.frames()).optBounded(OffsetsInitializer.latest()).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce(tx + "-masks").build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                        .optExactlyOnce(tx + "-alerts").build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                        .optExactlyOnce(tx + "-dlq").build());
    }

    private static void produce(String topic, List<CameraFrame> frames) throws Exception {
        Frames.produce(KAFKA.bootstrapServers(), topic, frames);
    }

    private static void produceRaw(String topic, byte[] value) {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                KafkaClientConfigs.producer(KAFKA.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, "cam-a".getBytes(StandardCharsets.UTF_8), value));
            raw.flush();
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(Class<T> type, String topic,
            int atLeast) throws Exception {
        try (AvroTopicReader<T> r = AvroTopicReader.builder(type).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topic).build()) {
            List<T> out = new ArrayList<>(r.readAtLeast(atLeast, Duration.ofSeconds(60)));
            out.addAll(r.readToEnd(Duration.ofSeconds(2)));
            return out;
        }
    }

    @Test
    void everyFrameGetsOneMaskAndTheScriptedPersonRaisesAndClearsOneAlert() throws Exception {
        SegstreamTopics topics = freshTopics();
        produce(topics.frames(), Frames.scriptedDrive(30));

        InferenceJobOptions o = options(topics, "replay");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        boundedJob(o, topics).build(env);
        env.execute("scripted drive");

        List<SegmentationMask> masks = readAll(SegmentationMask.class, topics.masks(), 60);
        assertEquals(60, masks.size(), "one mask per frame");
        Map<String, List<Long>> seqs = masks.stream().collect(Collectors.groupingBy(
                SegmentationMask::getCameraId, TreeMap::new,
                Collectors.mapping(SegmentationMask::getSeq, Collectors.toList())));
        List<Long> expected = java.util.stream.LongStream.range(0, 30).boxed().toList();
        assertEquals(expected, seqs.get("cam-a"), "cam-a masks in seq order, each once");
        assertEquals(expected, seqs.get("cam-b"));
        SegmentationMask withPerson = masks.stream()
                .filter(m -> m.getCameraId().equals("cam-a") && m.getSeq() == 12).findFirst().orElseThrow();
        assertEquals("colour", withPerson.getModel().getName());
        assertEquals("rail-20", withPerson.getLabelSet());
        assertEquals(Frames.WIDTH, withPerson.getWidth());
        float corridorPerson = withPerson.getZoneFractions().get(0).getClassFractions().get("person");
        // the red box is 32x16 = 512 of the corridor's 64x32 = 2048 pixels; edges blur through the 2x resize
        assertEquals(0.25, corridorPerson, 0.03);

        List<Alert> alerts = readAll(Alert.class, topics.alerts(), 2);
        assertEquals(2, alerts.size(), "one RAISED and one CLEARED: " + alerts);
        alerts.sort(Comparator.comparingLong(Alert::getSeq));
        assertEquals(AlertState.RAISED, alerts.get(0).getState());
        assertEquals(11, alerts.get(0).getSeq(), "2 of the last 3 frames at seq 11");
        assertEquals(AlertState.CLEARED, alerts.get(1).getState());
        assertEquals(22, alerts.get(1).getSeq(), "3 clean frames 20..22");
        assertEquals(alerts.get(0).getAlertId(), alerts.get(1).getAlertId());
        assertTrue(alerts.stream().allMatch(a -> a.getCameraId().equals("cam-a")));

        assertTrue(readAll(DeadLetter.class, topics.deadLetters(), 0).isEmpty());
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndLaterFramesStillGetMasks() throws Exception {
        SegstreamTopics topics = freshTopics();
        List<CameraFrame> good = new ArrayList<>();
        for (int seq = 0; seq < 3; seq++) {
            good.add(Frames.frame("cam-c", seq, false));
        }
        produce(topics.frames(), good);

        byte[] png = Frames.png(false);
        CameraFrame truncated = Frames.frame("cam-c", 3, false);
        truncated.setEncoding(ImageEncoding.JPEG);
        truncated.setData(ByteBuffer.wrap(Arrays.copyOf(png, png.length / 3)));
        CameraFrame lyingHeader = Frames.frame("cam-c", 4, false);
        lyingHeader.setWidth(1920);
        lyingHeader.setHeight(1080);
        Alert otherSchema = Alert.newBuilder().setAlertId("x").setCameraId("cam-c").setSeq(1).setRuleId("r")
                .setSeverity(io.segstream.schemas.Severity.INFO).setState(AlertState.RAISED)
                .setCaptureTime(Instant.EPOCH).build();
        AvroCodec<CameraFrame> frames = AvroCodec.of(CameraFrame.class);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                KafkaClientConfigs.producer(KAFKA.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            byte[] key = "cam-c".getBytes(StandardCharsets.UTF_8);
            raw.send(new ProducerRecord<>(topics.frames(), key, "not avro at all".getBytes(StandardCharsets.UTF_8)));
            raw.send(new ProducerRecord<>(topics.frames(), key, new byte[0]));
            raw.send(new ProducerRecord<>(topics.frames(), key, frames.encode(truncated)));
            raw.send(new ProducerRecord<>(topics.frames(), key, frames.encode(lyingHeader)));
            raw.send(new ProducerRecord<>(topics.frames(), key, AvroCodec.of(Alert.class).encode(otherSchema)));
            raw.flush();
        }
        List<CameraFrame> later = new ArrayList<>();
        for (int seq = 5; seq < 8; seq++) {
            later.add(Frames.frame("cam-c", seq, false));
        }
        produce(topics.frames(), later);

        InferenceJobOptions o = options(topics, "replay");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        boundedJob(o, topics).build(env);
        env.execute("bad input");

        List<SegmentationMask> masks = readAll(SegmentationMask.class, topics.masks(), 6);
        assertEquals(List.of(0L, 1L, 2L, 5L, 6L, 7L), masks.stream().map(SegmentationMask::getSeq).sorted().toList());

        List<DeadLetter> dead = readAll(DeadLetter.class, topics.deadLetters(), 5);
        assertEquals(5, dead.size(), "five bad records: " + dead);
        dead.sort(Comparator.comparingLong(DeadLetter::getSourceOffset));
        assertEquals(List.of("decode", "decode", "image", "image", "decode"),
                dead.stream().map(DeadLetter::getStage).toList());
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), dead.stream().map(DeadLetter::getSourceOffset).toList());
        assertTrue(dead.get(2).getReason().contains("camera cam-c seq 3"), dead.get(2).getReason());
        assertTrue(dead.get(3).getReason().contains("1920x1080"), dead.get(3).getReason());
        assertEquals(3L, dead.get(2).getSeq());
        for (DeadLetter d : dead) {
            assertEquals(topics.frames(), d.getSourceTopic());
            assertTrue(!d.getReason().isBlank());
        }
    }

    /**
     * The poison-pill rule for time stamps: frames whose capture time is -1, 0 or in the year 9999, between good
     * frames of two cameras, give one dead letter each; the job never fails (no restarts allowed here), every good
     * frame gets exactly one mask, and the other camera's alert raises and clears as without them.
     */
    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"replay", "live"})
    void framesWithUnusableCaptureTimesAreDeadLetteredOnceAndNeverStopTheJob(String mode) throws Exception {
        SegstreamTopics topics = freshTopics();
        // live mode skips frames older than the staleness bound: stamp them now and allow ten minutes
        long base = mode.equals("live") ? System.currentTimeMillis() - 5_000 : Frames.T0;
        List<CameraFrame> camX = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
            camX.add(stamped(Frames.frame("cam-x", seq, false), base + seq * 100L));
        }
        produce(topics.frames(), camX);
        long year9999 = Instant.parse("9999-06-01T00:00:00Z").toEpochMilli();
        AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                KafkaClientConfigs.producer(KAFKA.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long seq = 10;
            for (long captureTime : new long[] {-1, 0, year9999}) {
                CameraFrame bad = stamped(Frames.frame("cam-x", seq++, false), captureTime);
                raw.send(new ProducerRecord<>(topics.frames(), "cam-x".getBytes(StandardCharsets.UTF_8),
                        codec.encode(bad)));
            }
            raw.flush();
        }
        List<CameraFrame> camY = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
            // a person in the corridor in frames 2..5: raised at 3 (2 of 3), cleared at 8 (3 clean frames)
            camY.add(stamped(Frames.frame("cam-y", seq, seq >= 2 && seq < 6), base + 2_000 + seq * 100L));
        }
        produce(topics.frames(), camY);

        InferenceJobOptions o = options(topics, mode, Map.of("staleness-ms", "600000"));
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        InferenceJob.configure(env, o);
        boundedJob(o, topics).build(env);
        env.execute("capture times");

        List<SegmentationMask> masks = readAllOrExplain(topics, 20);
        Map<String, Long> perFrame = masks.stream().collect(Collectors.groupingBy(
                m -> m.getCameraId() + "#" + m.getSeq(), TreeMap::new, Collectors.counting()));
        assertEquals(20, perFrame.size(), "every good frame has a mask: " + perFrame.keySet());
        assertTrue(perFrame.values().stream().allMatch(n -> n == 1), "no frame has two masks: " + perFrame);
        assertEquals(20, masks.size());
        assertTrue(masks.stream().noneMatch(m -> m.getSeq() >= 10), "the bad frames get no mask");

        List<DeadLetter> dead = readAll(DeadLetter.class, topics.deadLetters(), 3);
        assertEquals(3, dead.size(), "one dead letter per bad frame: " + dead);
        dead.sort(Comparator.comparingLong(DeadLetter::getSourceOffset));
        assertEquals(List.of(10L, 11L, 12L), dead.stream().map(DeadLetter::getSeq).toList());
        assertEquals(List.of(10L, 11L, 12L), dead.stream().map(DeadLetter::getSourceOffset).toList());
        assertTrue(dead.stream().allMatch(d -> d.getStage().equals(CaptureTimeCheck.STAGE_CAPTURE_TIME)));
        assertTrue(dead.get(2).getReason().contains("9999-06-01T00:00:00Z"), dead.get(2).getReason());

        List<Alert> alerts = readAll(Alert.class, topics.alerts(), 2);
        assertEquals(List.of("cam-y#3#RAISED", "cam-y#8#CLEARED"), alerts.stream()
                .sorted(Comparator.comparingLong(Alert::getSeq))
                .map(a -> a.getCameraId() + "#" + a.getSeq() + "#" + a.getState()).toList());
    }

    /**
     * The fast alert path: with checkpoints 5 min apart, alerts are visible to read_committed consumers long before
     * the masks commit; a task manager crash before any checkpoint replays the drive, and every repeated alert
     * carries the same alert_id and state as the first.
     */
    @Test
    void fastAlertsAreVisibleBeforeACheckpointAndRepeatWithTheSameIdsAfterAFailover(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        SegstreamTopics topics = freshTopics();
        InferenceJobOptions o = options(topics, "replay", Map.of("checkpoint-interval-ms", "300000",
                "alerts-delivery", "fast"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        // Flink draws the first checkpoint's delay from [min pause, interval]: with the job's 500 ms pause it may
        // fall in the test's first seconds and commit the masks; a pause of the whole interval puts it at 5 min
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(o.checkpointInterval().toMillis());
        String bs = KAFKA.bootstrapServers();
        new InferenceJob(o, model, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-" + topics.frames()).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce("fast-masks-" + topics.frames()).build(),
                InferenceJob.alertsSink(o, bs, topics.alerts()),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                        .optExactlyOnce("fast-dlq-" + topics.frames()).build()).build(env);
        JobClient job = env.executeAsync("fast alerts");
        try {
            produce(topics.frames(), Frames.scriptedDrive(30));
            List<Alert> first = readAll(Alert.class, topics.alerts(), 2);
            assertEquals(List.of("11 RAISED", "22 CLEARED"), first.stream().map(a -> a.getSeq() + " " + a.getState())
                    .sorted().toList(), "raised and cleared, visible before any checkpoint");
            assertTrue(readAll(SegmentationMask.class, topics.masks(), 0).isEmpty(),
                    "the masks wait for the checkpoint: the alerts did not");

            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            List<Alert> all = readAll(Alert.class, topics.alerts(), 4);
            assertTrue(all.size() >= 4, "the replay after the failover raised the alerts again: " + all.size());
            Map<String, List<String>> idsByEvent = all.stream().collect(Collectors.groupingBy(
                    a -> a.getSeq() + " " + a.getState(), TreeMap::new,
                    Collectors.mapping(Alert::getAlertId, Collectors.toList())));
            assertEquals(List.of("11 RAISED", "22 CLEARED"), List.copyOf(idsByEvent.keySet()),
                    "no alert the undisturbed run does not have");
            idsByEvent.forEach((event, ids) -> assertEquals(1, Set.copyOf(ids).size(),
                    event + " repeats with the same id: " + ids));
        } finally {
            job.cancel().get();
        }
    }

    /** The masks, at least {@code expected} of them, or a failure naming the masks and dead letters there are. */
    private static List<SegmentationMask> readAllOrExplain(SegstreamTopics topics, int expected) throws Exception {
        try {
            return readAll(SegmentationMask.class, topics.masks(), expected);
        } catch (java.io.IOException e) {
            throw new AssertionError(e.getMessage() + "; masks there: " + readAll(SegmentationMask.class,
                    topics.masks(), 0).stream().map(m -> m.getCameraId() + "#" + m.getSeq()).sorted().toList()
                    + "; dead letters: " + readAll(DeadLetter.class, topics.deadLetters(), 0).stream()
                    .map(d -> d.getSourceOffset() + ":" + d.getStage() + ":" + d.getReason()).toList(), e);
        }
    }

    private static CameraFrame stamped(CameraFrame frame, long captureMillis) {
        frame.setCaptureTime(Instant.ofEpochMilli(captureMillis));
        return frame;
    }

    @Test
    void afterATaskManagerCrashEveryMaskAndAlertIsCommittedExactlyOnce(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        SegstreamTopics topics = freshTopics();
        InferenceJobOptions o = options(topics, "replay");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        new InferenceJob(o, model, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopic(topics.frames()).setGroupId("g-" + topics.frames()).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopic(topics.masks()).optExactlyOnce("crash-masks-" + topics.frames()).build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopic(topics.alerts()).optExactlyOnce("crash-alerts-" + topics.frames()).build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopic(topics.deadLetters()).optExactlyOnce("crash-dlq-" + topics.frames()).build())
                .build(env);
        JobClient job = env.executeAsync("crash and recover");
        try {
            List<CameraFrame> drive = Frames.scriptedDrive(30);
            produce(topics.frames(), drive.subList(0, 30));
            // wait for a checkpoint to commit some masks, then take the task manager away mid-stream
            try (AvroTopicReader<SegmentationMask> r = AvroTopicReader.builder(SegmentationMask.class)
                    .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topics.masks()).build()) {
                assertTrue(r.readAtLeast(10, Duration.ofSeconds(60)).size() >= 10);
            }
            produce(topics.frames(), drive.subList(30, 45));
            produceRaw(topics.frames(), "not avro at all".getBytes(StandardCharsets.UTF_8));
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            produce(topics.frames(), drive.subList(45, 60));

            List<SegmentationMask> masks = readAll(SegmentationMask.class, topics.masks(), 60);
            Map<String, Long> perFrame = masks.stream().collect(Collectors.groupingBy(
                    m -> m.getCameraId() + "#" + m.getSeq(), Collectors.counting()));
            assertEquals(60, perFrame.size(), "every frame has a mask");
            assertTrue(perFrame.values().stream().allMatch(n -> n == 1), "no frame has two masks: " + perFrame);
            assertEquals(60, masks.size());

            List<Alert> alerts = readAll(Alert.class, topics.alerts(), 2);
            assertEquals(List.of(11L, 22L), alerts.stream().map(Alert::getSeq).sorted().toList(),
                    "the same two alerts as without the crash, each once");
            List<DeadLetter> dead = readAll(DeadLetter.class, topics.deadLetters(), 1);
            assertEquals(1, dead.size(), "the bad value replayed after the crash gives one dead letter: " + dead);
            assertEquals("decode", dead.get(0).getStage());
        } finally {
            job.cancel().get();
        }
    }
}
