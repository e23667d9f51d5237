package io.segstream.edge.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on its own: framing, restart recovery, torn tails, and who gives way when it is full. */
class DiskSpoolTest {
    /** 1000-byte values: with 30 bytes of framing and a 4-byte camera and key, each record takes 1038 bytes. */
    private static final int VALUE_BYTES = 1000;
    private static final int RECORD_BYTES = 1038;

    @TempDir
    Path dir;

    private static byte[] value(int n) {
        byte[] v = new byte[VALUE_BYTES];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (n * 31 + i);
        }
        return v;
    }

    private static SpoolRecord append(DiskSpool spool, RecordKind kind, String camera, int n) throws IOException {
        return spool.append(kind, camera, 1_700_000_000_000L + n, camera.getBytes(StandardCharsets.UTF_8), value(n));
    }

    /** Options with the sync delay at zero so that tests do not depend on time. */
    private static SpoolOptions options(long maxBytes, long segmentBytes) {
        return new SpoolOptions(maxBytes, segmentBytes, Duration.ZERO);
    }

    @Test
    void recordsComeBackInOrderAndDeliveredSegmentsAreRemoved() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 16 << 10))) {
            for (int i = 0; i < 40; i++) {
                assertEquals(i, append(spool, RecordKind.MASK, "cam1", i).index());
            }
            assertEquals(40L * RECORD_BYTES, spool.bytes());
            List<SpoolRecord> first = spool.next(RecordKind.MASK, 25);
            List<SpoolRecord> rest = spool.next(RecordKind.MASK, 100);
            assertEquals(25, first.size());
            assertEquals(15, rest.size());
            assertTrue(spool.next(RecordKind.MASK, 10).isEmpty(), "each record is handed out once");
            for (int i = 0; i < 40; i++) {
                SpoolRecord r = i < 25 ? first.get(i) : rest.get(i - 25);
                assertEquals(i, r.index());
                assertEquals(1_700_000_000_000L + i, r.timestamp());
                assertEquals("cam1", r.camera());
                assertArrayEquals(value(i), r.value());
            }
            spool.delivered(RecordKind.MASK, 40);
            spool.maintain();
            assertEquals(0, spool.pending());
            assertEquals(0, spool.bytes(), "every delivered segment is gone, the one being written included");
            assertEquals(List.of(), segmentFiles(RecordKind.MASK));
            assertEquals(40, append(spool, RecordKind.MASK, "cam1", 40).index(), "indices go on after a cleanup");
        }
    }

    @Test
    void aRestartResumesAfterTheLastDeliveredRecordWithIdenticalRecords() throws IOException {
        List<SpoolRecord> written = new ArrayList<>();
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 16 << 10))) {
            for (int i = 0; i < 30; i++) {
                written.add(append(spool, RecordKind.MASK, i % 2 == 0 ? "cam1" : "cam2", i));
            }
            written.add(append(spool, RecordKind.ALERT, "cam1", 99));
            spool.next(RecordKind.MASK, 20);
            spool.delivered(RecordKind.MASK, 12);
        }
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 16 << 10))) {
            assertEquals(18, spool.pending(RecordKind.MASK), "12 of 30 were delivered before the restart");
            assertEquals(1, spool.pending(RecordKind.ALERT));
            List<SpoolRecord> again = spool.next(RecordKind.MASK, 100);
            assertEquals(18, again.size());
            for (int i = 0; i < again.size(); i++) {
                SpoolRecord before = written.get(12 + i);
                SpoolRecord after = again.get(i);
                assertEquals(before.index(), after.index());
                assertEquals(before.timestamp(), after.timestamp());
                assertEquals(before.camera(), after.camera());
                assertArrayEquals(before.key(), after.key());
                assertArrayEquals(before.value(), after.value());
            }
            SpoolRecord alert = spool.next(RecordKind.ALERT, 10).get(0);
            assertArrayEquals(value(99), alert.value());
            assertEquals(30, append(spool, RecordKind.MASK, "cam1", 30).index(), "new records follow the old ones");
        }
    }

    @Test
    void aTornTailIsCutWithTheRecordsBeforeItKept() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 64 << 10))) {
            for (int i = 0; i < 5; i++) {
                append(spool, RecordKind.ALERT, "cam1", i);
            }
        }
        Path segment = segmentFiles(RecordKind.ALERT).get(0);
        // a power loss in the middle of the fifth record's write
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(4L * RECORD_BYTES + 300);
        }
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 64 << 10))) {
            assertEquals(4, spool.pending(RecordKind.ALERT));
            assertEquals(300, spool.drops().corruptBytesCut(RecordKind.ALERT));
            assertEquals(4L * RECORD_BYTES, Files.size(segment), "the file is cut at the last whole record");
            List<SpoolRecord> kept = spool.next(RecordKind.ALERT, 10);
            assertEquals(List.of(0L, 1L, 2L, 3L), kept.stream().map(SpoolRecord::index).toList());
            assertEquals(4, append(spool, RecordKind.ALERT, "cam1", 4).index(), "the lost index is written again");
        }
    }

    @Test
    void aRecordWithAFlippedByteIsCutByItsCrc() throws IOException {
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 64 << 10))) {
            for (int i = 0; i < 3; i++) {
                append(spool, RecordKind.MASK, "cam1", i);
            }
        }
        Path segment = segmentFiles(RecordKind.MASK).get(0);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            long pos = RECORD_BYTES + 500L;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x40);
        }
        try (DiskSpool spool = DiskSpool.open(dir, options(1 << 20, 64 << 10))) {
            assertEquals(1, spool.pending(RecordKind.MASK), "the damaged record and everything after it are cut");
            assertEquals(2L * RECORD_BYTES, spool.drops().corruptBytesCut(RecordKind.MASK));
        }
    }

    @Test
    void pastTheHighWaterMarkFramesGoFirstThenMasksAreThinnedThenTheOldestDropped() throws IOException {
        // 24 records fit, the high-water mark is at 18; segments of 4 records
        long max = 24L * RECORD_BYTES;
        try (DiskSpool spool = DiskSpool.open(dir, options(max, 4L * RECORD_BYTES))) {
            assertEquals(18L * RECORD_BYTES, spool.options().highWaterBytes());
            for (int i = 0; i < 8; i++) {
                append(spool, RecordKind.FRAME, "cam1", i);
            }
            for (int i = 0; i < 10; i++) {
                assertNotNull(append(spool, RecordKind.MASK, "cam1", i));
            }
            assertEquals(18L * RECORD_BYTES, spool.bytes(), "at the mark");
            // past the mark a new mask makes frames go, a segment (4 frames) at a time, and nothing is thinned
            for (int i = 10; i < 18; i++) {
                assertNotNull(append(spool, RecordKind.MASK, "cam1", i), "mask " + i + " is written");
            }
            assertEquals(Map.of("cam1", 8L), spool.drops().droppedByCamera(RecordKind.FRAME));
            assertEquals(0, spool.drops().thinned());
            assertEquals(0, spool.pending(RecordKind.FRAME));
            assertEquals(18, spool.pending(RecordKind.MASK));
            assertFalse(spool.thinning());
            // no frames left: of each camera's new masks only every other one is written
            List<Boolean> written = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                written.add(append(spool, RecordKind.MASK, "cam2", 100 + i) != null);
            }
            assertEquals(List.of(true, false, true, false, true, false), written);
            assertTrue(spool.thinning());
            assertNotNull(append(spool, RecordKind.MASK, "cam1", 18), "cam1's first mask past the mark is written");
            assertNull(append(spool, RecordKind.MASK, "cam1", 19), "cam1's second is thinned");
            assertEquals(Map.of("cam1", 1L, "cam2", 3L), spool.drops().thinnedByCamera());
            assertEquals(0, spool.drops().dropped(RecordKind.MASK), "thinned masks are not counted as dropped");
            assertEquals(22, spool.pending(RecordKind.MASK));
            // at the bound the oldest masks go, a segment at a time, while thinning goes on
            for (int i = 6; i < 10; i++) {
                append(spool, RecordKind.MASK, "cam2", 100 + i);
            }
            assertEquals(Map.of("cam1", 1L, "cam2", 5L), spool.drops().thinnedByCamera());
            assertEquals(24, spool.pending(RecordKind.MASK));
            assertNotNull(append(spool, RecordKind.MASK, "cam2", 110), "cam2's 11th mask past the mark is written");
            assertEquals(Map.of("cam1", 4L), spool.drops().droppedByCamera(RecordKind.MASK), "masks 0-3 of cam1");
            List<SpoolRecord> masks = spool.next(RecordKind.MASK, 100);
            assertEquals(4, masks.get(0).index(), "the oldest masks were dropped, the newest kept");
            assertEquals(21, masks.size());
            // alerts are never thinned; at the bound a frame never pushes out a mask
            for (int i = 0; i < 3; i++) {
                assertNotNull(append(spool, RecordKind.ALERT, "cam1", 300 + i), "alert " + i + " is written");
            }
            assertEquals(max, spool.bytes());
            assertNull(append(spool, RecordKind.FRAME, "cam1", 200));
            assertEquals(9, spool.drops().dropped(RecordKind.FRAME));
            // delivered and removed: below the mark again, every mask is written
            spool.delivered(RecordKind.MASK, masks.get(masks.size() - 1).index() + 1);
            spool.maintain();
            assertFalse(spool.thinning(), "below the mark, thinning ends");
            assertNotNull(append(spool, RecordKind.MASK, "cam2", 400));
            assertNotNull(append(spool, RecordKind.MASK, "cam2", 401));
            assertEquals(6, spool.drops().thinned(), "no more thinned");
        }
    }

    @Test
    void alertsAreKeptBeyondTheBoundWhenNothingElseIsLeft() throws IOException {
        long max = 8L * RECORD_BYTES;
        try (DiskSpool spool = DiskSpool.open(dir, options(max, 4L * RECORD_BYTES))) {
            for (int i = 0; i < 4; i++) {
                append(spool, RecordKind.MASK, "cam1", i);
            }
            for (int i = 0; i < 10; i++) {
                assertNotNull(append(spool, RecordKind.ALERT, "cam1", i), "alert " + i + " is kept");
            }
            assertEquals(10, spool.pending(RecordKind.ALERT));
            assertEquals(0, spool.pending(RecordKind.MASK), "masks made room for alerts");
            assertEquals(4, spool.drops().dropped(RecordKind.MASK));
            assertEquals(2, spool.drops().alertsOverBound(), "alerts 9 and 10 did not fit in 8 records");
            assertNull(append(spool, RecordKind.MASK, "cam1", 4), "a mask finds no room among alerts");
            assertEquals(5, spool.drops().dropped(RecordKind.MASK));
        }
    }

    @Test
    void recordsHandedToTheSenderAreNotCountedAsDroppedWhenTheirSegmentGoes() throws IOException {
        long max = 8L * RECORD_BYTES;
        try (DiskSpool spool = DiskSpool.open(dir, options(max, 4L * RECORD_BYTES))) {
            // past the high-water mark (6 records) a camera's every other mask is thinned: the last is another camera's
            for (int i = 0; i < 8; i++) {
                assertNotNull(append(spool, RecordKind.MASK, i == 7 ? "cam2" : "cam1", i));
            }
            assertEquals(3, spool.next(RecordKind.MASK, 3).size());
            append(spool, RecordKind.ALERT, "cam1", 0);
            assertEquals(1, spool.drops().dropped(RecordKind.MASK), "masks 0-2 are the sender's, mask 3 is lost");
            assertEquals(List.of(4L, 5L, 6L, 7L),
                    spool.next(RecordKind.MASK, 10).stream().map(SpoolRecord::index).toList());
        }
    }

    private List<Path> segmentFiles(RecordKind kind) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(kind.folderName()))) {
            return s.filter(p -> p.toString().endsWith(Segment.SUFFIX)).sorted().toList();
        }
    }
}
