package io.segstream.edge.agent;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.scenes.Actor;
import io.segstream.core.scenes.Area;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.Intrusion;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.testing.DuplicateRecords;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.edge.uplink.SpoolSender;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash after Kafka acknowledged the spool's records but before the spool wrote its delivered index: the disk as
 * that crash leaves it (the segments, no delivered index) is opened again and sent again, so every mask and alert
 * reaches the topic twice, and each second copy is the first byte for byte (key and value). That is what lets
 * consumers drop repeats by (camera, seq) and (alert id, state).
 *
 * <p>The records are real: masks and alerts of a rendered drive, made by the agent's pipeline with the bundled model.
 */
@Tag("slow")
class ResendAfterCrashITCase {
    private static final Logger LOG = LoggerFactory.getLogger(ResendAfterCrashITCase.class);
    private static final int FRAMES = 24;
    private static final long T0 = Instant.parse("2026-12-06T08:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void recordsSentAgainAfterACrashAreIdenticalToTheFirstCopies() throws Exception {
        SegstreamTopics topics = EdgeTesting.topics("resend.");
        Map<RecordKind, String> topicOf = SpoolSender.topicsOf(topics);
        Path live = dir.resolve("spool");
        Path crashed = dir.resolve("spool-at-the-crash");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            long masks;
            long alerts;
            try (DiskSpool spool = DiskSpool.open(live, SpoolOptions.of(64L << 20))) {
                spoolDrive(spool, live);
                masks = spool.pending(RecordKind.MASK);
                alerts = spool.pending(RecordKind.ALERT);
                assertEquals(FRAMES, masks);
                assertTrue(alerts > 0, "the drive raises alerts under the flicker rules");
                try (SpoolSender sender = new SpoolSender(spool, topicOf, kafka.bootstrapServers(),
                        EdgeTesting.SENDER)) {
                    sender.start();
                    await("the first run's records acknowledged", Duration.ofSeconds(60),
                            () -> sender.sent(RecordKind.MASK) == masks && sender.sent(RecordKind.ALERT) == alerts,
                            spool::toString);
                    // the crash: acknowledged, but the agent's housekeeping (spool.maintain) never wrote the index
                    copy(live, crashed);
                }
            }
            assertFalse(Files.exists(crashed.resolve("masks").resolve("delivered")),
                    "the disk at the crash holds no delivered index for the masks");

            try (DiskSpool spool = DiskSpool.open(crashed, SpoolOptions.of(64L << 20))) {
                assertEquals(masks, spool.pending(RecordKind.MASK), "every acknowledged mask is pending again");
                assertEquals(alerts, spool.pending(RecordKind.ALERT), "every acknowledged alert is pending again");
                try (SpoolSender sender = new SpoolSender(spool, topicOf, kafka.bootstrapServers(),
                        EdgeTesting.SENDER)) {
                    sender.start();
                    await("the records sent again", Duration.ofSeconds(60),
                            () -> sender.sent(RecordKind.MASK) == masks && sender.sent(RecordKind.ALERT) == alerts,
                            spool::toString);
                }
            }

            List<ConsumerRecord<byte[], byte[]>> maskRecords = TopicRecords.read(kafka.bootstrapServers(),
                    topics.masks());
            List<ConsumerRecord<byte[], byte[]>> alertRecords = TopicRecords.read(kafka.bootstrapServers(),
                    topics.alerts());
            assertEquals(2 * masks, maskRecords.size(), "each mask twice");
            assertEquals(2 * alerts, alertRecords.size(), "each alert twice");
            Map<String, Integer> maskCopies = DuplicateRecords.assertCopiesIdentical(maskRecords,
                    DuplicateRecords::maskIdentity);
            Map<String, Integer> alertCopies = DuplicateRecords.assertCopiesIdentical(alertRecords,
                    DuplicateRecords::alertIdentity);
            assertEquals(masks, maskCopies.size(), "one identity per mask");
            assertTrue(maskCopies.values().stream().allMatch(n -> n == 2), "every mask twice: " + maskCopies);
            assertEquals(alerts, alertCopies.size(), "one identity per alert state change");
            assertTrue(alertCopies.values().stream().allMatch(n -> n == 2), "every alert twice: " + alertCopies);
            LOG.info("crash before the delivered index: {} masks and {} alerts sent twice, every repeat identical",
                    masks, alerts);
        }
    }

    /** The pipeline's masks and alerts of a rendered drive, written to {@code spool} and synced. */
    private static void spoolDrive(DiskSpool spool, Path spoolDir) throws Exception {
        DriveGenerator drive = DriveGenerator.builder().setSize(512, 256).setFrames(FRAMES).optKind(SceneKind.RAIL)
                .optSeed(7).optSpeed(5).optIntrusion(Intrusion.of(Actor.TRUCK, Area.TRACK, 6, 18)).build();
        AlertRules rules = AlertRules.load(Path.of(EdgeTesting.flickerRules()));
        try (OnnxSegmenter model = OnnxSegmenter.open(BootstrapModel.extractBundled(spoolDir.resolve("model")).dir(),
                SegmenterOptions.defaults())) {
            EdgePipeline pipeline = new EdgePipeline(new FrameSegmenter(model, rules, MaskEncoding.PNG_CLASS_IDS),
                    new AlertEngine(rules), spool, CameraSequences.open(spoolDir), FramesPolicy.NONE,
                    new EdgeCounters());
            for (int i = 0; i < FRAMES; i++) {
                ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
                ImageIO.write(drive.render(i).toImage(), "jpeg", jpeg);
                Instant t = Instant.ofEpochMilli(T0 + i * 100L);
                CameraFrame frame = CameraFrame.newBuilder().setCameraId("cam-1").setSeq(i).setCaptureTime(t)
                        .setIngestTime(t).setWidth(512).setHeight(256).setEncoding(ImageEncoding.JPEG)
                        .setData(ByteBuffer.wrap(jpeg.toByteArray())).setAttributes(Map.of()).build();
                pipeline.send(frame, (f, error) -> assertNull(error));
            }
            pipeline.close();
        }
    }

    /** The spool's kinds folders as they are on the disk now. */
    private static void copy(Path from, Path to) throws IOException {
        for (RecordKind kind : RecordKind.values()) {
            Path source = from.resolve(kind.folderName());
            Path target = Files.createDirectories(to.resolve(kind.folderName()));
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : files.toList()) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
