package io.segstream.edge;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RailDrives;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.ingest.replay.Pace;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.SegmentationMask;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole drive segmented while the uplink is down into a spool far too small for its masks: every alert is kept,
 * past the high-water mark every other mask is thinned out, at the bound the oldest masks are dropped, both counted per
 * camera, and what is kept (the newest masks, every other one) arrives in order when the uplink returns.
 */
@Tag("slow")
class SpoolFullITCase {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolFullITCase.class);
    private static final String CAMERA = "rail-2";
    /** About 20 masks of the rendered drive; segments of about 3. */
    private static final SpoolOptions TINY = new SpoolOptions(200 << 10, 32 << 10, Duration.ofMillis(100));

    @TempDir
    Path dir;

    @Test
    void alertsAreKeptMasksThinnedAndTheOldestDroppedAndCounted() throws Exception {
        Path drive = RailDrives.drive(300);
        SegstreamTopics topics = EdgeTesting.topics("full.");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            run(drive, topics, kafka);
        }
    }

    private void run(Path drive, SegstreamTopics topics, RestartableBroker kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        // the uplink is down from the start
        kafka.stop();
        EdgeAgent agent = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, Pace.parse("x4"), bootstrap,
                dir.resolve("spool"), topics).withSpool(TINY));
        long masks;
        long alerts;
        long dropped;
        long thinned;
        try {
            await("the end of the drive", Duration.ofSeconds(120),
                    () -> EdgeTesting.driveDone(agent, CAMERA), agent::healthLine);
            masks = agent.counters().total(Count.MASKS);
            alerts = agent.counters().total(Count.ALERTS_RAISED) + agent.counters().total(Count.ALERTS_CLEARED);
            dropped = agent.spool().drops().dropped(RecordKind.MASK);
            thinned = agent.spool().drops().thinned();
            assertEquals(300, masks);
            assertTrue(alerts > 0, "the drive raises alerts");
            assertTrue(dropped + thinned > 250, "most masks did not fit: " + agent.healthLine());
            assertTrue(thinned > 100 && dropped > 100, "masks were thinned, then the oldest dropped: "
                    + agent.healthLine());
            assertEquals(Map.of(CAMERA, dropped), agent.spool().drops().droppedByCamera(RecordKind.MASK),
                    "drops are counted per camera");
            assertEquals(Map.of(CAMERA, thinned), agent.spool().drops().thinnedByCamera(),
                    "thinned masks are counted per camera");
            assertTrue(agent.spool().thinning(), "thinning lasts while the uplink is down");
            assertEquals(alerts, agent.spool().pending(RecordKind.ALERT), "every alert is in the spool");
            assertTrue(agent.spool().bytes() <= TINY.maxBytes() || agent.spool().drops().alertsOverBound() > 0,
                    "the bound holds unless alerts alone exceed it: " + agent.healthLine());
            LOG.info("spool full: {}", agent.healthLine());
            kafka.restart();
            await("an empty spool", Duration.ofSeconds(60), () -> agent.spool().pending() == 0, agent::healthLine);
            await("thinning ended", Duration.ofSeconds(10), () -> !agent.spool().thinning(), agent::healthLine);
        } finally {
            agent.close();
        }
        AvroCodec<Alert> alertCodec = AvroCodec.of(Alert.class);
        List<ConsumerRecord<byte[], byte[]>> alertRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.alerts());
        assertEquals(alerts, alertRecords.size(), "every alert arrived");
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : alertRecords) {
            Alert a = alertCodec.decode(r.value());
            assertTrue(ids.add(a.getAlertId() + "/" + a.getState()), "alert " + a.getAlertId() + " once");
        }
        AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
        List<ConsumerRecord<byte[], byte[]>> maskRecords = TopicRecords.read(kafka.bootstrapServers(),
                topics.masks());
        assertEquals(masks - dropped - thinned, maskRecords.size(),
                "the masks kept arrived, the dropped and thinned ones did not");
        // the oldest masks were dropped: what arrived is the newest, every other one (thinned), in order, apart from
        // the few the sender already had in flight when their segment was dropped (those are its to deliver)
        List<Long> seqs = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : maskRecords) {
            seqs.add(maskCodec.decode(r.value()).getSeq());
        }
        int head = seqs.size() - 1;
        while (head > 0 && seqs.get(head) - seqs.get(head - 1) == DiskSpool.THIN_EVERY) {
            head--;
        }
        assertTrue(head <= 5, "only records in flight survive ahead of the gap: " + seqs);
        assertTrue(seqs.size() - head >= 10, "the newest masks, every other one, in order: " + seqs);
        assertTrue(seqs.get(seqs.size() - 1) >= masks - DiskSpool.THIN_EVERY, "the newest mask kept: " + seqs);
        LOG.info("spool of {} bytes: masks {}, thinned {}, dropped {}, delivered {}; alerts {}, delivered {}",
                TINY.maxBytes(), masks, thinned, dropped, maskRecords.size(), alerts, alertRecords.size());
    }
}
