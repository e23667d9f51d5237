package io.segstream.edge;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
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
 * The uplink goes down while a recorded drive plays in real time and comes back: every mask and every alert reaches
 * Kafka exactly once, in order, and the spool ends empty.
 *
 * <p>The broker is down for {@link #OUTAGE}, not the 60 s: what an outage has to prove is that records the
 * producer gave up on (its delivery timeout, 4 s here) and records made while nothing could be sent both arrive once
 * the link is back. Both happen after a few seconds; a longer outage only spools more of the same, and the module's
 * tests must stay within about three minutes on two cores.
 */
@Tag("slow")
class UplinkOutageITCase {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkOutageITCase.class);
    private static final Duration OUTAGE = Duration.ofSeconds(12);
    private static final String CAMERA = "rail-1";

    @TempDir
    Path dir;

    @Test
    void everyMaskAndAlertArrivesExactlyOnceAfterTheOutage() throws Exception {
        Path drive = RailDrives.drive(300);
        SegstreamTopics topics = EdgeTesting.topics("outage.");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            run(drive, topics, kafka);
        }
    }

    private void run(Path drive, SegstreamTopics topics, RestartableBroker kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        long spooledDuringOutage;
        long alertsDuringOutage;
        long outageNanos;
        EdgeAgent agent = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, bootstrap, dir.resolve("spool"), topics));
        EdgeHttpServer http = EdgeHttpServer.start(agent, 0);
        HttpClient client = HttpClient.newHttpClient();
        URI healthz = URI.create("http://127.0.0.1:" + http.port() + "/healthz");
        URI metrics = URI.create("http://127.0.0.1:" + http.port() + "/metrics");
        try {
            await("masks on Kafka before the outage", Duration.ofSeconds(60),
                    () -> agent.sender().sent(RecordKind.MASK) >= 20, agent::healthLine);
            long alertsBefore = agent.counters().total(Count.ALERTS_RAISED)
                    + agent.counters().total(Count.ALERTS_CLEARED);
            kafka.stop();
            long down = System.nanoTime();
            LOG.info("broker stopped: {}", agent.healthLine());
            Thread.sleep(OUTAGE.toMillis());
            assertFalse(agent.sender().uplinkUp(), agent.healthLine());
            assertTrue(agent.sender().failures() > 0, "sends outlived the producer's delivery timeout: "
                    + agent.healthLine());
            spooledDuringOutage = agent.spool().pending(RecordKind.MASK);
            alertsDuringOutage = agent.counters().total(Count.ALERTS_RAISED)
                    + agent.counters().total(Count.ALERTS_CLEARED) - alertsBefore;
            assertTrue(alertsDuringOutage > 0, "alerts were raised or cleared while the uplink was down");
            assertTrue(spooledDuringOutage > 50, "masks wait in the spool: " + agent.healthLine());
            HttpResponse<String> whileDown = client.send(HttpRequest.newBuilder(healthz).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, whileDown.statusCode(), whileDown.body());
            assertTrue(whileDown.body().contains("\"uplink\":{\"up\":false"), whileDown.body());
            kafka.restart();
            outageNanos = System.nanoTime() - down;
            LOG.info("broker back after {} ms: {}", outageNanos / 1_000_000, agent.healthLine());
            await("the end of the drive and an empty spool", Duration.ofSeconds(90),
                    () -> EdgeTesting.driveDone(agent, CAMERA)
                            && agent.spool().pending() == 0, agent::healthLine);
            await("delivered segments removed", Duration.ofSeconds(10), () -> agent.spool().bytes() == 0,
                    agent::healthLine);
            HttpResponse<String> up = client.send(HttpRequest.newBuilder(healthz).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());
            String text = client.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            assertTrue(text.contains("segstream_edge_sent_total{kind=\"mask\"} 300\n"), text);
            assertTrue(text.contains("segstream_edge_spool_pending_records{kind=\"mask\"} 0\n"), text);
            assertTrue(text.contains("segstream_ingest_frames_grabbed_total{camera=\"rail-1\"} 300\n"), text);
        } finally {
            http.close();
            agent.close();
        }
        long masks = agent.counters().total(Count.MASKS);
        long raised = agent.counters().total(Count.ALERTS_RAISED);
        long cleared = agent.counters().total(Count.ALERTS_CLEARED);
        assertEquals(300, masks, "every frame of the drive was segmented");

        AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
        List<ConsumerRecord<byte[], byte[]>> maskRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.masks());
        assertEquals(masks, maskRecords.size(), "each mask once");
        long expected = 0;
        for (ConsumerRecord<byte[], byte[]> r : maskRecords) {
            SegmentationMask m = maskCodec.decode(r.value());
            assertEquals(CAMERA, m.getCameraId());
            assertEquals(expected++, m.getSeq(), "masks arrive in order, none missing, none twice");
            assertEquals(m.getCaptureTime().toEpochMilli(), r.timestamp(), "the record timestamp is the capture"
                    + " time");
            assertEquals("bootstrap-rail", m.getModel().getName(), "masks name the model that made them");
        }

        AvroCodec<Alert> alertCodec = AvroCodec.of(Alert.class);
        List<ConsumerRecord<byte[], byte[]>> alertRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.alerts());
        assertTrue(raised >= 1, "the drive raises alerts");
        assertEquals(raised + cleared, alertRecords.size(), "each alert once");
        Set<String> seen = new HashSet<>();
        long lastSeq = -1;
        for (ConsumerRecord<byte[], byte[]> r : alertRecords) {
            Alert a = alertCodec.decode(r.value());
            assertTrue(seen.add(a.getAlertId() + "/" + a.getState()), "alert " + a.getAlertId() + " twice");
            assertTrue(a.getSeq() >= lastSeq, "alerts arrive in frame order");
            lastSeq = a.getSeq();
        }
        LOG.info("outage {} s: masks {} (spooled at the end of the outage {}), alerts {} raised + {} cleared ({} "
                        + "during the outage), "
                        + "delivered masks {} alerts {}, dropped masks {} frames {}, resent {}, send failures {}",
                outageNanos / 1_000_000_000.0, masks, spooledDuringOutage, raised, cleared, alertsDuringOutage,
                maskRecords.size(),
                alertRecords.size(), agent.spool().drops().dropped(RecordKind.MASK),
                agent.spool().drops().dropped(RecordKind.FRAME), agent.sender().resent(),
                agent.sender().failures());
        assertEquals(0, agent.spool().drops().dropped(RecordKind.MASK), "a big enough spool drops nothing");
    }
}
