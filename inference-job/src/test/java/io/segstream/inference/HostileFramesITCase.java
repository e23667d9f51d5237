package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.frames.FrameFailure;
import io.segstream.inference.segment.CameraIdCheck;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.SegmentationMask;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile inputs (issue 14) between good frames of two cameras, in one bounded run of the inference job on a Flink
 * MiniCluster against a real embedded Kafka broker: each hostile record has exactly its expected outcome (a dead
 * letter with stage and reason, or a counted skip), every good frame gets exactly one mask (read_committed), and the
 * job finishes without a restart (restarts are off: any task failure fails the test).
 */
class HostileFramesITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    static Path tmp;

    /** What the job is fed, in order: (key, value) pairs. */
    private final List<Map.Entry<String, byte[]>> fed = new ArrayList<>();
    private final AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
    private long tick;

    private void feed(String key, byte[] value) {
        fed.add(Map.entry(key, value));
    }

    /** A frame stamped in feeding order, so capture times only go forward whatever the seqs do. */
    private CameraFrame stamped(CameraFrame f) {
        f.setCaptureTime(Instant.ofEpochMilli(Frames.T0 + 100 * tick++));
        return f;
    }

    private void good(String camera, long seq) {
        feed(camera, codec.encode(stamped(Frames.frame(camera, seq, false))));
    }

    @Test
    void everyHostileRecordHasItsOneOutcomeAndEveryGoodFrameOneMask() throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("hostile.").build();
        KAFKA.broker().ensureTopics(topics.all());
        Path writerSchemas = Path.of(HostileFramesITCase.class.getResource("/writer-schemas").toURI());
        Schema v2 = new Schema.Parser().parse(writerSchemas.resolve("CameraFrame-v2.avsc").toFile());

        for (long seq = 0; seq < 3; seq++) {
            good("cam-a", seq);
            good("cam-b", 100 + seq);
        }
        // 1. decompression bombs: image header and record agree on a size no camera sends
        CameraFrame pngBomb = stamped(Frames.frame("cam-a", 3, false));
        pngBomb.setWidth(100_000);
        pngBomb.setHeight(100_000);
        pngBomb.setData(ByteBuffer.wrap(pngClaiming(100_000, 100_000)));
        feed("cam-a", codec.encode(pngBomb));
        CameraFrame jpegBomb = stamped(Frames.frame("cam-a", 4, false));
        jpegBomb.setEncoding(ImageEncoding.JPEG);
        jpegBomb.setWidth(65_535);
        jpegBomb.setHeight(65_535);
        jpegBomb.setData(ByteBuffer.wrap(jpegClaiming(65_535, 65_535)));
        feed("cam-a", codec.encode(jpegBomb));
        good("cam-a", 5);
        good("cam-b", 103);
        // 6. a frame the model gives NaN scores for (black), between good ones
        CameraFrame black = stamped(Frames.frame("cam-a", 6, false));
        black.setData(ByteBuffer.wrap(blackPng()));
        feed("cam-a", codec.encode(black));
        good("cam-a", 7);
        // 5. the same (camera, seq) again: skipped and counted
        feed("cam-a", fed.get(fed.size() - 1).getValue());
        good("cam-a", 8);
        // 2. a newer compatible schema the job was given: decodes and gets a mask
        feed("cam-a", writtenWith(v2, "cam-a", 9));
        // 2. a newer schema the job was not given: a decode dead letter that says so
        Schema v3 = withField(v2, "iso", Schema.create(Schema.Type.INT), 0);
        feed("cam-a", writtenWith(v3, "cam-a", 10));
        // 3. a valid single-object header with the body cut
        byte[] whole = codec.encode(stamped(Frames.frame("cam-a", 11, false)));
        feed("cam-a", Arrays.copyOf(whole, AvroCodec.HEADER_BYTES + 40));
        // 4. camera ids that are paths or carry control characters
        feed("x", codec.encode(stamped(Frames.frame("../../etc/x", 0, false))));
        feed("y", codec.encode(stamped(Frames.frame("cam\u0000\n1", 0, false))));
        good("cam-a", 12);
        good("cam-b", 104);
        // 5. cam-b restarts its counter: 104 -> 0 is further back than the window
        for (long seq = 0; seq < 3; seq++) {
            good("cam-b", seq);
        }
        produce(topics.frames());

        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of(
                "bootstrap", KAFKA.bootstrapServers(),
                "topic-prefix", "hostile.",
                "mode", "replay",
                "batch-size", "4",
                "batch-wait-ms", "20",
                "checkpoint-interval-ms", "500",
                "models-topic", "false",
                "writer-schemas", writerSchemas.toString(),
                "transactional-id-prefix", "tx-hostile"));
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        InferenceJob.configure(env, o);
        boundedJob(o, topics, ColourModel.writeNaNOnBlack(tmp.resolve("colour-nan"), "nan-on-black")).build(env);
        JobExecutionResult result = env.execute("hostile frames");

        List<SegmentationMask> masks = read(SegmentationMask.class, topics.masks(), 16);
        Map<String, Long> perFrame = masks.stream().collect(Collectors.groupingBy(
                m -> m.getCameraId() + "#" + m.getSeq(), TreeMap::new, Collectors.counting()));
        assertEquals(new TreeMap<>(Map.ofEntries(
                Map.entry("cam-a#0", 1L), Map.entry("cam-a#1", 1L), Map.entry("cam-a#2", 1L), Map.entry("cam-a#5", 1L),
                Map.entry("cam-a#7", 1L), Map.entry("cam-a#8", 1L), Map.entry("cam-a#9", 1L),
                Map.entry("cam-a#12", 1L), Map.entry("cam-b#100", 1L), Map.entry("cam-b#101", 1L),
                Map.entry("cam-b#102", 1L), Map.entry("cam-b#103", 1L), Map.entry("cam-b#104", 1L),
                Map.entry("cam-b#0", 1L), Map.entry("cam-b#1", 1L), Map.entry("cam-b#2", 1L))), perFrame,
                "exactly one mask per good frame, none for a hostile one");
        assertEquals(16, masks.size());

        List<DeadLetter> dead = read(DeadLetter.class, topics.deadLetters(), 7);
        assertEquals(7, dead.size(), "one dead letter per refused record: " + describe(dead));
        assertDeadLetter(dead, FrameFailure.STAGE_IMAGE, "camera cam-a seq 3: the frame is 100000x100000"
                + " (10000000000 pixels), more than the limit of 67108864 pixels");
        assertDeadLetter(dead, FrameFailure.STAGE_IMAGE, "camera cam-a seq 4: the frame is 65535x65535");
        assertDeadLetter(dead, FrameFailure.STAGE_MODEL, "camera cam-a seq 6: model colour:nan-on-black gave "
                + (ColourModel.WIDTH * ColourModel.HEIGHT * ColourModel.CLASSES) + " NaN and 0 infinite class scores");
        assertDeadLetter(dead, DeadLetters.STAGE_DECODE, "CameraFrame schema version this reader does not know");
        assertDeadLetter(dead, DeadLetters.STAGE_DECODE, "the value ends early");
        assertDeadLetter(dead, CameraIdCheck.STAGE_CAMERA_ID,
                "frame seq 0: camera id \"../../etc/x\" is not a valid camera id");
        assertDeadLetter(dead, CameraIdCheck.STAGE_CAMERA_ID,
                "frame seq 0: camera id \"cam\\u0000\\n1\" is not a valid camera id");
        DeadLetter nan = dead.stream().filter(d -> d.getStage().equals(FrameFailure.STAGE_MODEL)).findFirst()
                .orElseThrow();
        assertEquals("cam-a", nan.getCameraId());
        assertEquals(6L, nan.getSeq());
        assertTrue(dead.stream().allMatch(d -> d.getSourceTopic().equals(topics.frames())));

        JobID job = result.getJobID();
        assertEquals(1, count(job, "skippedDuplicates"), "the repeated cam-a seq 7");
        assertEquals(1, count(job, "sequenceRestarts"), "cam-b 104 -> 0");
        assertEquals(2, count(job, "refusedCameraIds"));
    }

    private static void assertDeadLetter(List<DeadLetter> dead, String stage, String reasonPart) {
        long n = dead.stream().filter(d -> d.getStage().equals(stage) && d.getReason().contains(reasonPart)).count();
        assertEquals(1, n, "one " + stage + " dead letter with \"" + reasonPart + "\" in " + describe(dead));
    }

    private static List<String> describe(List<DeadLetter> dead) {
        return dead.stream().map(d -> d.getStage() + ": " + d.getReason()).toList();
    }

    private static long count(JobID job, String metric) {
        return METRICS.findMetrics(job, metric).values().stream()
                .mapToLong(m -> ((Counter) m).getCount()).sum();
    }

    private void produce(String topic) {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                KafkaClientConfigs.producer(KAFKA.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> e : fed) {
                raw.send(new ProducerRecord<>(topic, e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue()));
            }
            raw.flush();
        }
    }

    private static InferenceJob boundedJob(InferenceJobOptions o, SegstreamTopics topics, Path model) {
        String bs = KAFKA.bootstrapServers();
        return new InferenceJob(o, model, rules(),
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-hostile").optBounded(OffsetsInitializer.latest())
                        .optWriterSchemas(InferenceJob.frameWriterSchemas(o)).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce("tx-hostile-masks").build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                        .optExactlyOnce("tx-hostile-alerts").build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                        .optExactlyOnce("tx-hostile-dlq").build());
    }

    private static AlertRules rules() {
        try {
            return AlertRules.load(Path.of(HostileFramesITCase.class.getResource("/corridor-rules.yaml").toURI()));
        } catch (Exception e) {
            throw new IllegalStateException("the test rules do not load", e);
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(Class<T> type, String topic,
            int atLeast) throws Exception {
        try (AvroTopicReader<T> r = AvroTopicReader.builder(type).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topic).build()) {
            List<T> out = new ArrayList<>(r.readAtLeast(atLeast, Duration.ofSeconds(30)));
            out.addAll(r.readToEnd(Duration.ofSeconds(2)));
            return out;
        }
    }

    /** The test PNG with its IHDR size replaced (the chunk's CRC no longer matches; nothing should read that far). */
    private static byte[] pngClaiming(int width, int height) {
        byte[] png = Frames.png(false);
        ByteBuffer.wrap(png).putInt(16, width).putInt(20, height);
        return png;
    }

    /** A JPEG with its baseline frame header's size replaced (16 bits each: 65535 is the most a JPEG can claim). */
    private static byte[] jpegClaiming(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(Frames.WIDTH, Frames.HEIGHT, BufferedImage.TYPE_3BYTE_BGR), "jpeg", out);
        byte[] jpeg = out.toByteArray();
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                ByteBuffer.wrap(jpeg).putShort(i + 5, (short) height).putShort(i + 7, (short) width);
                return jpeg;
            }
        }
        throw new AssertionError("no baseline frame header in the test JPEG");
    }

    private static byte[] blackPng() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(Frames.WIDTH, Frames.HEIGHT, BufferedImage.TYPE_3BYTE_BGR), "png", out);
        return out.toByteArray();
    }

    /** {@code schema} with one more field, with a default. */
    private static Schema withField(Schema schema, String name, Schema type, Object defaultValue) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : schema.getFields()) {
            fields.add(new Schema.Field(f, f.schema()));
        }
        fields.add(new Schema.Field(name, type, null, defaultValue));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    /** A grey frame as a producer with a newer schema writes it (every extra field set). */
    private byte[] writtenWith(Schema schema, String camera, long seq) throws Exception {
        GenericRecordBuilder b = new GenericRecordBuilder(schema)
                .set("camera_id", camera).set("seq", seq)
                .set("capture_time", Frames.T0 + 100 * tick++).set("ingest_time", System.currentTimeMillis())
                .set("width", Frames.WIDTH).set("height", Frames.HEIGHT)
                .set("encoding", new GenericData.EnumSymbol(schema.getField("encoding").schema(), "PNG"))
                .set("data", ByteBuffer.wrap(Frames.png(false)))
                .set("attributes", Map.of())
                .set("exposure_us", 800L)
                .set("lens", "f/1.8 4 mm");
        if (schema.getField("iso") != null) {
            b.set("iso", 400);
        }
        GenericRecord r = b.build();
        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(r).array();
    }
}
