package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.frames.FrameFailure;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.imaging.JpegEncoder;
import io.segstream.core.model.BootstrapModel;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.SegmentationMask;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FrameLanes}: a batch's frames on several threads, as pure logic; then the bundled model through
 * {@link FrameSegmenter} with the per-frame work on one, two and three lanes: the same masks and figures.
 */
class FrameLanesTest {
    @TempDir
    Path dir;

    @Test
    void everyFrameRunsOnceAndTheLanesWorkSideBySide() throws Exception {
        try (FrameLanes lanes = new FrameLanes(3, "test")) {
            AtomicIntegerArray runs = new AtomicIntegerArray(50);
            Set<Integer> lanesSeen = ConcurrentHashMap.newKeySet();
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            // the first three frames wait for each other: they can only all finish if three threads hold them at once
            CountDownLatch together = new CountDownLatch(3);
            lanes.forEach(50, (lane, i) -> {
                runs.incrementAndGet(i);
                lanesSeen.add(lane);
                threads.add(Thread.currentThread());
                if (i < 3) {
                    together.countDown();
                    try {
                        assertTrue(together.await(30, TimeUnit.SECONDS), "three lanes at once");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            for (int i = 0; i < 50; i++) {
                assertEquals(1, runs.get(i), "frame " + i);
            }
            assertEquals(Set.of(0, 1, 2), lanesSeen);
            assertEquals(3, threads.size());
            assertTrue(threads.contains(Thread.currentThread()), "the caller is lane 0");
        }
    }

    @Test
    void oneLaneOrOneFrameRunsOnTheCaller() {
        List<Thread> seen = new ArrayList<>();
        try (FrameLanes one = new FrameLanes(1, "test"); FrameLanes two = new FrameLanes(2, "test")) {
            one.forEach(4, (lane, i) -> seen.add(Thread.currentThread()));
            two.forEach(1, (lane, i) -> seen.add(Thread.currentThread()));
        }
        assertEquals(5, seen.size());
        seen.forEach(t -> assertSame(Thread.currentThread(), t));
        assertThrows(IllegalArgumentException.class, () -> new FrameLanes(0, "test"));
    }

    @Test
    void aFailingFrameIsThrownToTheCallerAfterTheOtherLanesAreDone() {
        try (FrameLanes lanes = new FrameLanes(2, "test")) {
            AtomicIntegerArray runs = new AtomicIntegerArray(20);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> lanes.forEach(20, (lane, i) -> {
                runs.incrementAndGet(i);
                if (i == 7) {
                    throw new IllegalStateException("frame 7 is broken");
                }
            }));
            assertEquals("frame 7 is broken", e.getMessage());
            for (int i = 0; i < 20; i++) {
                assertTrue(runs.get(i) <= 1, "frame " + i + " ran at most once");
            }
            // the lanes are usable again
            AtomicIntegerArray again = new AtomicIntegerArray(6);
            lanes.forEach(6, (lane, i) -> again.incrementAndGet(i));
            for (int i = 0; i < 6; i++) {
                assertEquals(1, again.get(i));
            }
        }
    }

    private static CameraFrame jpegFrame(long seq, byte[] jpeg, int w, int h) {
        return CameraFrame.newBuilder().setCameraId("cam-l").setSeq(seq).setCaptureTime(Instant.EPOCH)
                .setIngestTime(Instant.EPOCH).setWidth(w).setHeight(h).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(jpeg)).setAttributes(Map.of()).build();
    }

    private static List<FrameOutcome> segment(Path model, int frameThreads, List<CameraFrame> frames)
            throws Exception {
        SegmenterOptions options = SegmenterOptions.builder().optBatchSize(4).optIntraOpThreads(1)
                .optFrameThreads(frameThreads).build();
        try (OnnxSegmenter seg = OnnxSegmenter.open(model, options)) {
            assertEquals(Math.min(frameThreads, 4), seg.lanes().lanes());
            return new FrameSegmenter(seg, null, MaskEncoding.RLE).segment(frames);
        }
    }

    @Test
    void theBundledModelGivesTheSameMasksOnOneTwoOrThreeLanes() throws Exception {
        Path model = BootstrapModel.extractBundled(dir).dir();
        List<CameraFrame> frames = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int w = i == 5 ? 640 : 1024;
            int h = i == 5 ? 360 : 512;
            byte[] jpeg = JpegEncoder.encode(ArgMaxInGraphTest.railScene(w, h, 40 + i).toBufferedImage(), 90);
            if (i == 3) {
                // a frame cut short: it fails at its image, the others of its batch go on
                jpeg = Arrays.copyOf(jpeg, jpeg.length / 3);
            }
            frames.add(jpegFrame(i, jpeg, w, h));
        }
        List<FrameOutcome> serial = segment(model, 1, frames);
        // distinct masks, so that frames swapped between lanes would show
        assertFalse(Arrays.equals(AvroBytes.toArray(serial.get(0).mask().getMask()),
                AvroBytes.toArray(serial.get(1).mask().getMask())));
        for (int threads : new int[] {2, 3}) {
            List<FrameOutcome> lanes = segment(model, threads, frames);
            assertEquals(frames.size(), lanes.size());
            for (int i = 0; i < frames.size(); i++) {
                FrameOutcome a = serial.get(i);
                FrameOutcome b = lanes.get(i);
                assertEquals(a.succeeded(), b.succeeded(), "frame " + i + " on " + threads + " lanes");
                if (i == 3) {
                    assertFalse(b.succeeded());
                    assertNull(b.mask());
                    assertEquals(FrameFailure.STAGE_IMAGE, b.failure().stage());
                    assertEquals(a.failure().reason(), b.failure().reason());
                    continue;
                }
                SegmentationMask ma = a.mask();
                SegmentationMask mb = b.mask();
                assertEquals(i, mb.getSeq(), "outcomes in frame order");
                assertEquals(ma.getWidth(), mb.getWidth());
                assertArrayEquals(AvroBytes.toArray(ma.getMask()), AvroBytes.toArray(mb.getMask()),
                        "frame " + i + " on " + threads + " lanes");
                assertEquals(ma.getClassFractions(), mb.getClassFractions(), "frame " + i);
            }
        }
    }
}
