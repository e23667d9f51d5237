package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.connectors.models.ModelReleaser;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.StoredModel;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.model.ModelDirectory;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.SegmentationMask;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model releases reaching the running inference job on a Flink MiniCluster with a real embedded Kafka broker:
 * a release mid-stream is hot-swapped in once per camera without losing or repeating a frame, the swap survives a
 * task manager crash and a fresh start, rolling back is releasing the old version again, and releases that fail verification are announced and never serve.
 */
class ModelHotSwapITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    private static final AtomicInteger TOPIC_SEQ = new AtomicInteger();
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();
    private static AlertRules rules;

    @TempDir
    static Path tmp;
    private static Path v1;
    private static URI registry;

    @BeforeAll
    static void start() throws Exception {
        v1 = ColourModel.write(tmp.resolve("colour-1"), "1");
        registry = tmp.resolve("registry").toUri();
        rules = AlertRules.load(Path.of(ModelHotSwapITCase.class.getResource("/corridor-rules.yaml").toURI()));
    }

    /** Fresh frames, masks, alerts and dead-letter topics; the models topic is {@code models}. */
    private static SegstreamTopics freshTopics(String models) throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("swap" + TOPIC_SEQ.incrementAndGet() + ".")
                .optName(TopicRole.MODELS, models).build();
        KAFKA.broker().ensureTopics(topics.all());
        return topics;
    }

    private static JobClient startJob(SegstreamTopics topics, String name) throws Exception {
        String bs = KAFKA.bootstrapServers();
        String prefix = topics.frames().substring(0, topics.frames().indexOf("frames"));
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of(
                "bootstrap", bs,
                "topic-prefix", prefix,
                "mode", "replay",
                "batch-size", "4",
                "batch-wait-ms", "20",
                "checkpoint-interval-ms", "300",
                "target", "datacenter",
                "model-cache-dir", tmp.resolve("cache").toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        new InferenceJob(o, v1, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-" + topics.frames()).build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce("tx-" + topics.masks()).build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                        .optExactlyOnce("tx-" + topics.alerts()).build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters()).build())
                .withModelReleases(ModelReleaseFeed.onKafka(bs, topics, "g-" + topics.frames(), Duration.ofSeconds(30)))
                .build(env);
        return env.executeAsync(name);
    }

    private static AvroKafkaProducer<CameraFrame> frameProducer(SegstreamTopics topics) {
        return AvroKafkaProducer.builder(CameraFrame.class).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topics.frames()).build();
    }

    /** Frames {@code from..to-1} of both cameras; cam-a sees a person on every third frame. */
    private static void sendFrames(AvroKafkaProducer<CameraFrame> p, long from, long to) throws Exception {
        for (long seq = from; seq < to; seq++) {
            for (String camera : CAMERAS) {
                p.send(Frames.frame(camera, seq, camera.equals("cam-a") && seq % 3 == 0));
            }
        }
        p.flush();
    }

    private static AvroTopicReader<SegmentationMask> masks(SegstreamTopics topics) throws Exception {
        return AvroTopicReader.builder(SegmentationMask.class).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topics.masks()).build();
    }

    private static ModelRelease publish(String modelsTopic, ModelRelease release) throws Exception {
        try (AvroKafkaProducer<ModelRelease> p = AvroKafkaProducer.builder(ModelRelease.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(modelsTopic).build()) {
            p.sendAndWait(release);
        }
        return release;
    }

    private static StoredModel store(Path modelDir) throws Exception {
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            return store.put(modelDir, registry);
        }
    }

    /** Masks by camera in seq order, each camera's list checked to hold every seq 0..count-1 exactly once. */
    private static Map<String, List<SegmentationMask>> byCamera(List<SegmentationMask> masks, long count) {
        Map<String, List<SegmentationMask>> out = masks.stream().collect(Collectors.groupingBy(
                SegmentationMask::getCameraId, TreeMap::new, Collectors.toList()));
        List<Long> expected = java.util.stream.LongStream.range(0, count).boxed().toList();
        for (String camera : CAMERAS) {
            List<SegmentationMask> list = out.get(camera);
            list.sort(Comparator.comparingLong(SegmentationMask::getSeq));
            assertEquals(expected, list.stream().map(SegmentationMask::getSeq).toList(),
                    camera + ": every seq has exactly one mask");
        }
        return out;
    }

    @Test
    void aReleaseMidStreamSwapsOncePerCameraLosesNothingAndSurvivesRestarts(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String models = "swap-models-" + TOPIC_SEQ.incrementAndGet();
        SegstreamTopics topics = freshTopics(models);
        JobClient job = startJob(topics, "hot swap");
        long next;
        Map<String, Long> lastV1 = new HashMap<>();
        Map<String, Long> firstV2 = new HashMap<>();
        try (AvroKafkaProducer<CameraFrame> frames = frameProducer(topics);
                AvroTopicReader<SegmentationMask> reader = masks(topics)) {
            sendFrames(frames, 0, 10);
            List<SegmentationMask> seen = new ArrayList<>(reader.readAtLeast(20, Duration.ofSeconds(90)));

            // v2 is another framework's export of the same model: NHWC, BGR, ImageNet mean/std, class ids, 40x20
            Path v2 = ForeignModels.nhwcClassIds(tmp.resolve("colour-2"), "2");
            ModelReleaser.Released released = ModelReleaser.builder().setModelDir(v2).setStoreRoot(registry)
                    .setBootstrapServers(KAFKA.bootstrapServers()).optTopic(models).optTarget("datacenter")
                    .build().release();
            assertEquals("datacenter", released.release().getTarget());

            // frames keep flowing while v2 is fetched, verified and warmed up, until both cameras show it
            next = 10;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!CAMERAS.stream().allMatch(c -> seen.stream().anyMatch(m -> m.getCameraId().equals(c)
                    && m.getModel().getVersion().equals("2")))) {
                assertTrue(System.nanoTime() < deadline, "v2 did not take over within 120 s");
                sendFrames(frames, next, next + 1);
                next++;
                reader.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
            }
            sendFrames(frames, next, next + 5);
            next += 5;
            seen.addAll(reader.readAtLeast((int) (2 * next) - seen.size(), Duration.ofSeconds(60)));

            Map<String, List<SegmentationMask>> cams = byCamera(seen, next);
            for (String camera : CAMERAS) {
                List<String> versions = cams.get(camera).stream().map(m -> m.getModel().getVersion()).toList();
                int switchAt = versions.indexOf("2");
                assertTrue(switchAt > 0, camera + " served v1 first: " + versions);
                assertEquals(List.of("1"), versions.subList(0, switchAt).stream().distinct().toList());
                assertEquals(List.of("2"), versions.subList(switchAt, versions.size()).stream().distinct().toList(),
                        camera + ": the version switches exactly once: " + versions);
                lastV1.put(camera, cams.get(camera).get(switchAt - 1).getSeq());
                firstV2.put(camera, cams.get(camera).get(switchAt).getSeq());
            }
            assertEquals(released.release().getSha256(), cams.get("cam-a").get((int) next - 1).getModel().getSha256());
            // the foreign model finds the red person as the colour model does
            for (SegmentationMask m : cams.get("cam-a")) {
                if (m.getSeq() % 3 == 0) {
                    assertTrue(m.getClassFractions().getOrDefault("person", 0f) > 0.03f,
                            "v" + m.getModel().getVersion() + " seq " + m.getSeq() + ": " + m.getClassFractions());
                } else {
                    assertEquals(1f, m.getClassFractions().get("road"), 1e-6f);
                }
            }
            System.out.printf("swap timeline: %s; frames lost: 0, duplicated: 0%n", CAMERAS.stream()
                    .map(c -> c + " last v1 seq " + lastV1.get(c) + ", first v2 seq " + firstV2.get(c))
                    .collect(Collectors.joining("; ")));

            // a task manager crash: the job restores from its last checkpoint and fetches v2 again
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            sendFrames(frames, next, next + 5);
            next += 5;
            seen.addAll(reader.readAtLeast((int) (2 * next) - seen.size(), Duration.ofSeconds(120)));
            Map<String, List<SegmentationMask>> after = byCamera(seen, next);
            for (String camera : CAMERAS) {
                List<SegmentationMask> list = after.get(camera);
                assertTrue(list.subList((int) next - 5, (int) next).stream()
                        .allMatch(m -> m.getModel().getVersion().equals("2")), camera + " serves v2 after the restore");
            }
        } finally {
            job.cancel().get();
        }

        // a fresh job (no state) on new frame topics reads the models topic and serves v2 from its first frame
        SegstreamTopics fresh = freshTopics(models);
        JobClient second = startJob(fresh, "fresh start");
        try (AvroKafkaProducer<CameraFrame> frames = frameProducer(fresh);
                AvroTopicReader<SegmentationMask> reader = masks(fresh)) {
            sendFrames(frames, 0, 5);
            List<SegmentationMask> all = new ArrayList<>(reader.readAtLeast(10, Duration.ofSeconds(90)));
            byCamera(all, 5);
            assertEquals(List.of("2"), all.stream().map(m -> m.getModel().getVersion()).distinct().toList());

            // rolling back is releasing the older version again
            ModelReleaser.builder().setModelDir(v1).setStoreRoot(registry).setBootstrapServers(KAFKA.bootstrapServers())
                    .optTopic(models).build().release();
            long seq = 5;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (all.stream().noneMatch(m -> m.getModel().getVersion().equals("1"))) {
                assertTrue(System.nanoTime() < deadline, "the roll back did not take over within 120 s");
                sendFrames(frames, seq, seq + 1);
                seq++;
                reader.poll(Duration.ofMillis(100)).forEach(r -> all.add(r.value()));
            }
            all.addAll(reader.readAtLeast((int) (2 * seq) - all.size(), Duration.ofSeconds(60)));
            for (List<SegmentationMask> camera : byCamera(all, seq).values()) {
                List<String> versions = camera.stream().map(m -> m.getModel().getVersion()).toList();
                int back = versions.indexOf("1");
                assertTrue(versions.subList(0, back).stream().allMatch("2"::equals)
                        && versions.subList(back, versions.size()).stream().allMatch("1"::equals),
                        "one switch back to v1: " + versions);
            }
        } finally {
            second.cancel().get();
        }
    }

    @Test
    void releasesThatFailVerificationAreAnnouncedAndTheServingModelStays() throws Exception {
        String models = "bad-models-" + TOPIC_SEQ.incrementAndGet();
        SegstreamTopics topics = freshTopics(models);
        JobClient job = startJob(topics, "bad releases");
        try (AvroKafkaProducer<CameraFrame> frames = frameProducer(topics);
                AvroTopicReader<SegmentationMask> reader = masks(topics)) {
            sendFrames(frames, 0, 3);
            List<SegmentationMask> seen = new ArrayList<>(reader.readAtLeast(6, Duration.ofSeconds(90)));

            Instant now = Instant.now();
            StoredModel good = store(ColourModel.write(tmp.resolve("bad/sha"), "10"));
            ModelRelease wrongSha = ModelReleases.describe(good, "all", Optional.empty(), now);
            wrongSha.setSha256(ModelDirectory.sha256("other bytes".getBytes(StandardCharsets.UTF_8)));

            StoredModel truncatedModel = store(ColourModel.write(tmp.resolve("bad/truncated"), "11"));
            Path storedOnnx = Path.of(truncatedModel.artifact().file("model.onnx"));
            byte[] bytes = Files.readAllBytes(storedOnnx);
            Files.write(storedOnnx, Arrays.copyOf(bytes, bytes.length - 7));
            ModelRelease truncated = ModelReleases.describe(truncatedModel, "datacenter", Optional.empty(), now);

            ModelRelease wrongShape = ModelReleases.describe(
                    store(ForeignModels.wrongInputShape(tmp.resolve("bad/shape"), "12")), "all", Optional.empty(), now);
            ModelRelease nan = ModelReleases.describe(
                    store(ColourModel.writeNaN(tmp.resolve("bad/nan"), "13")), "all", Optional.empty(), now);
            ModelRelease cityscapes = ModelReleases.describe(
                    store(ForeignModels.otherLabelSet(tmp.resolve("bad/labels"), "14")), "all", Optional.empty(), now);
            StoredModel unmanifested = store(ColourModel.write(tmp.resolve("bad/manifest"), "16"));
            Files.delete(Path.of(unmanifested.artifact().file("model.json")));
            ModelRelease noManifest = ModelReleases.describe(unmanifested, "all", Optional.empty(), now);
            // a sound release for the edge agents is not for this datacenter job
            ModelRelease forEdge = ModelReleases.describe(
                    store(ColourModel.write(tmp.resolve("edge"), "15")), "edge", Optional.empty(), now);
            for (ModelRelease r : List.of(wrongSha, truncated, wrongShape, nan, cityscapes, forEdge, noManifest)) {
                publish(models, r);
            }

            List<Alert> alerts;
            try (AvroTopicReader<Alert> alertReader = AvroTopicReader.builder(Alert.class)
                    .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topics.alerts()).build()) {
                alerts = alertReader.readAtLeast(6, Duration.ofSeconds(120));
                alerts.addAll(alertReader.readToEnd(Duration.ofSeconds(5)));
            }
            assertEquals(6, alerts.size(), "one system alert per rejected release: " + alerts);
            Map<String, String> byVersion = new TreeMap<>();
            for (Alert a : alerts) {
                assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED, a.getRuleId());
                assertEquals("", a.getCameraId());
                assertEquals("1", a.getModelVersion(), "v1 keeps serving");
                String version = a.getAlertId().split("/")[1].split(":")[1];
                byVersion.put(version, a.getMessage());
            }
            assertEquals(List.of("10", "11", "12", "13", "14", "16"), List.copyOf(byVersion.keySet()));
            assertMessage(byVersion.get("10"), "Model release colour:10 was rejected and colour:1 keeps serving: ",
                    "has SHA-256 " + good.artifact().sha256() + " but release colour:10 says "
                            + wrongSha.getSha256() + ": the file was altered or belongs to another release");
            assertMessage(byVersion.get("11"), "Model release colour:11 was rejected", "the file is truncated");
            assertMessage(byVersion.get("12"), "Model release colour:12 was rejected",
                    "but the manifest describes NCHW 48x24 RGB");
            assertMessage(byVersion.get("13"), "Model release colour:13 was rejected", "non-finite");
            assertMessage(byVersion.get("14"), "Model release colour:14 was rejected",
                    "labels pixels with cityscapes-19 but this job serves rail-20");
            assertMessage(byVersion.get("16"), "Model release colour:16 was rejected",
                    "model colour:16 is not in the file system: " + Path.of(unmanifested.artifact().file("model.json"))
                            + " does not exist");

            sendFrames(frames, 3, 8);
            seen.addAll(reader.readAtLeast(16 - seen.size(), Duration.ofSeconds(60)));
            seen.addAll(reader.readToEnd(Duration.ofSeconds(5)));
            byCamera(seen, 8);
            assertEquals(List.of("1"), seen.stream().map(m -> m.getModel().getVersion()).distinct().toList(),
                    "no rejected release and no release for another target ever served");
        } finally {
            job.cancel().get();
        }
    }

    private static void assertMessage(String message, String start, String fragment) {
        assertTrue(message.startsWith(start) && message.contains(fragment),
                "expected '" + start + "...' with '" + fragment + "' in: " + message);
    }
}
