package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.SegmentationMask;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code segstream infer} with its model given as an HTTP store URI, against a real embedded Kafka broker. */
class InferCommandITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    Path tmp;

    /** A rail-20 model that calls every pixel road, version 7. */
    private static Path roadModel(Path dir) throws Exception {
        float[] b = new float[20];
        for (int c = 1; c < 20; c++) {
            b[c] = -1f;
        }
        ModelManifest m = ModelManifest.builder().setName("road").setVersion("7").setLabelSet("rail-20")
                .setInput("image", 16, 8, Layout.NCHW).setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW).build();
        return OneByOneConvModel.of("road", 20, 16, 8).biases(b).write(dir, m);
    }

    /** Serves the files of {@code root} over HTTP on 127.0.0.1, GET only. */
    private static HttpServer serve(Path root) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            boolean found = file.startsWith(root) && Files.isRegularFile(file);
            byte[] body = found ? Files.readAllBytes(file) : new byte[0];
            exchange.sendResponseHeaders(found ? 200 : 404, found ? body.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static CameraFrame frame(long seq) throws IOException {
        BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_3BYTE_BGR);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", jpeg);
        Instant now = Instant.now();
        return CameraFrame.newBuilder().setCameraId("cam-1").setSeq(seq).setCaptureTime(now).setIngestTime(now)
                .setWidth(32).setHeight(16).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(jpeg.toByteArray())).setAttributes(Map.of()).build();
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    /** Every IPv4 address of this machine that is not a loopback address. */
    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    @Test
    void servesAModelFetchedFromAStoreUriAndKeepsItsWebUiOnLoopback() throws Exception {
        Path served = tmp.resolve("served");
        roadModel(served.resolve("road/7"));
        int webPort = freePort();
        KAFKA.broker().ensureTopics(SegstreamTopics.builder().optPrefix("inf1.").build().all());
        AtomicReference<CliRun> result = new AtomicReference<>();
        HttpServer store = serve(served);
        try {
            String uri = "http://127.0.0.1:" + store.getAddress().getPort() + "/road/7/";
            Thread infer = new Thread(() -> result.set(CliRun.of("infer", "--bootstrap", KAFKA.bootstrapServers(),
                    "--model", uri, "--mode", "replay", "--web-port", String.valueOf(webPort),
                    "--set", "topic-prefix=inf1.", "--set", "checkpoint-interval-ms=500",
                    "--set", "model-cache-dir=" + tmp.resolve("cache"))), "segstream-infer");
            infer.start();
            try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                            .setBootstrapServers(KAFKA.bootstrapServers()).setTopic("inf1.frames").build();
                    AvroTopicReader<SegmentationMask> masks = AvroTopicReader.builder(SegmentationMask.class)
                            .setBootstrapServers(KAFKA.bootstrapServers()).setTopic("inf1.masks").build()) {
                for (long seq = 0; seq < 3; seq++) {
                    producer.send(frame(seq));
                }
                producer.flush();
                List<SegmentationMask> out = masks.readAtLeast(3, Duration.ofMinutes(2));
                assertEquals(3, out.size(), "one mask per frame; infer said: " + result.get());
                for (SegmentationMask m : out) {
                    assertEquals("road", m.getModel().getName().toString());
                    assertEquals("7", m.getModel().getVersion().toString(), "the model fetched from the URI");
                    assertEquals(1.0f, m.getClassFractions().get("road"), 1e-6f);
                }
            }
            assertTrue(Files.isDirectory(tmp.resolve("cache/road")), "fetched into the model cache");

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String overview = get(http, "http://127.0.0.1:" + webPort + "/jobs/overview");
            Matcher jid = Pattern.compile("\"jid\":\"([0-9a-f]+)\"").matcher(overview);
            assertTrue(jid.find(), overview);
            for (InetAddress address : nonLoopbackAddresses()) {
                assertThrows(ConnectException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(address, webPort), 2000);
                    }
                }, "the Flink web UI must not be reachable on " + address.getHostAddress());
            }
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + "/jobs/" + jid.group(1)
                    + "?mode=cancel")).method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            infer.join(Duration.ofMinutes(1).toMillis());
            assertFalse(infer.isAlive(), "infer ends when its job is cancelled");
            assertNotEquals(0, result.get().exit(), "a cancelled job is not a success: " + result.get().err());
        } finally {
            store.stop(0);
        }
    }

    @Test
    void aModelUriOfAnUnknownSchemeIsRefusedInOneSentence() {
        CliRun r = CliRun.of("infer", "--bootstrap", KAFKA.bootstrapServers(), "--model", "ftp://models/rail/");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("ftp"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}
