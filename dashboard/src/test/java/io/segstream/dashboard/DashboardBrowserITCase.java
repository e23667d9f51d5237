package io.segstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.segstream.core.alerts.AlertRules;
import io.segstream.dashboard.sinks.AlertSinksConfig;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard on the real pipeline, read by a real browser: an embedded Kafka broker, the inference job on a local
 * Flink with an ONNX model, two cameras playing live, the dashboard, and headless Chromium looking at the page while
 * a person steps onto the track of one camera, steps off, a bad frame arrives, a camera stops and the dashboard
 * restarts. The screenshot is kept as {@code target/dashboard-it/dashboard.png}.
 */
@Tag("slow")
class DashboardBrowserITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    private static final Duration PIPELINE_START = Duration.ofSeconds(120);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final int WIDTH = 320;
    private static final int HEIGHT = 160;

    @TempDir
    Path tmp;

    @Test
    void thePageFollowsTheCamerasAlertsAndSystemEventsLive() throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("dash.").optPartitions(1).build();
        KAFKA.broker().ensureTopics(topics.all());
        Path rulesFile = Path.of(getClass().getResource("/corridor-rules.yaml").toURI());
        AlertRules rules = AlertRules.load(rulesFile);
        Map<String, String> settings = Map.of(
                "bootstrap", KAFKA.bootstrapServers(),
                "topic-prefix", "dash.",
                "mode", "replay",
                "batch-size", "2",
                "batch-wait-ms", "20",
                "checkpoint-interval-ms", "500",
                "rules", rulesFile.toString(),
                "models-topic", "false",
                "transactional-id-prefix", "tx-dash");
        InferenceJobOptions options = InferenceJobOptions.fromMap(settings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
        InferenceJob.configure(env, options);
        InferenceJob.onKafka(options, colourModel(tmp.resolve("model"))).build(env);
        JobClient job = env.executeAsync("dashboard browser test");

        // a webhook that fails its first attempt of each alert: the alert still arrives, once
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            exchange.getRequestBody().readAllBytes();
            boolean fail = attempts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() == 1;
            if (!fail) {
                delivered.add(key);
            }
            exchange.sendResponseHeaders(fail ? 503 : 204, -1);
            exchange.close();
        });
        hook.start();
        AlertSinksConfig sinks = AlertSinksConfig.parse("""
                journal: sinks.journal
                webhooks:
                  - url: http://127.0.0.1:%d/hook
                    backoff_ms: 50
                    dead_letter_log: webhook-dead-letters.jsonl
                """.formatted(hook.getAddress().getPort()), "it sinks", tmp);

        Dashboard dashboard = Dashboard.builder().setBootstrapServers(KAFKA.bootstrapServers()).optTopics(topics)
                .optRules(rules).optAlertSinks(sinks).optPort(0).start();
        int port = dashboard.port();
        Path artifacts = Files.createDirectories(Path.of("target", "dashboard-it"));
        try (Cameras cameras = new Cameras(KAFKA.bootstrapServers(), topics.frames());
                HeadlessChromium browser = HeadlessChromium.start(tmp, 1400, 900)) {
            browser.navigate(dashboard.url());

            // one tile per camera, each showing a decoded overlay
            browser.waitFor("document.querySelectorAll('.tile[data-nonblank=\"true\"]').length", "2"::equals,
                    PIPELINE_START);
            assertEquals("2", browser.evaluate("document.querySelectorAll('.tile').length"), "exactly one per camera");
            assertEquals("cam-a,cam-b", browser.evaluate(
                    "[...document.querySelectorAll('.tile .camera')].map(e => e.textContent).join()"));
            assertEquals("colour:1", browser.evaluate("document.querySelector('.tile .model').textContent"));
            assertEquals("live", browser.evaluate("document.getElementById('connection').dataset.state"));

            // the person steps onto cam-a's track: the alert is listed with the frame that raised it
            cameras.personOnTrack = true;
            String raisedAlert = ".alert[data-rule=\"person-in-corridor\"][data-camera=\"cam-a\"]";
            browser.waitFor("document.querySelectorAll('" + raisedAlert + " img').length === 1"
                    + " && document.querySelector('" + raisedAlert + " img').naturalWidth > 0", "true"::equals, STEP);
            assertEquals("CRITICAL", browser.evaluate("document.querySelector('" + raisedAlert
                    + " .severity').textContent"));
            assertTrue(browser.evaluate("document.querySelector('" + raisedAlert + " .fraction').textContent")
                    .contains("of track-corridor"));
            browser.waitFor("document.querySelector('.tile[data-camera=\"cam-a\"]').classList.contains('alerting')",
                    "true"::equals, STEP);
            byte[] shot = browser.screenshot();
            Files.write(artifacts.resolve("dashboard.png"), shot);
            assertScreenshotShowsTheTiles(shot);

            // a click opens the large view: the frame at full size, the class legend and each class's share
            browser.evaluate("document.querySelector('.tile[data-camera=\"cam-a\"]').click(), 'clicked'");
            browser.waitFor("document.getElementById('detail').open"
                    + " && document.getElementById('detail-image').naturalWidth", String.valueOf(WIDTH)::equals, STEP);
            assertEquals("20", browser.evaluate("document.querySelectorAll('#detail-legend tr').length"),
                    "every class of rail-20");
            assertEquals("present", browser.evaluate(
                    "document.querySelector('#detail-legend tr[data-class=\"person\"]').className"));
            assertTrue(browser.evaluate("document.querySelector('#detail-legend tr[data-class=\"person\"]"
                    + " td:nth-child(3)').textContent").matches("[1-9]\\.\\d %"), "the person's share of the frame");
            Files.write(artifacts.resolve("dashboard-detail.png"), browser.screenshot());
            browser.evaluate("document.getElementById('detail').close(), 'closed'");

            // a frame that is not Avro: the job dead-letters it, the page lists it as a system event
            sendGarbage(topics.frames());
            browser.waitFor("document.querySelectorAll('.system-event[data-kind=\"dead-letter\"]').length", "1"::equals,
                    STEP);
            assertTrue(browser.evaluate("document.getElementById('counters').textContent").contains("1 dead letters"),
                    browser.evaluate("document.getElementById('counters').textContent"));

            // the person steps off: the alert clears and the timeline has the raise and the clear
            cameras.personOnTrack = false;
            browser.waitFor("document.querySelectorAll('" + raisedAlert + "').length", "0"::equals, STEP);
            assertEquals("cam-a · 1 raised, 1 cleared", browser.evaluate(
                    "document.querySelector('.timeline[data-camera=\"cam-a\"] div').textContent"));

            // cam-b stops sending: its tile shows its age instead of pretending to be live; cam-a stays live
            cameras.camBPlaying = false;
            browser.waitFor("document.querySelector('.tile[data-camera=\"cam-b\"]').dataset.stalled", "true"::equals,
                    STEP);
            assertEquals("false", browser.evaluate(
                    "document.querySelector('.tile[data-camera=\"cam-a\"]').dataset.stalled"));
            assertTrue(browser.evaluate("document.querySelector('.tile[data-camera=\"cam-b\"] .stale-badge')"
                    + ".textContent").startsWith("stalled · last mask "));
            Files.write(artifacts.resolve("dashboard-stalled.png"), browser.screenshot());

            // the dashboard restarts on the same port: the page reconnects by itself and is whole again
            long seqBefore = Long.parseLong(browser.evaluate(
                    "document.querySelector('.tile[data-camera=\"cam-a\"]').dataset.seq"));
            dashboard.close();
            browser.waitFor("document.getElementById('connection').dataset.state", "reconnecting"::equals, STEP);
            dashboard = Dashboard.builder().setBootstrapServers(KAFKA.bootstrapServers()).optTopics(topics)
                    .optRules(rules).optAlertSinks(sinks).optPort(port).start();
            browser.waitFor("document.getElementById('connection').dataset.state", "live"::equals, STEP);
            // the page rebuilds its tiles after reconnecting: until cam-a's next mask there may be no tile yet
            browser.waitFor("+(document.querySelector('.tile[data-camera=\"cam-a\"]')?.dataset.seq ?? -1) > "
                    + seqBefore, "true"::equals, STEP);
            assertEquals("cam-a · 1 raised, 1 cleared", browser.evaluate(
                    "document.querySelector('.timeline[data-camera=\"cam-a\"] div').textContent"),
                    "the new server read the alerts topic from its beginning");
            assertEquals(0, browser.consoleErrors().size(), "no script errors: " + browser.consoleErrors());
        } finally {
            dashboard.close();
            job.cancel().get();
            hook.stop(0);
        }
        assertEquals(1, delivered.size(), "the one raise reached the webhook once: " + delivered);
        String raisedId = new ObjectMapper().readTree(dashboard.state().snapshot().json())
                .get("timelines").get("cam-a").get(0).get("alertId").asText();
        assertEquals(List.of(raisedId), delivered, "the raise of cam-a's person alert");
        assertEquals(2, attempts.get(delivered.get(0)).get(), "after one failed attempt");
        assertEquals(1, dashboard.counters().get("webhook.alreadyDone"),
                "the restarted dashboard found the raise in the journal: " + dashboard.counters());
        assertEquals(0, dashboard.counters().get("renderFailures"), dashboard.counters().toString());
    }

    /** The page around the tiles is dark; the tiles hold bright, varied overlays. */
    private static void assertScreenshotShowsTheTiles(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1400, img.getWidth());
        int distinct = (int) java.util.stream.IntStream.range(0, 200)
                .map(i -> img.getRGB(30 + i * 4, 200) & 0xFFFFFF).distinct().count();
        assertTrue(distinct > 5, "the first row of tiles is not one flat colour: " + distinct + " colours");
    }

    private static void sendGarbage(String topic) {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientConfigs.producer(
                KAFKA.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(topic, "cam-a".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8)));
            raw.flush();
        }
    }

    /**
     * A rail-20 1x1 convolution whose answer the test knows: saturated red is person, saturated green vegetation,
     * everything else road (inference-job's tests use the same idea; their fixture is not shared across modules).
     */
    private static Path colourModel(Path dir) throws IOException {
        int classes = 20;
        float[] w = new float[classes * 3];
        float[] b = new float[classes];
        java.util.Arrays.fill(b, -10f);
        b[0] = 0f;
        int person = 11;
        int vegetation = 8;
        w[person * 3] = 4f;
        w[person * 3 + 1] = -2f;
        w[person * 3 + 2] = -2f;
        b[person] = -1f;
        w[vegetation * 3] = -2f;
        w[vegetation * 3 + 1] = 4f;
        w[vegetation * 3 + 2] = -2f;
        b[vegetation] = -1f;
        byte[] onnx = OneByOneConvModel.of("colour", classes, 64, 32).weights(w).biases(b).onnx();
        ModelManifest manifest = ModelManifest.builder()
                .setName("colour").setVersion("1").setLabelSet("rail-20")
                .setInput("image", 64, 32, ModelManifest.Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", ModelManifest.OutputKind.LOGITS_NCHW)
                .optDescription("test fixture: red is person, green is vegetation, the rest is road")
                .build();
        return ModelDirectory.write(dir, onnx, manifest).dir();
    }

    /** Two live cameras at 5 fps each; the test puts a person on cam-a's track and stops cam-b. */
    private static final class Cameras implements AutoCloseable {
        volatile boolean personOnTrack;
        volatile boolean camBPlaying = true;
        private volatile boolean running = true;
        private volatile IOException failure;
        private final AvroKafkaProducer<CameraFrame> producer;
        private final Thread thread;

        Cameras(String bootstrap, String topic) throws IOException {
            this.producer = AvroKafkaProducer.builder(CameraFrame.class).setBootstrapServers(bootstrap)
                    .setTopic(topic).build();
            this.thread = new Thread(this::play, "cameras");
            thread.setDaemon(true);
            thread.start();
        }

        private void play() {
            byte[] clear = scene(false, 0);
            byte[] person = scene(true, 0);
            byte[] camB = scene(false, 12);
            for (long seq = 0; running; seq++) {
                send("cam-a", seq, personOnTrack ? person : clear);
                if (camBPlaying) {
                    send("cam-b", seq, camB);
                }
                try {
                    producer.flush();
                    Thread.sleep(200);
                } catch (IOException e) {
                    failure = e;
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void send(String camera, long seq, byte[] png) {
            Instant now = Instant.now();
            producer.send(CameraFrame.newBuilder().setCameraId(camera).setSeq(seq).setCaptureTime(now)
                    .setIngestTime(now).setWidth(WIDTH).setHeight(HEIGHT).setEncoding(ImageEncoding.PNG)
                    .setData(ByteBuffer.wrap(png)).setAttributes(Map.of()).build());
        }

        @Override
        public void close() throws InterruptedException, IOException {
            running = false;
            thread.join(10_000);
            producer.close();
            if (failure != null) {
                throw new IOException("the cameras could not send their frames: " + failure.getMessage(), failure);
            }
        }
    }

    /** A track seen from the cab: sky, green banks, grey ballast and two rails; a red figure on it when asked. */
    private static byte[] scene(boolean person, int shift) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(150, 170, 200));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(new Color(40, 160, 50));
        g.fillPolygon(new int[] {0, 140 + shift, 40 + shift, 0}, new int[] {70, 70, HEIGHT, HEIGHT}, 4);
        g.fillPolygon(new int[] {180 + shift, WIDTH, WIDTH, 280 + shift}, new int[] {70, 70, HEIGHT, HEIGHT}, 4);
        g.setColor(new Color(120, 115, 110));
        g.fillPolygon(new int[] {140 + shift, 180 + shift, 280 + shift, 40 + shift}, new int[] {70, 70, HEIGHT, HEIGHT},
                4);
        g.setColor(new Color(70, 70, 75));
        g.drawLine(155 + shift, 70, 110 + shift, HEIGHT);
        g.drawLine(165 + shift, 70, 210 + shift, HEIGHT);
        if (person) {
            g.setColor(new Color(230, 20, 20));
            g.fillRect(145, 95, 30, 50);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
