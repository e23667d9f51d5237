package io.segstream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.ingest.metrics.MetricsServer;
import io.segstream.ingest.sink.KafkaFrameSink;
import io.segstream.ingest.testing.Await;
import io.segstream.ingest.testing.KafkaFrames;
import io.segstream.ingest.testing.MjpegHttpServer;
import io.segstream.ingest.testing.VideoFixtures;
import io.segstream.schemas.CameraFrame;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several cameras in one ingest process against a real broker: broken cameras do not disturb a healthy one, the
 * camera file is reloaded while running (only changed cameras restart), and the metrics endpoint serves them all.
 */
class MultiCameraITCase {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void brokenCamerasDoNotStopAHealthyOneAndReloadsTouchOnlyChangedCameras() throws Exception {
        Path drive = VideoFixtures.video(dir, "drive.mp4", 20, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Path notAVideo = Files.writeString(dir.resolve("notes.mp4"), "not a video");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                MjpegHttpServer camera = new MjpegHttpServer(10, 160, 120)) {
            camera.start();
            String topic = KafkaFrames.newTopic(kafka, "multi.");
            IngestMetrics metrics = new IngestMetrics(System::nanoTime);
            Path file = dir.resolve("cameras.yaml");
            Files.writeString(file, """
                    defaults:
                      readTimeout: 1s
                      stallTimeout: 5s
                    cameras:
                      - id: healthy
                        url: %s
                        attributes: {line: L1, km_post: "12.4"}
                      - id: refused
                        url: http://127.0.0.1:%d/none.mjpg
                      - id: notavideo
                        path: %s
                    """.formatted(camera.url(), closedPort, notAVideo));
            try (KafkaFrameSink sink = KafkaFrames.sink(kafka, topic);
                    MetricsServer metricsServer = MetricsServer.start(metrics, 0);
                    IngestService service = LiveIngestITCase.service(sink, metrics)) {
                service.apply(CamerasConfig.read(file));
                service.watch(file, Files.readAllBytes(file));
                CameraMetrics healthy = metrics.camera("healthy");
                CameraMetrics refused = metrics.camera("refused");
                CameraMetrics broken = metrics.camera("notavideo");

                Await.until(() -> healthy.sent() >= 10 && refused.reconnects() >= 3
                        && broken.state() == CameraState.FAILED, WAIT,
                        () -> HealthLine.of(healthy) + " | " + HealthLine.of(refused) + " | " + HealthLine.of(broken));
                assertEquals(0, refused.grabbed());
                assertTrue(broken.lastError().contains("not a readable video"), broken.lastError());
                String scraped = scrape(metricsServer.port());
                assertTrue(scraped.contains("segstream_ingest_frames_sent_total{camera=\"healthy\"} "), scraped);
                assertTrue(scraped.contains("segstream_ingest_camera_up{camera=\"healthy\"} 1"), scraped);
                assertTrue(scraped.contains("segstream_ingest_camera_up{camera=\"refused\"} 0"), scraped);

                // edit the file while running: drop the broken cameras, add a recorded drive, keep the healthy one
                Files.writeString(file, """
                        defaults:
                          readTimeout: 1s
                          stallTimeout: 5s
                        cameras:
                          - id: healthy
                            url: %s
                            attributes: {line: L1, km_post: "12.4"}
                          - id: drive-a
                            path: %s
                            pace: max
                            driveId: drive-a-2024
                        """.formatted(camera.url(), drive));
                Await.until(() -> service.cameraIds().equals(List.of("healthy", "drive-a"))
                        && metrics.camera("drive-a").state() == CameraState.FINISHED
                        && metrics.camera("drive-a").sent() == 20, WAIT,
                        () -> service.cameraIds() + " " + HealthLine.of(metrics.camera("drive-a")));
                assertTrue(metrics.cameras().stream().noneMatch(m -> m.cameraId().equals("refused")),
                        "removed cameras leave the metrics");
                assertEquals(0, healthy.reconnects(), "the unchanged camera was not restarted");
                assertEquals(0, healthy.gaps());

                // a broken edit is reported and changes nothing
                long sentBefore = healthy.sent();
                Files.writeString(file, "cameras: [ {id: healthy, url: ");
                Await.until(() -> healthy.sent() >= sentBefore + 10, WAIT, () -> HealthLine.of(healthy));
                assertEquals(List.of("healthy", "drive-a"), service.cameraIds());
                assertEquals(CameraState.STREAMING, healthy.state());
            }

            List<ReceivedRecord<CameraFrame>> records = KafkaFrames.readAll(kafka, topic);
            List<CameraFrame> live = KafkaFrames.ofCamera(records, "healthy");
            assertEquals(metrics.camera("healthy").sent(), live.size());
            for (int i = 0; i < live.size(); i++) {
                assertEquals(i, live.get(i).getSeq(), "the healthy camera's seq has no hole");
                assertEquals("12.4", live.get(i).getAttributes().get("km_post"));
                assertNull(live.get(i).getDriveId());
            }
            List<CameraFrame> replayed = KafkaFrames.ofCamera(records, "drive-a");
            assertEquals(20, replayed.size());
            for (int i = 0; i < 20; i++) {
                assertEquals(i, replayed.get(i).getSeq());
                assertEquals("drive-a-2024", replayed.get(i).getDriveId());
            }
            assertTrue(records.stream().noneMatch(r -> "refused".equals(r.keyString())
                    || "notavideo".equals(r.keyString())));
        }
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return r.body();
    }
}
