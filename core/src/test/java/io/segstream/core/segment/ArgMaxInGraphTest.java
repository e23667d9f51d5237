package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.BootstrapModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argmax appended to the graph ({@link io.segstream.core.onnx.ArgMaxHead}) against the argmax in Java, on real
 * ONNX Runtime sessions: the same masks, bit for bit, ties included.
 */
class ArgMaxInGraphTest {
    @TempDir
    Path dir;

    private static SegmenterOptions options(boolean inGraph, int batch) {
        return SegmenterOptions.builder().optArgMaxInGraph(inGraph).optBatchSize(batch).optIntraOpThreads(1).build();
    }

    /** A rough rail scene: sky, vegetation, ballast with two dark rails, and per-pixel noise. */
    static RgbImage railScene(int w, int h, long seed) {
        Random rnd = new Random(seed);
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r;
                int g;
                int b;
                if (y < h / 3) {
                    r = 120 + y * 60 / h;
                    g = 160 + y * 40 / h;
                    b = 230;
                } else if (Math.abs(x - w / 2) > (y - h / 3) * w / (2 * h) + w / 8) {
                    r = 50;
                    g = 110 + (x * 7 % 40);
                    b = 40;
                } else {
                    int fromCentre = Math.abs(x - w / 2);
                    boolean rail = Math.abs(fromCentre - (y - h / 3) * w / (6 * h) - w / 40) < 2 + y / 60;
                    r = rail ? 60 : 140;
                    g = rail ? 60 : 135;
                    b = rail ? 65 : 125;
                }
                int n = rnd.nextInt(41) - 20;
                px[y * w + x] = clamp(r + n) << 16 | clamp(g + n) << 8 | clamp(b + n);
            }
        }
        return RgbImage.ofPackedRgb(w, h, px);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** The class ids of {@code frames} segmented by the model at {@code model} opened with {@code options}. */
    static List<byte[]> masks(Path model, SegmenterOptions options, List<RgbImage> frames) throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(model, options)) {
            List<byte[]> out = new ArrayList<>();
            for (Segmentation s : seg.segment(frames)) {
                out.add(s.classIds());
            }
            return out;
        }
    }

    @Test
    void theBundledModelGivesTheSameMasksBitForBit() throws Exception {
        Path model = BootstrapModel.extractBundled(dir).dir();
        List<RgbImage> frames = List.of(railScene(1024, 512, 1), railScene(1024, 512, 2), railScene(640, 360, 3));
        for (int batch : new int[] {1, 3}) {
            List<byte[]> java = masks(model, options(false, batch), frames);
            List<byte[]> graph = masks(model, options(true, batch), frames);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(java.get(i), graph.get(i), "frame " + i + " at batch " + batch);
            }
            boolean[] seen = new boolean[256];
            int classes = 0;
            for (byte id : graph.get(0)) {
                if (!seen[id & 0xFF]) {
                    seen[id & 0xFF] = true;
                    classes++;
                }
            }
            assertTrue(classes >= 4, "the scene gave only " + classes + " classes, too few to compare argmaxes");
        }
    }

    /** The test model scores each class by one colour channel: equal channels are equal scores. */
    @Test
    void tiesGoToTheFirstClassInBoth() throws Exception {
        Path model = TestModels.write(dir);
        int w = TestModels.WIDTH;
        int h = TestModels.HEIGHT;
        int[] px = new int[w * h];
        int[] colours = {0x808080, 0x20A0A0, 0xC0C020, 0xC020C0, 0x102030, 0x000000, 0xFFFFFF, 0x30F010};
        byte[] expected = {0, 1, 0, 0, 2, 0, 0, 1};
        byte[] expectedMask = new byte[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = colours[i % w];
            expectedMask[i] = expected[i % w];
        }
        RgbImage frame = RgbImage.ofPackedRgb(w, h, px);
        byte[] java = masks(model, options(false, 1), List.of(frame)).get(0);
        byte[] graph = masks(model, options(true, 1), List.of(frame)).get(0);
        assertArrayEquals(expectedMask, java);
        assertArrayEquals(expectedMask, graph);
    }

    @Test
    void theSegmenterSaysWhereTheArgmaxRuns() throws Exception {
        Path model = TestModels.write(dir);
        try (LogCapture log = LogCapture.of(OnnxSegmenter.class);
                OnnxSegmenter seg = OnnxSegmenter.open(model, options(true, 1))) {
            assertEquals(1, log.at(Level.INFO).stream().filter(m -> m.contains("with the argmax in the graph")).count(),
                    String.valueOf(log.at(Level.INFO)));
        }
        try (LogCapture log = LogCapture.of(OnnxSegmenter.class);
                OnnxSegmenter seg = OnnxSegmenter.open(model, options(false, 1))) {
            List<String> info = log.at(Level.INFO);
            assertEquals(1, info.stream().filter(m -> m.contains(", batches of up to")).count(), String.valueOf(info));
            assertEquals(0, info.stream().filter(m -> m.contains("with the argmax in the graph")).count(),
                    String.valueOf(info));
        }
    }
}
