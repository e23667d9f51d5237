package io.segstream.edge;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.models.ModelReleaser;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelManifest;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RailDrives;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.ingest.replay.Pace;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.SegmentationMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model releases for target {@code edge} reach a running agent: a good one is swapped in between two frames (masks
 * name it from then on), a tampered one is refused and announced while the good one keeps serving, and a restart
 * serves the last good release from disk.
 */
@Tag("slow")
class ModelReleaseITCase {
    private static final String CAMERA = "rail-5";

    @TempDir
    Path dir;

    @Test
    void aGoodReleaseSwapsInABadOneIsRefusedAndTheLastGoodOneSurvivesARestart() throws Exception {
        Path drive = RailDrives.drive(150);
        SegstreamTopics topics = EdgeTesting.topics("models.");
        Path spool = dir.resolve("spool");
        // the bundled model serves first; a copy of it one version on is a good release, two versions on a tampered one
        Path v2 = dir.resolve("bootstrap-next");
        BootstrapModel.extractBundled(v2);
        Path manifest = v2.resolve("model.json");
        String bundled = ModelManifest.read(manifest).version();
        String next = String.valueOf(Integer.parseInt(bundled) + 1);
        String tamperedVersion = String.valueOf(Integer.parseInt(bundled) + 2);
        Files.writeString(manifest, Files.readString(manifest)
                .replace("\"version\" : \"" + bundled + "\"", "\"version\" : \"" + next + "\""));
        assertEquals(next, ModelManifest.read(manifest).version(), "the copy must be a new version to be a new release");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            EdgeAgent agent = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, Pace.parse("x2"),
                    kafka.bootstrapServers(), spool, topics));
            try {
                await("masks from the bundled model", Duration.ofSeconds(60),
                        () -> agent.sender().sent(RecordKind.MASK) >= 10, agent::healthLine);
                assertEquals("rail-fastscnn:" + bundled, agent.servingModel());
                ModelRelease good = ModelReleaser.builder().setModelDir(v2)
                        .setStoreRoot(dir.resolve("store").toUri()).setBootstrapServers(kafka.bootstrapServers())
                        .optTopic(topics.models()).optTarget("edge").build().release().release();
                await("the release swapped in", Duration.ofSeconds(60),
                        () -> agent.servingModel().equals("rail-fastscnn:" + next), agent::healthLine);
                // a release whose artifact is not what it says: a later version pointing at the good one's bytes, wrong
                // SHA-256
                ModelRelease tampered = ModelRelease.newBuilder(good).setVersion(tamperedVersion)
                        .setSha256("0".repeat(64)).build();
                try (AvroKafkaProducer<ModelRelease> producer = AvroKafkaProducer.builder(ModelRelease.class)
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic(topics.models()).build()) {
                    producer.sendAndWait(tampered);
                }
                await("the tampered release refused and announced", Duration.ofSeconds(60),
                        () -> rejectedAlerts(kafka, topics).size() == 1, agent::healthLine);
                assertEquals("rail-fastscnn:" + next, agent.servingModel(), "the good release keeps serving");
                await("the end of the drive", Duration.ofSeconds(90),
                        () -> EdgeTesting.driveDone(agent, CAMERA) && agent.spool().pending() == 0,
                        agent::healthLine);
            } finally {
                agent.close();
            }
            Alert rejected = rejectedAlerts(kafka, topics).get(0);
            assertTrue(rejected.getMessage().startsWith("Model release rail-fastscnn:" + tamperedVersion
                    + " was rejected and rail-fastscnn:" + next + " keeps serving: "), rejected.getMessage());

            AvroCodec<SegmentationMask> codec = AvroCodec.of(SegmentationMask.class);
            List<String> versions = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : TopicRecords.read(kafka.bootstrapServers(), topics.masks())) {
                versions.add(codec.decode(r.value()).getModel().getVersion());
            }
            assertEquals(150, versions.size());
            int firstV2 = versions.indexOf(next);
            assertTrue(firstV2 > 0, "masks of the bundled version, then of the next: " + versions);
            assertEquals(List.of(bundled), versions.subList(0, firstV2).stream().distinct().toList());
            assertEquals(List.of(next), versions.subList(firstV2, versions.size()).stream().distinct().toList(),
                    "after the swap every mask names the good release, none the tampered one");

            kafka.stop();
            EdgeAgent restarted = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, Pace.MAX,
                    kafka.bootstrapServers(), spool, topics));
            try {
                assertEquals("rail-fastscnn:" + next, restarted.servingModel(),
                        "the last good release serves again without the uplink");
            } finally {
                restarted.close();
            }
        }
    }

    private static List<Alert> rejectedAlerts(RestartableBroker kafka, SegstreamTopics topics) {
        AvroCodec<Alert> codec = AvroCodec.of(Alert.class);
        List<Alert> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.read(kafka.bootstrapServers(), topics.alerts())) {
            try {
                Alert a = codec.decode(r.value());
                if (a.getRuleId().equals(SystemAlerts.MODEL_RELEASE_REJECTED)) {
                    out.add(a);
                }
            } catch (io.segstream.schemas.RecordDecodeException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }
}
