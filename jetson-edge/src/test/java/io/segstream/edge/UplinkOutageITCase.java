package io.segstream.edge;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.model.BootstrapModel;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.agent.EdgeHttpServer;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RailDrives;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.SegmentationMask;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uplink goes down for a minute while a recorded drive plays in real time and comes back: every mask and every
 * alert reaches Kafka exactly once, in order, and the spool ends empty. The test log ends with the outage's figures
 * (seconds down, records spooled meanwhile, delivered, dropped by kind).
 *
 * <p>The drive plays at 5 fps for 72 s: long enough to cover the {@link #OUTAGE} and a few seconds on either side,
 * with half the frames to render and segment of a 10 fps drive. The producer gives up after 4 s, so most of the
 * outage's records come from the spool, not from Kafka's memory.
 */
@Tag("slow")
class UplinkOutageITCase {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkOutageITCase.class);
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final double FPS = 5;
    private static final int FRAMES = 360;
    private static final String CAMERA = "rail-1";

    @TempDir
    Path dir;

    @Test
    void everyMaskAndAlertArrivesExactlyOnceAfterTheOutage() throws Exception {
        Path drive = RailDrives.drive(FRAMES, FPS);
        SegstreamTopics topics = EdgeTesting.topics("outage.");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            run(drive, topics, kafka);
        }
    }

    private void run(Path drive, SegstreamTopics topics, RestartableBroker kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        long masksDuringOutage;
        long startMillis = System.currentTimeMillis();
        long stopMillis;
        long masksBefore;
        long alertsDuringOutage;
        long outageNanos;
        EdgeAgent agent = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, bootstrap, dir.resolve("spool"), topics));
        EdgeHttpServer http = EdgeHttpServer.start(agent, 0);
        HttpClient client = HttpClient.newHttpClient();
        URI healthz = URI.create("http://127.0.0.1:" + http.port() + "/healthz");
        URI metrics = URI.create("http://127.0.0.1:" + http.port() + "/metrics");
        try {
            await("masks on Kafka before the outage", Duration.ofSeconds(60),
                    () -> agent.sender().sent(RecordKind.MASK) >= 10, agent::healthLine);
            long alertsBefore = agent.counters().total(Count.ALERTS_RAISED)
                    + agent.counters().total(Count.ALERTS_CLEARED);
            stopMillis = System.currentTimeMillis();
            kafka.stop();
            // counted once the broker is gone: a mask made while it shut down can still have been acknowledged
            masksBefore = agent.counters().total(Count.MASKS);
            long down = System.nanoTime();
            LOG.info("broker stopped: {}", agent.healthLine());
            Thread.sleep(OUTAGE.toMillis());
            assertFalse(agent.sender().uplinkUp(), agent.healthLine());
            assertTrue(agent.sender().failures() > 0, "sends outlived the producer's delivery timeout: "
                    + agent.healthLine());
            masksDuringOutage = agent.counters().total(Count.MASKS) - masksBefore;
            alertsDuringOutage = agent.counters().total(Count.ALERTS_RAISED)
                    + agent.counters().total(Count.ALERTS_CLEARED) - alertsBefore;
            assertTrue(alertsDuringOutage > 0, "alerts were raised or cleared while the uplink was down");
            assertTrue(agent.spool().pending(RecordKind.MASK) >= masksDuringOutage,
                    "every mask of the outage waits in the spool: " + agent.healthLine());
            assertTrue(masksDuringOutage > 100, "the drive went on during the outage: " + agent.healthLine());
            assertFalse(EdgeTesting.driveDone(agent, CAMERA), "the drive outlasts the outage");
            HttpResponse<String> whileDown = client.send(HttpRequest.newBuilder(healthz).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, whileDown.statusCode(), whileDown.body());
            assertTrue(whileDown.body().contains("\"uplink\":{\"up\":false"), whileDown.body());
            kafka.restart();
            outageNanos = System.nanoTime() - down;
            LOG.info("broker back after {} ms: {}", outageNanos / 1_000_000, agent.healthLine());
            await("the end of the drive and an empty spool", Duration.ofSeconds(120),
                    () -> EdgeTesting.driveDone(agent, CAMERA)
                            && agent.spool().pending() == 0, agent::healthLine);
            await("delivered segments removed", Duration.ofSeconds(10), () -> agent.spool().bytes() == 0,
                    agent::healthLine);
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(healthz).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            String text = client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertTrue(text.contains("segstream_edge_sent_total{kind=\"mask\"} " + FRAMES + "\n"), text);
            assertTrue(text.contains("segstream_edge_spool_pending_records{kind=\"mask\"} 0\n"), text);
            assertTrue(text.contains("segstream_ingest_frames_grabbed_total{camera=\"rail-1\"} " + FRAMES
                    + "\n"), text);
        } finally {
            http.close();
            agent.close();
        }
        long masks = agent.counters().total(Count.MASKS);
        long raised = agent.counters().total(Count.ALERTS_RAISED);
        long cleared = agent.counters().total(Count.ALERTS_CLEARED);
        assertEquals(FRAMES, masks, "every frame of the drive was segmented");

        AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
        List<ConsumerRecord<byte[], byte[]>> maskRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.masks());
        assertEquals(masks, maskRecords.size(), "each mask once");
        long expected = 0;
        for (ConsumerRecord<byte[], byte[]> r : maskRecords) {
            SegmentationMask m = maskCodec.decode(r.value());
            assertEquals(CAMERA, m.getCameraId());
            assertEquals(expected++, m.getSeq(), "masks arrive in order, none missing, none twice");
            // stamped when sent, so the broker keeps what arrives after a long outage for the topic's retention
            long endMillis = System.currentTimeMillis();
            assertTrue(r.timestamp() >= startMillis && r.timestamp() <= endMillis, "mask " + m.getSeq()
                    + ": the record timestamp is its send time, within the test's run, not " + r.timestamp());
            // masksBefore were counted after stopMillis; a mask is counted just after it is spooled, so the one
            // after them was made (and sent) after stopMillis
            if (m.getSeq() > masksBefore) {
                assertTrue(r.timestamp() >= stopMillis, "mask " + m.getSeq() + ", made after the broker was stopped,"
                        + " is stamped " + r.timestamp() + ", before the stop at " + stopMillis);
            }
            assertEquals(BootstrapModel.NAME, m.getModel().getName(), "masks name the model that made them");
        }

        AvroCodec<Alert> alertCodec = AvroCodec.of(Alert.class);
        List<ConsumerRecord<byte[], byte[]>> alertRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.alerts());
        assertTrue(raised >= 1, "the drive raises alerts");
        assertEquals(raised + cleared, alertRecords.size(), "each alert once");
        Set<String> seen = new HashSet<>();
        List<String> arrived = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : alertRecords) {
            Alert a = alertCodec.decode(r.value());
            arrived.add(a.getSeq() + " " + a.getState() + " " + a.getRuleId() + " @" + r.offset());
        }
        long lastSeq = -1;
        for (ConsumerRecord<byte[], byte[]> r : alertRecords) {
            Alert a = alertCodec.decode(r.value());
            assertTrue(seen.add(a.getAlertId() + "/" + a.getState()), "alert " + a.getAlertId() + " twice");
            assertTrue(a.getSeq() >= lastSeq, "alerts arrive in frame order: " + arrived);
            lastSeq = a.getSeq();
        }
        LOG.info("outage figures: down {} s; spooled meanwhile: masks {}, alerts {}; delivered in all: masks {} of {},"
                        + " alerts {} of {} ({} raised, {} cleared); dropped: masks {}, frames {}, alerts 0 (never);"
                        + " resent {}, send failures {}",
                String.format(java.util.Locale.ROOT, "%.1f", outageNanos / 1e9), masksDuringOutage,
                alertsDuringOutage, maskRecords.size(), masks, alertRecords.size(), raised + cleared, raised, cleared,
                agent.spool().drops().dropped(RecordKind.MASK), agent.spool().drops().dropped(RecordKind.FRAME),
                agent.sender().resent(), agent.sender().failures());
        assertEquals(0, agent.spool().drops().dropped(RecordKind.MASK), "a big enough spool drops nothing");
    }
}
