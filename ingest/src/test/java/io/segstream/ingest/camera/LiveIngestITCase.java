package io.segstream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.ingest.replay.Pace;
import io.segstream.ingest.sink.FrameSink;
import io.segstream.ingest.sink.KafkaFrameSink;
import io.segstream.ingest.testing.Await;
import io.segstream.ingest.testing.KafkaFrames;
import io.segstream.ingest.testing.MjpegHttpServer;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A live MJPEG-over-HTTP camera served on loopback by the test: stopped and restarted, frozen, sending garbage.
 * Ingest must reconnect, resume, report the gap and count the damage, with frames going to a real broker.
 */
class LiveIngestITCase {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    static CameraConfig liveCamera(String id, String url, Duration readTimeout, Duration stallTimeout) {
        SourceSpec spec = SourceSpec.builder().setLocation(url).optReadTimeout(readTimeout).build();
        return new CameraConfig(id, spec, CameraMode.LIVE, 0, ImageOptions.DEFAULT, Map.of("line", "L1"),
                Pace.REALTIME, false, null, stallTimeout, 4);
    }

    static IngestService service(FrameSink sink, IngestMetrics metrics) {
        return IngestService.builder()
                .setSink(sink)
                .setMetrics(metrics)
                .optBackoffs(() -> new Backoff(Duration.ofMillis(100), Duration.ofMillis(800), 2.0, 0.2, new Random(7)))
                .optHealthInterval(Duration.ofSeconds(1))
                .optWatchdogInterval(Duration.ofMillis(200))
                .build();
    }

    @Test
    void streamStoppedAndRestartedReconnectsResumesAndReportsTheGap() throws Exception {
        String topic = KafkaFrames.newTopic(KAFKA.broker(), "live" + TOPICS.incrementAndGet() + ".");
        IngestMetrics metrics = new IngestMetrics(System::nanoTime);
        try (MjpegHttpServer server = new MjpegHttpServer(10, 160, 120);
                KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic)) {
            server.start();
            CameraMetrics m = metrics.camera("cam-live");
            try (IngestService service = service(sink, metrics)) {
                service.apply(new CamerasConfig(List.of(
                        liveCamera("cam-live", server.url(), Duration.ofSeconds(1), Duration.ofSeconds(5)))));
                Await.until(() -> m.sent() >= 8, WAIT, () -> HealthLine.of(m));
                Instant before = Instant.now();

                server.stop();
                Await.until(() -> m.state() != CameraState.STREAMING && m.reconnects() >= 2, WAIT,
                        () -> HealthLine.of(m));
                long sentWhileDown = m.sent();
                assertEquals(0, m.gaps(), "no gap is reported before frames resume");
                server.start();

                Await.until(() -> m.sent() >= sentWhileDown + 8, WAIT, () -> HealthLine.of(m));
                assertEquals(1, m.gaps(), "one outage reported");
                assertTrue(m.lastGapSeconds() > 0, "gap length reported: " + m.lastGapSeconds());
                assertTrue(m.reconnects() >= 2, "reconnect attempts counted");
                assertTrue(server.connections() >= 2, "ingest connected again");
                assertTrue(metrics.prometheusText().contains("segstream_ingest_gaps_total{camera=\"cam-live\"} 1"));
                assertTrue(Instant.now().isAfter(before));
            }
            List<CameraFrame> frames = KafkaFrames.ofCamera(KafkaFrames.readAll(KAFKA.broker(), topic), "cam-live");
            assertEquals(m.sent(), frames.size(), "every frame counted as sent is on the topic");
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i, frames.get(i).getSeq(), "seq continues across the reconnect");
                assertEquals("L1", frames.get(i).getAttributes().get("line"));
                if (i > 0) {
                    assertTrue(!frames.get(i).getCaptureTime().isBefore(frames.get(i - 1).getCaptureTime()));
                }
            }
        }
    }

    @Test
    void frozenStreamTimesOutAndReconnects() throws Exception {
        String topic = KafkaFrames.newTopic(KAFKA.broker(), "live" + TOPICS.incrementAndGet() + ".");
        IngestMetrics metrics = new IngestMetrics(System::nanoTime);
        try (MjpegHttpServer server = new MjpegHttpServer(10, 160, 120);
                KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic);
                IngestService service = service(sink, metrics)) {
            server.start();
            CameraMetrics m = metrics.camera("cam-freeze");
            service.apply(new CamerasConfig(List.of(
                    liveCamera("cam-freeze", server.url(), Duration.ofSeconds(1), Duration.ofSeconds(5)))));
            Await.until(() -> m.sent() >= 5, WAIT, () -> HealthLine.of(m));

            server.mode(MjpegHttpServer.Mode.FREEZE);
            Await.until(() -> m.reconnects() >= 1, WAIT, () -> HealthLine.of(m));
            long sent = m.sent();
            server.mode(MjpegHttpServer.Mode.FRAMES);

            Await.until(() -> m.sent() >= sent + 5 && m.gaps() == 1, WAIT, () -> HealthLine.of(m));
            assertEquals(0, m.stalls(), "the read timeout, not the watchdog, caught the silent stream");
        }
    }

    @Test
    void garbageIsCountedAndAHungDecoderIsLeftForAFreshConnection() throws Exception {
        String topic = KafkaFrames.newTopic(KAFKA.broker(), "live" + TOPICS.incrementAndGet() + ".");
        IngestMetrics metrics = new IngestMetrics(System::nanoTime);
        try (MjpegHttpServer server = new MjpegHttpServer(10, 160, 120);
                KafkaFrameSink sink = KafkaFrames.sink(KAFKA.broker(), topic);
                IngestService service = service(sink, metrics)) {
            server.start();
            CameraMetrics m = metrics.camera("cam-garbage");
            service.apply(new CamerasConfig(List.of(
                    liveCamera("cam-garbage", server.url(), Duration.ofSeconds(1), Duration.ofSeconds(2)))));
            Await.until(() -> m.sent() >= 5, WAIT, () -> HealthLine.of(m));

            // well-framed parts that are not JPEG: data keeps flowing, so no read times out, yet no frame comes
            server.mode(MjpegHttpServer.Mode.GARBAGE);
            Await.until(() -> m.stalls() >= 1, WAIT, () -> HealthLine.of(m));
            long sent = m.sent();
            server.mode(MjpegHttpServer.Mode.FRAMES);

            Await.until(() -> m.sent() >= sent + 5 && m.gaps() >= 1, WAIT, () -> HealthLine.of(m));
            assertTrue(m.decodeErrors() > 0, "undecodable parts counted: " + m.decodeErrors());
            assertTrue(server.connections() >= 2, "a fresh connection was opened");
        }
    }
}
