package io.segstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.SegmentationMask;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale figure of the standalone cluster (a benchmark, not a test: its name matches neither {@code *Test} nor
 * {@code *ITCase}, so a build never runs it; {@code cluster-it/bench/scale.sh} does). The same recorded frames
 * (generated 1024x512 rail scenes as JPEG, 16 cameras) through the job jar with the bundled model, replay mode,
 * exactly once, on a cluster of 1 TaskManager x 1 slot at parallelism 1, then of 2 TaskManagers x 1 slot at
 * parallelism 2, each ONNX Runtime session on one intra-op thread so a slot is a core. Throughput is counted from
 * the masks' commit: the masks after the first {@value #WARM_UP} (JIT, sessions, first checkpoint) over the time
 * they took, in {@value #ROUNDS} rounds per configuration, alternating. Prints a table and the ratio.
 */
class ClusterScaleBench {
    private static final int CAMERAS = 16;
    private static final int FRAMES_PER_CAMERA = Integer.getInteger("scale.framesPerCamera", 30);
    private static final int WARM_UP = 48;
    private static final int ROUNDS = Integer.getInteger("scale.rounds", 2);
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    static Path tmp;

    @Test
    void throughputOfOneAndTwoTaskManagers() throws Exception {
        String classpath = Files.readString(Path.of(System.getProperty("flink.cluster.classpath"))).trim();
        Path jobJar = Path.of(System.getProperty("segstream.job.jar"));
        assertTrue(Files.isRegularFile(jobJar), jobJar + " is missing: build without -DskipJobJar");
        Path model = BootstrapModel.extractBundled(tmp.resolve("model")).dir();
        List<CameraFrame> frames = frames();
        List<double[]> results = new ArrayList<>(); // {taskManagers, frames/s}
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int taskManagers : round % 2 == 0 ? new int[] {1, 2} : new int[] {2, 1}) {
                    double fps = run(kafka, classpath, jobJar, model, frames, taskManagers,
                            "r" + round + "tm" + taskManagers);
                    results.add(new double[] {taskManagers, fps});
                    System.out.printf(Locale.ROOT, "scale: round %d, %d TaskManager(s) x 1 slot: %.2f frames/s%n",
                            round + 1, taskManagers, fps);
                }
            }
        }
        double one = median(results, 1);
        double two = median(results, 2);
        System.out.printf(Locale.ROOT, "%n%-34s %10s %8s%n", "cluster (bundled model, 1024x512)", "frames/s", "rounds");
        System.out.printf(Locale.ROOT, "%-34s %10.2f %8d%n", "1 TaskManager x 1 slot, p=1", one, ROUNDS);
        System.out.printf(Locale.ROOT, "%-34s %10.2f %8d%n", "2 TaskManagers x 1 slot, p=2", two, ROUNDS);
        System.out.printf(Locale.ROOT, "%-34s %10.2f%n", "ratio", two / one);
    }

    private static double median(List<double[]> results, int taskManagers) {
        List<Double> v = results.stream().filter(r -> r[0] == taskManagers).map(r -> r[1]).sorted().toList();
        return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
    }

    private static double run(EmbeddedKafka kafka, String classpath, Path jobJar, Path model,
            List<CameraFrame> frames, int taskManagers, String name) throws Exception {
        String prefix = name + ".";
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix(prefix).build();
        kafka.ensureTopics(topics.all());
        try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topics.frames()).build()) {
            for (CameraFrame f : frames) {
                producer.send(f);
            }
            producer.flush();
        }
        try (StandaloneFlinkCluster cluster = StandaloneFlinkCluster.builder(classpath,
                        Path.of("target", "flink-scale-" + name))
                .optSetting("classloader.parent-first-patterns.additional",
                        JobJarOnClusterITCase.ONNX_RUNTIME_PARENT_FIRST)
                .build();
                AvroTopicReader<SegmentationMask> masks = AvroTopicReader.builder(SegmentationMask.class)
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic(topics.masks()).build()) {
            cluster.start(taskManagers);
            FlinkRest rest = cluster.rest();
            String job = rest.runJar(rest.uploadJar(jobJar), List.of(
                    "--bootstrap", kafka.bootstrapServers(),
                    "--topic-prefix", prefix,
                    "--group-id", name,
                    "--model", model.toAbsolutePath().toString(),
                    "--mode", "replay",
                    "--parallelism", Integer.toString(taskManagers),
                    "--checkpoint-interval-ms", "1000",
                    "--transactional-id-prefix", name,
                    "--segmenter.intra-op-threads", "1"), null);
            rest.awaitRunning(job, WAIT);
            int total = frames.size();
            int seen = 0;
            long warmedAt = 0;
            long lastAt = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen < total && System.nanoTime() < deadline) {
                List<ReceivedRecord<SegmentationMask>> got = masks.poll(Duration.ofMillis(100));
                if (got.isEmpty()) {
                    continue;
                }
                seen += got.size();
                long now = System.nanoTime();
                if (warmedAt == 0 && seen >= WARM_UP) {
                    warmedAt = now;
                    seen = seen - WARM_UP; // count what came after the warm-up from here
                    total = total - WARM_UP;
                }
                lastAt = now;
            }
            assertEquals(total, seen, name + ": every frame one mask");
            rest.cancel(job);
            return seen / ((lastAt - warmedAt) / 1e9);
        }
    }

    /** Generated 1024x512 rail scenes as JPEG q90, 50 distinct ones cycled over {@value #CAMERAS} cameras. */
    private static List<CameraFrame> frames() throws Exception {
        SceneGenerator gen = SceneGenerator.builder().setSize(1024, 512).optKind(SceneKind.RAIL).optSeed(1).build();
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(gen.render(i).toImage(), "jpg", out);
            jpegs.add(out.toByteArray());
        }
        List<CameraFrame> frames = new ArrayList<>();
        Instant t = Instant.now();
        for (int seq = 0; seq < FRAMES_PER_CAMERA; seq++) {
            for (int c = 0; c < CAMERAS; c++) {
                frames.add(CameraFrame.newBuilder().setCameraId(String.format(Locale.ROOT, "cam-%02d", c)).setSeq(seq)
                        .setCaptureTime(t).setIngestTime(t).setWidth(1024).setHeight(512)
                        .setEncoding(ImageEncoding.JPEG).setData(ByteBuffer.wrap(jpegs.get((seq * CAMERAS + c) % 50)))
                        .setAttributes(Map.of()).build());
            }
        }
        return frames;
    }
}
