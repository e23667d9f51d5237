package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.alerts.AlertRules;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The job's metrics as a Prometheus server scrapes them from the task manager's reporter endpoint. */
class PrometheusMetricsITCase {
    private static final int PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(Configuration.fromMap(JobMetrics.prometheus(PORT)))
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    static Path tmp;

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port for the Prometheus reporter", e);
        }
    }

    @Test
    void framesMasksLatencyQuantilesAndTheServingModelAreScraped() throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("prom.").build();
        KAFKA.broker().ensureTopics(topics.all());
        Path model = ColourModel.write(tmp.resolve("colour"), "7");
        AlertRules rules = AlertRules.load(Path.of(getClass().getResource("/corridor-rules.yaml").toURI()));
        String bs = KAFKA.bootstrapServers();
        InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", bs, "topic-prefix", "prom.",
                "mode", "replay", "checkpoint-interval-ms", "500", "transactional-id-prefix", "tx-prom"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        InferenceJob.configure(env, o);
        new InferenceJob(o, model, rules,
                AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                        .setGroupId("g-prom").build(),
                AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                        .optExactlyOnce("prom-masks").build(),
                AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                        .optExactlyOnce("prom-alerts").build(),
                AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                        .optExactlyOnce("prom-dlq").build()).build(env);
        JobClient job = env.executeAsync("metrics");
        try {
            try (AvroKafkaProducer<CameraFrame> p = AvroKafkaProducer.builder(CameraFrame.class)
                    .setBootstrapServers(bs).setTopic(topics.frames()).build()) {
                for (int seq = 0; seq < 12; seq++) {
                    p.send(Frames.frame("cam-m", seq, false));
                }
                p.flush();
            }
            try (AvroTopicReader<SegmentationMask> r = AvroTopicReader.builder(SegmentationMask.class)
                    .setBootstrapServers(bs).setTopic(topics.masks()).build()) {
                r.readAtLeast(12, Duration.ofSeconds(60));
            }
            String scraped = scrapeUntil(Pattern.compile("(?m)^flink_taskmanager_job_task_operator_masksOut\\{.*\\} 12\\.0$"));
            assertLine(scraped, "^flink_taskmanager_job_task_operator_framesIn\\{.*operator_name=\"segment\".*\\} 12\\.0$");
            assertLine(scraped, "^flink_taskmanager_job_task_operator_inferenceLatencyMs\\{.*quantile=\"0\\.99\".*\\} "
                    + "[0-9.]+$");
            assertLine(scraped, "^flink_taskmanager_job_task_operator_endToEndLatencyMs\\{.*quantile=\"0\\.5\".*\\} "
                    + "[0-9.]+$");
            assertLine(scraped, "^flink_taskmanager_job_task_operator_batchSize\\{.*quantile=\"0\\.5\".*\\} [1-4]\\.0$");
            assertLine(scraped, "^flink_taskmanager_job_task_operator_model_modelServing\\{.*model=\"colour:7\".*\\} "
                    + "1\\.0$");
        } finally {
            job.cancel().get();
        }
    }

    private static void assertLine(String scraped, String regex) {
        assertTrue(Pattern.compile("(?m)" + regex).matcher(scraped).find(), "no line matching " + regex + " in:\n"
                + scraped.lines().filter(l -> l.startsWith("flink_taskmanager_job_task_operator_")
                        && !l.contains("Kafka")).limit(80).reduce("", (a, b) -> a + b + "\n"));
    }

    /** The reporter's page once {@code ready} matches, or the last page after 30 s. */
    private static String scrapeUntil(Pattern ready) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics")).build();
        String body = "";
        for (int i = 0; i < 60 && !ready.matcher(body).find(); i++) {
            body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
            if (!ready.matcher(body).find()) {
                Thread.sleep(500);
            }
        }
        return body;
    }
}
