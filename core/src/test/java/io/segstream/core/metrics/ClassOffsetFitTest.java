package io.segstream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassOffsetFitTest {

    @Test
    void countsEveryScoredPixelOnceAndLeavesIgnoredOnesOut() {
        ClassOffsetFit fit = new ClassOffsetFit(2);
        // scores 2x1: both pixels say class 0; truth 2x1: class 0, class 1
        fit.add(FloatBuffer.wrap(new float[] {1, 1, 0, 0}), 1, 2, new byte[] {0, 1}, 2, 1);
        double[] iou = fit.iou(new float[2]);
        assertEquals(0.5, iou[0], 1e-12);   // TP 1, FP 1
        assertEquals(0.0, iou[1], 1e-12);   // TP 0, FN 1
        // an ignored pixel (255) is not scored: class 1 vanishes from the truth and is never predicted
        ClassOffsetFit ignored = new ClassOffsetFit(2);
        ignored.add(FloatBuffer.wrap(new float[] {1, 1, 0, 0}), 1, 2, new byte[] {0, (byte) 255}, 2, 1);
        double[] only = ignored.iou(new float[2]);
        assertEquals(1.0, only[0], 1e-12);
        assertTrue(Double.isNaN(only[1]));
    }

    @Test
    void framePixelsMapToTheScorePixelWhoseCentreIsNearest() {
        ClassOffsetFit fit = new ClassOffsetFit(2);
        // scores 2x1 (left says 1, right says 0); truth 4x2, left half class 1, right half class 0
        float[] scores = {0, 1, 1, 0};
        byte[] truth = {1, 1, 0, 0, 1, 1, 0, 0};
        fit.add(FloatBuffer.wrap(scores), 1, 2, truth, 4, 2);
        assertArrayEquals(new double[] {1.0, 1.0}, fit.iou(new float[2]), 1e-12);
    }

    @Test
    void undoesAClassThatWinsEverywhere() {
        ClassOffsetFit fit = new ClassOffsetFit(3);
        Random r = new Random(5);
        for (int f = 0; f < 2; f++) {
            int w = 8;
            int h = 4;
            float[] s = new float[3 * w * h];
            byte[] truth = new byte[4 * w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int t = r.nextInt(3);
                    s[t * w * h + y * w + x] = 1f;
                    s[2 * w * h + y * w + x] += 1.5f;   // the lean class-weighted training leaves
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            truth[(2 * y + dy) * 2 * w + 2 * x + dx] = (byte) t;
                        }
                    }
                }
            }
            fit.add(FloatBuffer.wrap(s), h, w, truth, 2 * w, 2 * h);
        }
        ClassOffsetFit.Result result = fit.fit(8);
        assertTrue(result.miouBefore() < 0.5, "every pixel is class 2 before: " + result.miouBefore());
        assertEquals(1.0, result.miouAfter(), 1e-12);
        assertTrue(result.offsets()[2] - Math.max(result.offsets()[0], result.offsets()[1]) < -0.5,
                "class 2 must be pushed down by more than its half-point lead over the truth's score");
        assertArrayEquals(result.iouAfter(), fit.iou(result.offsets()), 1e-12);
        assertEquals(2, result.frames());
    }

    @Test
    void theBoundaryShortcutCountsWhatAFullRecountCounts() {
        int classes = 5;
        ClassOffsetFit fit = new ClassOffsetFit(classes);
        Random r = new Random(11);
        for (int f = 0; f < 3; f++) {
            float[] s = new float[classes * 16 * 8];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) r.nextGaussian();
            }
            byte[] truth = new byte[32 * 16];
            for (int i = 0; i < truth.length; i++) {
                truth[i] = (byte) (r.nextInt(10) == 0 ? 255 : r.nextInt(classes));
            }
            fit.add(FloatBuffer.wrap(s), 8, 16, truth, 32, 16);
        }
        float[] offsets = {0.3f, -0.2f, 0f, 0.7f, -1f};
        for (int c = 0; c < classes; c++) {
            ClassOffsetFit.Margins near = fit.margins(c, offsets);
            for (float delta : new float[] {-1.6f, -0.4f, -0.05f, 0.1f, 0.8f, 1.6f}) {
                float[] moved = offsets.clone();
                moved[c] += delta;
                long[][] expected = fit.confusion(moved);
                long[][] actual = near.confusionAt(delta);
                for (int t = 0; t < classes; t++) {
                    assertArrayEquals(expected[t], actual[t], "class " + c + " moved by " + delta + ", truth " + t);
                }
            }
        }
    }

    @Test
    void fittingNeverLowersTheMiouOfItsFrames() {
        ClassOffsetFit fit = new ClassOffsetFit(4);
        Random r = new Random(3);
        float[] s = new float[4 * 12 * 6];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) r.nextGaussian();
        }
        byte[] truth = new byte[12 * 6];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = (byte) r.nextInt(4);
        }
        fit.add(FloatBuffer.wrap(s), 6, 12, truth, 12, 6);
        ClassOffsetFit.Result result = fit.fit(4);
        assertTrue(result.miouAfter() >= result.miouBefore());
        for (float o : result.offsets()) {
            assertTrue(Math.abs(o) <= ClassOffsetFit.MAX_OFFSET);
        }
    }

    @Test
    void aClassTheFramesDoNotHoldKeepsItsOffset() {
        // class 0 is never true but wins pixel 3: pushing it down first would lift these frames' mIoU at once (its
        // IoU would drop out), yet the frames say nothing of how cameras that do show it should weigh it
        ClassOffsetFit fit = new ClassOffsetFit(3);
        float[] s = {0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0.5f};   // [3 classes][1 x 4]
        fit.add(FloatBuffer.wrap(s), 1, 4, new byte[] {1, 2, 1, 2}, 4, 1);
        ClassOffsetFit.Result r = fit.fit(8);
        assertEquals(0.5, r.miouBefore(), 1e-12);
        assertEquals(0f, r.offsets()[0]);
        assertEquals(1.0, r.miouAfter(), 1e-12, "classes 1 and 2 settle pixel 3 by their own offsets");
    }

    @Test
    void refusesWhatItCannotScore() {
        ClassOffsetFit fit = new ClassOffsetFit(3);
        assertThrows(IllegalStateException.class, () -> fit.fit(1));
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> fit.add(FloatBuffer.wrap(new float[5]), 1, 2, new byte[2], 2, 1));
        assertTrue(few.getMessage().contains("fewer than 3 classes x 1 x 2"), few.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> fit.add(FloatBuffer.wrap(new float[6]), 1, 2, new byte[3], 2, 1));
        assertTrue(size.getMessage().contains("3 pixels, not 2 x 1"), size.getMessage());
        assertThrows(IllegalArgumentException.class, () -> fit.iou(new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new ClassOffsetFit(1));
    }
}
