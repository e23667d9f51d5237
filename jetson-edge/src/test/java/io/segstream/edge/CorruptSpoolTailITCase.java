package io.segstream.edge;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RailDrives;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.ingest.replay.Pace;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.SegmentationMask;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool whose last mask segment was cut short (a power loss mid-write) is opened by the next run: the torn record is
 * cut with a warning, and every whole record before it is sent.
 */
@Tag("slow")
class CorruptSpoolTailITCase {
    private static final String CAMERA = "rail-3";

    @TempDir
    Path dir;

    @Test
    void theTornTailIsCutAndTheRestSent() throws Exception {
        Path drive = RailDrives.drive(60);
        SegstreamTopics topics = EdgeTesting.topics("torn.");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            run(drive, topics, kafka);
        }
    }

    private void run(Path drive, SegstreamTopics topics, RestartableBroker kafka) throws Exception {
        Path spool = dir.resolve("spool");
        kafka.stop();
        long firstRunMasks;
        EdgeAgent first = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, Pace.MAX, kafka.bootstrapServers(), spool,
                topics));
        try {
            await("the first run's drive", Duration.ofSeconds(60),
                    () -> EdgeTesting.driveDone(first, CAMERA), first::healthLine);
        } finally {
            first.close();
        }
        firstRunMasks = first.counters().total(Count.MASKS);
        assertEquals(60, firstRunMasks);
        assertEquals(60, first.spool().pending(RecordKind.MASK), "the uplink was down: every mask is spooled");

        Path last;
        try (Stream<Path> s = Files.list(spool.resolve(RecordKind.MASK.folderName()))) {
            last = s.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        long size = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(size - 100);
        }

        kafka.restart();
        EdgeAgent second = EdgeAgent.start(EdgeTesting.options(CAMERA, drive, Pace.MAX, kafka.bootstrapServers(),
                spool, topics));
        try {
            assertTrue(second.spool().drops().corruptBytesCut(RecordKind.MASK) > 0, "the torn tail was cut");
            await("the second run's drive and an empty spool", Duration.ofSeconds(60),
                    () -> EdgeTesting.driveDone(second, CAMERA)
                            && second.spool().pending() == 0, second::healthLine);
        } finally {
            second.close();
        }
        AvroCodec<SegmentationMask> codec = AvroCodec.of(SegmentationMask.class);
        List<ConsumerRecord<byte[], byte[]>> records = TopicRecords.read(kafka.bootstrapServers(), topics.masks());
        List<Long> firstRun = records.stream().map(r -> decode(codec, r.value()).getSeq())
                .filter(seq -> seq < 1000).toList();
        List<Long> secondRun = records.stream().map(r -> decode(codec, r.value()).getSeq())
                .filter(seq -> seq >= 1000).toList();
        assertEquals(List.of(), firstRun.stream().filter(seq -> seq >= 59).toList(),
                "the torn last mask is not sent");
        assertEquals(java.util.stream.LongStream.range(0, 59).boxed().toList(), firstRun,
                "every whole mask before the tear is sent once, in order");
        assertEquals(java.util.stream.LongStream.range(1000, 1060).boxed().toList(), secondRun,
                "the second run numbers its frames after the first run's");
    }

    private static SegmentationMask decode(AvroCodec<SegmentationMask> codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (io.segstream.schemas.RecordDecodeException e) {
            throw new AssertionError(e);
        }
    }
}
