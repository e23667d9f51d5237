package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.inference.ColourModel;
import io.segstream.inference.Frames;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.SegmentationMask;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults between the inference job and Kafka, each while a stream of 120 frames from two cameras flows through the
 * job (a Flink MiniCluster in this JVM, exactly-once sinks, checkpoints every 500 ms): every frame gets exactly one
 * mask ({@code read_committed}) and the alerts are exactly those of an undisturbed run, each once.
 * <ul>
 *   <li>the broker's process is killed ({@code kill -9}) mid-stream and started again on the same data directory;
 *   <li>the network between the job and the broker is cut for 20 s (every connection reset, new ones refused, by a
 *       TCP proxy the broker advertises) while frames keep arriving, then heals;
 *   <li>ingest ({@code segstream replay}, its own process) is killed mid-drive and started again: its frames arrive
 *       twice with the same keys, and the job still gives one mask per frame.
 * </ul>
 */
@Tag("slow")
class FaultsITCase {
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b");
    private static final int FRAMES = 60;
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Person frames: cam-a 10..19, cam-b 40..44; the corridor rules raise on 2 of 3 and clear after 3 clean. */
    private static final List<String> EXPECTED_ALERTS = List.of(
            "cam-a 11 RAISED", "cam-a 22 CLEARED", "cam-b 41 RAISED", "cam-b 47 CLEARED");

    @TempDir
    Path tmp;

