package io.segstream.core.scenes.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bootstrap fitting pipeline on simple hand-drawn scenes whose classes differ in colour, texture and place. */
class BootstrapFitTest {
    private static final LabelSet RAIL = LabelSet.named("rail-20");
    private static final int SKY = RAIL.byName("sky").trainId();
    private static final int VEGETATION = RAIL.byName("vegetation").trainId();
    private static final int TRACK = RAIL.byName("rail track").trainId();
    private static final int TERRAIN = RAIL.byName("terrain").trainId();

    /** Sky above, a textured vegetation band, terrain below with a striped brown track down the middle. */
    static BootstrapFit.LabelledImage scene(long seed, int w, int h) {
        Random rnd = new Random(seed);
        int horizon = h / 3 + rnd.nextInt(h / 8);
        int band = horizon + h / 8;
        int half = w / 8 + rnd.nextInt(w / 16);
        int[] px = new int[w * h];
        byte[] ids = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int n = rnd.nextInt(21) - 10;
                int cls;
                int rgb;
                if (y < horizon) {
                    cls = SKY;
                    rgb = rgb(110 + n / 2, 150 + n / 2, 210);
                } else if (y < band) {
                    cls = VEGETATION;
                    int leaf = rnd.nextInt(60);
                    rgb = rgb(60 + leaf / 3, 100 + leaf, 40);
                } else if (Math.abs(x - w / 2) < half * (y - band + 4) / (h - band + 4)) {
                    cls = TRACK;
                    int sleeper = (y / 3) % 2 == 0 ? 40 : 0;
                    rgb = rgb(120 + sleeper + n, 100 + sleeper + n, 90 + n);
                } else {
                    cls = TERRAIN;
                    rgb = rgb(150 + n, 190 + n, 120 + n);
                }
                px[y * w + x] = rgb;
                ids[y * w + x] = (byte) cls;
            }
        }
        return new BootstrapFit.LabelledImage(RgbImage.ofPackedRgb(w, h, px), ids);
    }

    private static int rgb(int r, int g, int b) {
        return clamp(r) << 16 | clamp(g) << 8 | clamp(b);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    @Test
    void fitsSimpleScenesAndWritesALoadableBaseline(@TempDir Path dir) throws Exception {
        BootstrapFit.FitOptions options = BootstrapFit.FitOptions.defaults().withSize(128, 64).withEpochs(4);
        List<String> progress = new ArrayList<>();
        BootstrapFit.Report report = BootstrapFit.fit(dir.resolve("m"), i -> scene(i, 256, 128), 6,
                i -> scene(1000 + i, 256, 128), 2, "hand-drawn test scenes", options, progress::add);
        assertTrue(report.miou() > 0.8, "mIoU " + report.miou());
        assertTrue(progress.size() >= 6 + 4 + 2, progress.toString());

        ModelManifest m = report.directory().readManifest();
        assertTrue(m.baseline());
        assertTrue(m.description().startsWith("Baseline, not a trained network"), m.description());
        assertEquals(report.miou(), m.metrics().get("miou"), 1e-4);
        assertEquals(6, m.training().get("trainImages").asInt());
        try (OnnxSegmenter seg = OnnxSegmenter.open(report.directory().dir(), SegmenterOptions.defaults())) {
            BootstrapFit.LabelledImage s = scene(77, 256, 128);
            byte[] pred = seg.segment(s.image()).classIds();
            assertEquals(SKY, pred[0]);
            assertEquals(TRACK, pred[(128 - 2) * 256 + 128]);
        }
    }

    @Test
    void meanIouCountsOnlyClassesThatOccur() {
        // truth 0 0 1 1, prediction 0 1 1 1 -> class 0: 1/2, class 1: 2/3, class 2: NaN
        long[] confusion = new long[9];
        BootstrapFit.accumulate(confusion, 3, new byte[] {0, 0, 1, 1, (byte) 255}, new byte[] {0, 1, 1, 1, 2});
        double[] iou = BootstrapFit.classIou(confusion, 3);
        assertArrayEquals(new double[] {0.5, 2 / 3.0, Double.NaN}, iou, 1e-12);
        assertEquals((0.5 + 2 / 3.0) / 2, BootstrapFit.meanIgnoringNaN(iou), 1e-12);
    }
}
