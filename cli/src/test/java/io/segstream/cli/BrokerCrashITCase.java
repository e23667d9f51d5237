package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
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
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Fault: the Kafka broker's process is killed ({@code kill -9}) mid-stream and started again on the same data
 * directory, while the inference job (a Flink MiniCluster in this JVM) keeps running against it. The broker is a
 * real separate process ({@code segstream broker}), so nothing of it is closed cleanly. Two cameras, 120 frames:
 * every frame gets exactly one mask ({@code read_committed}) and the alerts are exactly those of an undisturbed
 * run, each once.
 */
@Tag("slow")
class BrokerCrashITCase {
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

    private static void produce(String bootstrap, String topic, int from, int to) throws IOException {
        try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(topic).build()) {
            for (long seq = from; seq < to; seq++) {
                for (String camera : CAMERAS) {
                    producer.send(Frames.frame(camera, seq, person(camera, seq)));
                }
            }
            producer.flush();
        }
    }

    @Test
    void aBrokerKilledAndRestartedMidStreamLosesAndDuplicatesNothing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String bootstrap = "127.0.0.1:" + port;
        Path data = tmp.resolve("kafka");
        Process broker = startBroker(port, data, tmp.resolve("broker-1.log"));
        JobClient job = null;
        try {
            SegstreamTopics topics = SegstreamTopics.defaults();
            Path model = ColourModel.write(tmp.resolve("colour"), "1");
            Path rules = tmp.resolve("corridor-rules.yaml");
            try (InputStream in = Frames.class.getResourceAsStream("/corridor-rules.yaml")) {
                Files.copy(in, rules);
            }
            InferenceJobOptions options = InferenceJobOptions.fromMap(Map.of("bootstrap", bootstrap,
                    "mode", "replay", "checkpoint-interval-ms", "500", "rules", rules.toString(),
                    "transactional-id-prefix", "crash-it", "group-id", "crash-it"));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
            InferenceJob.configure(env, options);
            InferenceJob.onKafka(options, model.toString()).build(env);
            job = env.executeAsync("broker crash");

            produce(bootstrap, topics.frames(), 0, FRAMES / 2);
            List<SegmentationMask> masks = new ArrayList<>();
            List<Alert> alerts = new ArrayList<>();
            try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                    .setBootstrapServers(bootstrap).setTopic(topics.masks()).build()) {
                masks.addAll(reader.readAtLeast(20, WAIT));
            }
            // mid-stream: masks committed, more frames in flight and in open transactions
            broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Thread.sleep(3000);
            broker = startBroker(port, data, tmp.resolve("broker-2.log"));
            produce(bootstrap, topics.frames(), FRAMES / 2, FRAMES);

            try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                            .setBootstrapServers(bootstrap).setTopic(topics.masks()).build();
                    AvroTopicReader<Alert> alertReader = AvroTopicReader.builder(Alert.class)
                            .setBootstrapServers(bootstrap).setTopic(topics.alerts()).build()) {
                masks.clear();
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
                        camera + ": every frame exactly one mask across the broker crash");
            }
            assertEquals(EXPECTED_ALERTS, alerts.stream().map(a -> a.getCameraId() + " " + a.getSeq() + " "
                    + a.getState()).sorted().toList(), "the alerts of an undisturbed run, each once");
        } finally {
            if (job != null) {
                job.cancel().get(1, TimeUnit.MINUTES);
            }
            broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
