package io.segstream.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.KafkaClientSecurity;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.inference.ColourModel;
import io.segstream.inference.Frames;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inference job's {@code -job.jar} on a real standalone Flink 2.1.1 session cluster: a JobManager and two
 * TaskManagers as separate JVMs, on Flink's own jars from Maven Central and nothing else, the jar submitted through
 * the REST API as {@code flink run} does, against a real broker secured as Strimzi secures one (SCRAM-SHA-512 over
 * TLS): the cluster's JVMs learn the credentials only from {@code SEGSTREAM_KAFKA_*} environment variables that name
 * the mounted password file and CA certificate ({@link KafkaClientSecurity}), as a pod's would.
 *
 * <p>A drive of four cameras is replayed in two halves. The first half runs at parallelism 1; the job is stopped
 * with a savepoint ({@code flink stop}) and resubmitted from it at parallelism 2, on both TaskManagers (one of which
 * ran the first job: ONNX Runtime is loaded there a second time, by the second job's class loader). Every frame gets
 * exactly one mask ({@code read_committed}) and the alerts are exactly those the rules give for the whole drive,
 * which they only are if the alert state crossed the rescale: cam-a raised before the stop clears after it (and is
 * not raised again), cam-b's debounce counts a person frame from before the stop and one from after.
 *
 * <p>The cluster's lib/ holds ONNX Runtime as the job image's does, with {@code ai.onnxruntime.} parent-first, and
 * each TaskManager ends up with one copy of its native library. (Without that pattern each job's class loader loads
 * the job jar's own copy from a fresh temp folder: it works, but a TaskManager that ran both jobs then holds two
 * copies, and one more after every restart there.)
 */
@Tag("slow")
class JobJarOnClusterITCase {
    private static final List<String> CAMERAS = List.of("cam-a", "cam-b", "cam-c", "cam-d");
    private static final int FRAMES = 30;
    private static final int FIRST_HALF = 15;
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** What a cluster whose lib/ holds ONNX Runtime (the job image) sets, so jobs share it. */
    static final String ONNX_RUNTIME_PARENT_FIRST = "ai.onnxruntime.";

    @TempDir
    static Path tmp;
    private static SecuredBroker kafka;
    private static StandaloneFlinkCluster cluster;

    @BeforeAll
    static void startBrokerAndCluster() throws Exception {
        kafka = SecuredBroker.start(tmp.resolve("kafka"));
        String classpath = Files.readString(Path.of(System.getProperty("flink.cluster.classpath"))).trim();
        StandaloneFlinkCluster.Builder builder = StandaloneFlinkCluster.builder(classpath,
                        Path.of("target", "flink-cluster"))
                // ONNX Runtime's classes from lib/, not from each job's class loader: one copy of its natives per
                // TaskManager however often jobs restart there (without it, each job start loads another copy)
                .optSetting("classloader.parent-first-patterns.additional", ONNX_RUNTIME_PARENT_FIRST)
                .optPrometheusReporter();
        // the job's Kafka security reaches the cluster as a pod's would: environment variables naming mounted files
        Map<String, String> settings = Map.of(
                KafkaClientSecurity.PROTOCOL.key(), "SASL_SSL",
                KafkaClientSecurity.SASL_USERNAME.key(), SecuredBroker.SCRAM_USER,
                KafkaClientSecurity.SASL_PASSWORD_FILE.key(), kafka.userSecret().resolve("password").toString(),
                KafkaClientSecurity.TRUSTSTORE.key(), kafka.caCert().toString());
        for (KafkaClientSecurity.Option o : KafkaClientSecurity.ALL) {
            if (settings.containsKey(o.key())) {
                builder.optEnvironment(o.environmentVariable(), settings.get(o.key()));
            }
        }
        cluster = builder.build();
        cluster.start(2);
    }

    @AfterAll
    static void stopClusterAndBroker() {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Which frames show a person in the corridor: cam-a 10..19, cam-b 14..15 (across the stop), cam-c 3..5. */
    private static boolean person(String camera, long seq) {
        return switch (camera) {
            case "cam-a" -> seq >= 10 && seq < 20;
            case "cam-b" -> seq == 14 || seq == 15;
            case "cam-c" -> seq >= 3 && seq < 6;
            default -> false;
        };
    }

    /**
     * The alerts the corridor rules (2 of 3 frames raise, 3 clean frames clear) give for the whole drive, as
     * "camera seq STATE".
     */
    private static final List<String> EXPECTED_ALERTS = List.of(
            "cam-a 11 RAISED", "cam-a 22 CLEARED",
            "cam-b 15 RAISED", "cam-b 18 CLEARED",
            "cam-c 4 RAISED", "cam-c 8 CLEARED");

    @Test
    void everyFrameGetsOneMaskAndTheAlertsSurviveAStopWithSavepointAndARescaleToTwoTaskManagers() throws Exception {
        long started = System.nanoTime();
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("cluster.").build();
        kafka.createTopics(topics.all());
        Path model = ColourModel.write(tmp.resolve("colour"), "1");
        Path rules = tmp.resolve("corridor-rules.yaml");
        try (InputStream in = Frames.class.getResourceAsStream("/corridor-rules.yaml")) {
            Files.copy(in, rules);
        }
        FlinkRest rest = cluster.rest();
        Path jobJar = Path.of(System.getProperty("segstream.job.jar"));
        assertTrue(Files.isRegularFile(jobJar), jobJar + " is missing: the cluster test needs inference-job's job jar,"
                + " which a build with -DskipJobJar=true leaves out");
        String jar = rest.uploadJar(jobJar);

        try (AvroTopicReader<SegmentationMask> masks = reader(SegmentationMask.class, topics.masks());
                AvroTopicReader<Alert> alerts = reader(Alert.class, topics.alerts())) {
            produce(topics.frames(), 0, FIRST_HALF);
            String first = rest.runJar(jar, jobArgs(topics, model, rules, 1), null);
            rest.awaitRunning(first, WAIT);
            List<SegmentationMask> maskRecords = new ArrayList<>(readAtLeast(masks, CAMERAS.size() * FIRST_HALF,
                    rest, first));
            String savepoint = rest.stopWithSavepoint(first, tmp.resolve("savepoints"), WAIT);
            assertEquals("FINISHED", rest.awaitEnd(first, WAIT), "a stopped job ends FINISHED");
            maskRecords.addAll(masks.readToEnd(WAIT));
            assertEquals(CAMERAS.size() * FIRST_HALF, maskRecords.size(), "first half: one mask per frame");
            // the final commit of a stopped job can become visible to read_committed readers just after the job
            // reports FINISHED: wait for the three alerts rather than reading to an end taken too early
            List<Alert> alertRecords = new ArrayList<>(alerts.readAtLeast(3, WAIT));
            alertRecords.addAll(alerts.readToEnd(WAIT));
            // before the stop: cam-a raised (its clear must come from restored state), cam-b not yet (one person frame)
            assertEquals(List.of("cam-a 11 RAISED", "cam-c 4 RAISED", "cam-c 8 CLEARED"), lines(alertRecords),
                    "alerts of the first half");

            produce(topics.frames(), FIRST_HALF, FRAMES);
            String second = rest.runJar(jar, jobArgs(topics, model, rules, 2), savepoint);
            FlinkRest.JobStatus status = rest.awaitRunning(second, WAIT);
            FlinkRest.Vertex segment = status.vertices().stream().filter(v -> v.name().contains("segment"))
                    .findFirst().orElseThrow(() -> new AssertionError("no segment vertex in " + status));
            assertEquals(2, segment.parallelism(), "rescaled to 2: " + status);
            assertEquals(2, rest.taskManagersOf(second, segment.id()).size(),
                    "the segment subtasks run on both TaskManagers");

            maskRecords.addAll(readAtLeast(masks, CAMERAS.size() * (FRAMES - FIRST_HALF), rest, second));
            // two more checkpoints: anything written twice would be committed by now
            rest.awaitCheckpoints(second, 2, WAIT);
            maskRecords.addAll(masks.readToEnd(WAIT));
            alertRecords.addAll(alerts.readToEnd(WAIT));

            Map<String, List<Long>> seqs = maskRecords.stream().collect(Collectors.groupingBy(
                    SegmentationMask::getCameraId, TreeMap::new,
                    Collectors.mapping(SegmentationMask::getSeq, Collectors.toList())));
            List<Long> all = LongStream.range(0, FRAMES).boxed().toList();
            for (String camera : CAMERAS) {
                assertEquals(all, seqs.get(camera).stream().sorted().toList(),
                        camera + ": every frame exactly one mask across the rescale");
            }
            assertEquals(CAMERAS.size() * FRAMES, maskRecords.size());
            SegmentationMask withPerson = maskRecords.stream()
                    .filter(m -> m.getCameraId().equals("cam-a") && m.getSeq() == 12).findFirst().orElseThrow();
            assertEquals("colour", withPerson.getModel().getName());
            assertEquals(0.25, withPerson.getZoneFractions().get(0).getClassFractions().get("person"), 0.03,
                    "the model ran: a quarter of the corridor is person");

            List<String> alertLines = lines(alertRecords);
            assertEquals(EXPECTED_ALERTS, alertLines, "alerts of the whole drive, each once");
            try (AvroTopicReader<DeadLetter> dlq = reader(DeadLetter.class, topics.deadLetters())) {
                assertEquals(List.of(), dlq.readToEnd(WAIT), "no dead letters");
            }
            assertEquals(2, cluster.logLines("Kafka clients connect with KafkaClientSecurity{kafka.security.protocol"
                    + "=SASL_SSL").size(), "each submission's main() took the security from the environment");
            assertTrue(cluster.logLines("security.protocol = SASL_SSL").size() > 0, "the clients' logged configs");
            assertEquals(List.of(), cluster.logLines(SecuredBroker.SCRAM_PASSWORD), "no log holds the password");
            assertEquals(List.of(), cluster.logLines("already loaded in another classloader"),
                    "no job failed to load ONNX Runtime's natives");
            Map<String, Set<String>> onnxRuntimes = cluster.mappedFiles("libonnxruntime.so");
            for (Map.Entry<String, Set<String>> tm : onnxRuntimes.entrySet()) {
                assertEquals(1, tm.getValue().size(), tm.getKey() + " holds one copy of ONNX Runtime, though one of"
                        + " the TaskManagers ran both jobs: " + onnxRuntimes);
            }
            List<String> scraped = scrapeTaskManagers();
            assertEquals(CAMERAS.size() * (FRAMES - FIRST_HALF), scraped.stream()
                    .filter(l -> l.startsWith("flink_taskmanager_job_task_operator_masksOut{")
                            && l.contains("operator_name=\"segment\""))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum(),
                    "the second job's masks, counted by both TaskManagers' Prometheus endpoints");
            assertEquals(2, scraped.stream().filter(l -> l.startsWith(
                    "flink_taskmanager_job_task_operator_model_modelServing{") && l.contains("model=\"colour:1\"")
                    && l.endsWith(" 1.0")).count(), "each segment subtask serves colour:1");
            scraped.stream().filter(l -> l.contains("_masksOut{") || l.contains("_modelServing{"))
                    .forEach(l -> System.out.println("scraped: " + l));
            rest.cancel(second);
            System.out.printf("cluster run: %d frames, %d masks, %d alerts %s, savepoint %s, rescaled 1 -> %d on %d"
                            + " TaskManagers, %.1f s%n", CAMERAS.size() * FRAMES, maskRecords.size(),
                    alertRecords.size(), alertLines, savepoint, segment.parallelism(),
                    rest.taskManagersOf(second, segment.id()).size(), (System.nanoTime() - started) / 1e9);
        }
    }

    /** {@code reader.readAtLeast}, failing with what the job was doing when the records did not come. */
    private static <T extends SpecificRecord> List<T> readAtLeast(AvroTopicReader<T> reader, int count,
            FlinkRest rest, String job)
            throws Exception {
        try {
            return reader.readAtLeast(count, WAIT);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; job " + rest.job(job) + ", " + rest.completedCheckpoints(job)
                    + " checkpoints completed, exceptions: " + rest.exceptions(job), e);
        }
    }

    /** The segstream lines ({@code _operator_} metrics) of every TaskManager's Prometheus endpoint. */
    private static List<String> scrapeTaskManagers() throws Exception {
        Map<String, URI> endpoints = cluster.prometheusEndpoints();
        assertEquals(2, endpoints.size(), "a Prometheus endpoint per TaskManager: " + endpoints);
        HttpClient http = HttpClient.newHttpClient();
        List<String> lines = new ArrayList<>();
        for (URI endpoint : endpoints.values()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), endpoint.toString());
            response.body().lines().filter(l -> l.startsWith("flink_taskmanager_job_task_operator_"))
                    .forEach(lines::add);
        }
        return lines;
    }

    /** Alerts as "camera seq STATE", sorted. */
    private static List<String> lines(List<Alert> alerts) {
        return alerts.stream().map(a -> a.getCameraId() + " " + a.getSeq() + " " + a.getState()).sorted().toList();
    }

    private static List<String> jobArgs(SegstreamTopics topics, Path model, Path rules, int parallelism) {
        return List.of(
                "--bootstrap", kafka.saslBootstrap(),
                "--topic-prefix", "cluster.",
                "--group-id", "cluster-it",
                "--model", model.toAbsolutePath().toString(),
                "--rules", rules.toAbsolutePath().toString(),
                "--mode", "replay",
                "--parallelism", Integer.toString(parallelism),
                "--checkpoint-interval-ms", "500",
                "--transactional-id-prefix", "cluster-it",
                "--model-cache-dir", tmp.resolve("model-cache").toAbsolutePath().toString());
    }

    private static void produce(String topic, int fromSeq, int toSeq) throws IOException {
        AvroKafkaProducer.Builder<CameraFrame> builder = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(kafka.saslBootstrap()).setTopic(topic);
        kafka.scram().clientProperties().forEach(builder::optProperty);
        try (AvroKafkaProducer<CameraFrame> producer = builder.build()) {
            for (long seq = fromSeq; seq < toSeq; seq++) {
                for (String camera : CAMERAS) {
                    producer.send(Frames.frame(camera, seq, person(camera, seq)));
                }
            }
            producer.flush();
        }
    }

    private static <T extends SpecificRecord> AvroTopicReader<T> reader(Class<T> type, String topic)
            throws IOException {
        AvroTopicReader.Builder<T> builder = AvroTopicReader.builder(type).setBootstrapServers(kafka.saslBootstrap())
                .setTopic(topic);
        kafka.scram().clientProperties().forEach(builder::optProperty);
        return builder.build();
    }
}