    private static boolean person(String camera, long seq) {
        return camera.equals("cam-a") ? seq >= 10 && seq < 20 : seq >= 40 && seq < 45;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBrokerKilledAndRestartedMidStreamLosesAndDuplicatesNothing() throws Exception {
        int port = freePort();
        String bootstrap = "127.0.0.1:" + port;
        Path data = tmp.resolve("kafka");
        Process broker = startBroker(port, data, tmp.resolve("broker-1.log"));
        JobClient job = null;
        try {
            job = startJob(bootstrap, "crash");
            produce(bootstrap, 0, FRAMES / 2);
            awaitMasks(bootstrap, 20);
            // mid-stream: masks committed, more frames in flight and in open transactions
            broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Thread.sleep(3000);
            broker = startBroker(port, data, tmp.resolve("broker-2.log"));
            produce(bootstrap, FRAMES / 2, FRAMES);
            assertEveryFrameOnceAndTheUndisturbedAlerts(bootstrap);
        } finally {
            if (job != null) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
            broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNetworkPartitionOfTwentySecondsMidStreamLosesAndDuplicatesNothing() throws Exception {
        int proxyPort = freePort();
        int brokerPort = freePort();
        // every client, the broker's own transaction markers included, reaches the broker through the proxy
        // the proxy first: the broker checks it is up through the address it advertises
        try (TcpProxy proxy = TcpProxy.start(proxyPort, new InetSocketAddress("127.0.0.1", brokerPort));
                EmbeddedKafka kafka = EmbeddedKafka.builder().optPort(brokerPort).optTopics(SegstreamTopics.defaults()
                        .all()).optBrokerProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxyPort).start()) {
            String bootstrap = "127.0.0.1:" + proxy.port();
            JobClient job = startJob(bootstrap, "partition");
            try {
                produce(bootstrap, 0, FRAMES / 2);
                awaitMasks(bootstrap, 20);
                proxy.partition();
                // frames keep arriving during the partition: a camera does not know the job is cut off
                CompletableFuture<Void> secondHalf = CompletableFuture.runAsync(() -> {
                    try {
                        produce(bootstrap, FRAMES / 2, FRAMES);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Thread.sleep(20_000);
                assertTrue(proxy.refused() > 0, "the partition cut connections");
                proxy.heal();
                secondHalf.get(2, TimeUnit.MINUTES);
                assertEveryFrameOnceAndTheUndisturbedAlerts(bootstrap);
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * Ingest's guarantee is at least once with deterministic keys: a {@code replay} process killed mid-drive and
     * started again sends the drive's frames again from its start, each with the same (camera, seq), capture time
     * and image bytes; the job skips the repeats before the model, so every frame still gets exactly one mask.
     */
    @Test
    void ingestKilledMidDriveAndRestartedGivesEveryFrameOneMask() throws Exception {
        Path drive = ReplayCommandITCase.video(tmp, "drive.mp4", 80);
        int port = freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optPort(port).optTopics(SegstreamTopics.defaults().all())
                .start()) {
            String bootstrap = kafka.bootstrapServers();
            String topic = SegstreamTopics.defaults().frames();
            List<String> replay = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xmx512m", Segstream.class.getName(), "replay",
                    "--source", drive.toString(), "--camera", "cam-a", "--bootstrap", bootstrap, "--topic", topic,
                    "--pace", "realtime", "--start-time", "2026-01-01T00:00:00Z", "--no-progress");
            Process first = new ProcessBuilder(replay).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("replay-1.log").toFile()).start();
            List<CameraFrame> sent = new ArrayList<>();
            try (AvroTopicReader<CameraFrame> frames = AvroTopicReader.builder(CameraFrame.class)
                    .setBootstrapServers(bootstrap).setTopic(topic).build()) {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (sent.size() < 20 && System.nanoTime() < deadline) {
                    frames.poll(Duration.ofMillis(100)).forEach(r -> sent.add(r.value()));
                }
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9 mid-drive
                int beforeKill = sent.size();
                Process second = new ProcessBuilder(replay).redirectErrorStream(true)
                        .redirectOutput(tmp.resolve("replay-2.log").toFile()).start();
                assertTrue(second.waitFor(3, TimeUnit.MINUTES), "the second replay ends");
                assertEquals(0, second.exitValue(), Files.readString(tmp.resolve("replay-2.log")));
                sent.addAll(frames.readToEnd(WAIT).stream().toList());
                assertTrue(beforeKill >= 20 && beforeKill < 80, "killed mid-drive, after " + beforeKill + " frames");
            }
            Map<Long, List<CameraFrame>> bySeq = sent.stream().collect(Collectors.groupingBy(CameraFrame::getSeq,
                    TreeMap::new, Collectors.toList()));
            assertEquals(LongStream.range(0, 80).boxed().toList(), List.copyOf(bySeq.keySet()), "every frame sent");
            assertTrue(sent.size() > 80, "the restart sent frames again: " + sent.size());
            for (List<CameraFrame> copies : bySeq.values()) {
                CameraFrame a = copies.get(0);
                for (CameraFrame b : copies) {
                    assertEquals(a.getCaptureTime(), b.getCaptureTime(), "seq " + a.getSeq() + ": same capture time");
                    assertEquals(a.getData(), b.getData(), "seq " + a.getSeq() + ": same image bytes");
                }
            }

            JobClient job = startJob(bootstrap, "ingest-kill");
            try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                    .setBootstrapServers(bootstrap).setTopic(SegstreamTopics.defaults().masks()).build()) {
                List<SegmentationMask> masks = new ArrayList<>(reader.readAtLeast(80, WAIT));
                Thread.sleep(3000); // more checkpoints: a second mask of any frame would be committed by now
                masks.addAll(reader.readToEnd(WAIT));
                assertEquals(LongStream.range(0, 80).boxed().toList(),
                        masks.stream().map(SegmentationMask::getSeq).sorted().toList(),
                        "one mask per frame, the repeats skipped");
            } finally {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /** {@code segstream broker} as its own JVM on {@code port} and {@code dir}, once it accepts clients. */
    private static Process startBroker(int port, Path dir, Path log) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", Segstream.class.getName(),
                "broker", "--port", String.valueOf(port), "--dir", dir.toString())
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            if (line.startsWith("bootstrap=")) {
                return p;
            }
        }
        p.destroyForcibly();
        throw new AssertionError("the broker process did not start; its log: " + Files.readString(log));
    }

    /** The inference job with the colour model and the corridor rules, on a MiniCluster in this JVM. */
    private JobClient startJob(String bootstrap, String name) throws Exception {
        Path model = ColourModel.write(tmp.resolve("colour"), "1");
        Path rules = tmp.resolve("corridor-rules.yaml");
        try (InputStream in = Frames.class.getResourceAsStream("/corridor-rules.yaml")) {
            Files.copy(in, rules);
        }
        InferenceJobOptions options = InferenceJobOptions.fromMap(Map.of("bootstrap", bootstrap,
                "mode", "replay", "checkpoint-interval-ms", "500", "rules", rules.toString(),
                "transactional-id-prefix", name, "group-id", name));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        InferenceJob.configure(env, options);
        InferenceJob.onKafka(options, model.toString()).build(env);
        return env.executeAsync(name);
    }

    private static void produce(String bootstrap, int from, int to) throws IOException {
        try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(SegstreamTopics.defaults().frames()).build()) {
            for (long seq = from; seq < to; seq++) {
                for (String camera : CAMERAS) {
                    producer.send(Frames.frame(camera, seq, person(camera, seq)));
                }
            }
            producer.flush();
        }
    }

    private static void awaitMasks(String bootstrap, int count) throws IOException {
        try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                .setBootstrapServers(bootstrap).setTopic(SegstreamTopics.defaults().masks()).build()) {
            reader.readAtLeast(count, WAIT);
        }
    }

    private static void assertEveryFrameOnceAndTheUndisturbedAlerts(String bootstrap) throws Exception {
        SegstreamTopics topics = SegstreamTopics.defaults();
        List<SegmentationMask> masks = new ArrayList<>();
        List<Alert> alerts = new ArrayList<>();
        try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                        .setBootstrapServers(bootstrap).setTopic(topics.masks()).build();
                AvroTopicReader<Alert> alertReader = AvroTopicReader.builder(Alert.class)
                        .setBootstrapServers(bootstrap).setTopic(topics.alerts()).build()) {
            masks.addAll(reader.readAtLeast(CAMERAS.size() * FRAMES, WAIT));
            Thread.sleep(3000); // several more checkpoints: anything written twice would be committed by now
            masks.addAll(reader.readToEnd(WAIT));
            alerts.addAll(alertReader.readToEnd(WAIT));
        }
        Map<String, List<Long>> seqs = masks.stream().collect(Collectors.groupingBy(
                SegmentationMask::getCameraId, TreeMap::new,
                Collectors.mapping(SegmentationMask::getSeq, Collectors.toList())));
        List<Long> all = LongStream.range(0, FRAMES).boxed().toList();
        for (String camera : CAMERAS) {
            assertEquals(all, seqs.get(camera).stream().sorted().toList(),
                    camera + ": every frame exactly one mask across the fault");
        }
        assertEquals(EXPECTED_ALERTS, alerts.stream().map(a -> a.getCameraId() + " " + a.getSeq() + " "
                + a.getState()).sorted().toList(), "the alerts of an undisturbed run, each once");
    }
}
