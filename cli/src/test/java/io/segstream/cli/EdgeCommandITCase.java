package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.schemas.SegmentationMask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segstream edge --source FILE ...} plays a recording through the agent and ends once the recording is done
 * and the spool is sent: every frame's mask is on the masks topic, and the spool folder holds no record.
 */
class EdgeCommandITCase {
    @TempDir
    Path dir;

    @Test
    void aRecordingGoesThroughTheAgentToKafka() throws Exception {
        Path drive = ReplayCommandITCase.video(dir, "drive.mp4", 30);
        SegstreamTopics topics = SegstreamTopics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optTopics(topics.all()).start()) {
            CliRun run = CliRun.of("edge", "--source", drive.toString(), "--camera", "c1", "--bootstrap",
                    kafka.bootstrapServers(), "--spool", dir.resolve("spool").toString(), "--pace", "max",
                    "--health-interval", "1", "--provider", "cpu", "--rules", "none");
            assertEquals(0, run.exit(), run.err());
            assertTrue(run.out().contains("sent alerts 0, masks 30, frames 0; left in the spool 0"), run.out());
            List<SegmentationMask> masks;
            try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
                    .setBootstrapServers(kafka.bootstrapServers()).setTopic(topics.masks()).build()) {
                masks = reader.readToEnd(Duration.ofSeconds(30));
            }
            assertEquals(30, masks.size());
            for (int i = 0; i < masks.size(); i++) {
                assertEquals(i, masks.get(i).getSeq());
                assertEquals("c1", masks.get(i).getCameraId());
            }
            try (var files = Files.walk(dir.resolve("spool"))) {
                assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".seg")).toList(),
                        "no segment left in the spool");
            }
        }
    }
}
