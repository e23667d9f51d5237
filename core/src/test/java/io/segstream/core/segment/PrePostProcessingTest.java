package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.YcbcrPlanes;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.junit.jupiter.api.Test;

/** {@link FramePreprocessor} and {@link MaskPostprocessor} against hand-computed values. */
class PrePostProcessingTest {
    private static ModelManifest manifest(int w, int h, Layout layout, ChannelOrder order) {
        return ModelManifest.builder().setName("m").setVersion("1").setLabelSet("rail-20")
                .setInput("x", w, h, layout).optChannelOrder(order)
                .setNormalization(new float[] {0.5f, 0f, 0f}, new float[] {0.5f, 1f, 2f})
                .setOutput("y", OutputKind.LOGITS_NCHW).build();
    }

    @Test
    void normalisesWithoutResizeInNchw() {
        // 2x1 RGB image: (255, 0, 51), (0, 255, 102)
        RgbImage img = RgbImage.ofRgb(2, 1, new byte[] {(byte) 255, 0, 51, 0, (byte) 255, 102});
        FloatBuffer buf = FloatBuffer.allocate(12);
        new FramePreprocessor(manifest(2, 1, Layout.NCHW, ChannelOrder.RGB)).write(img, buf, 1);
        // batch position 1 starts at 6; R: (v/255 - 0.5)/0.5, G: v/255, B: v/255/2
        float[] got = new float[6];
        buf.get(6, got);
        assertArrayEquals(new float[] {1, -1, 0, 1, 0.1f, 0.2f}, got, 1e-6f);
    }

    @Test
    void nhwcAndBgrReorderTheChannels() {
        RgbImage img = RgbImage.ofRgb(1, 1, new byte[] {(byte) 255, 0, 51});
        FloatBuffer buf = FloatBuffer.allocate(3);
        new FramePreprocessor(manifest(1, 1, Layout.NHWC, ChannelOrder.BGR)).write(img, buf, 0);
        // BGR: first plane is blue with mean 0.5/std 0.5, then green, then red with std 2
        assertArrayEquals(new float[] {(0.2f - 0.5f) / 0.5f, 0, 0.5f}, buf.array(), 1e-6f);
    }

    @Test
    void bilinearHalfPixelResize() {
        // 4x1 red ramp 0, 100, 200, 250 resized to 2x1: half-pixel centres average neighbours
        byte[] px = new byte[12];
        int[] reds = {0, 100, 200, 250};
        for (int i = 0; i < 4; i++) {
            px[i * 3] = (byte) reds[i];
        }
        FloatBuffer buf = FloatBuffer.allocate(6);
        ModelManifest m = ModelManifest.builder().setName("m").setVersion("1").setLabelSet("rail-20")
                .setInput("x", 2, 1, Layout.NCHW).setNormalization(new float[3], new float[] {1 / 255f, 1, 1})
                .setOutput("y", OutputKind.LOGITS_NCHW).build();
        FramePreprocessor pre = new FramePreprocessor(m);
        pre.write(RgbImage.ofRgb(4, 1, px), buf, 0);
        assertEquals(50f, buf.get(0), 1e-3f);
        assertEquals(225f, buf.get(1), 1e-3f);
        // upscale 4x1 -> 8x1: source x = (i + 0.5) / 2 - 0.5 = -0.25 (clamped), 0.25, 0.75, 1.25, ...
        FloatBuffer up = FloatBuffer.allocate(24);
        ModelManifest m8 = m.toBuilder().setInput("x", 8, 1, Layout.NCHW).build();
        new FramePreprocessor(m8).write(RgbImage.ofRgb(4, 1, px), up, 0);
        float[] got = new float[8];
        up.get(0, got);
        assertArrayEquals(new float[] {0, 25, 75, 125, 175, 212.5f, 237.5f, 250}, got, 1e-3f);
    }

    /**
     * An exact halving (a 1024x512 camera frame for a 512x256 model) takes the mean of each 2x2 block: the bilinear
     * value at half-pixel centres, normalised with the same float steps as the general resize, so the same bits.
     */
    @Test
    void anExactHalvingIsTheMeanOfEachTwoByTwoBlock() {
        int w = 6;
        int h = 3;
        java.util.Random rnd = new java.util.Random(3);
        byte[] px = new byte[2 * w * 2 * h * 3];
        rnd.nextBytes(px);
        float[] mean = {0.5f, 0f, 0f};
        float[] std = {0.5f, 1f, 2f};
        for (Layout layout : Layout.values()) {
            for (ChannelOrder order : ChannelOrder.values()) {
                FloatBuffer buf = FloatBuffer.allocate(2 * 3 * w * h);
                new FramePreprocessor(manifest(w, h, layout, order)).write(RgbImage.ofRgb(2 * w, 2 * h, px), buf, 1);
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        for (int k = 0; k < 3; k++) {
                            int channel = order == ChannelOrder.BGR ? 2 - k : k;
                            int sum = 0;
                            for (int dy = 0; dy < 2; dy++) {
                                for (int dx = 0; dx < 2; dx++) {
                                    sum += px[((2 * y + dy) * 2 * w + 2 * x + dx) * 3 + channel] & 0xFF;
                                }
                            }
                            float expected = sum / 4f * (1f / (255f * std[k])) + -mean[k] / std[k];
                            int at = 3 * w * h + (layout == Layout.NCHW ? (k * h + y) * w + x : (y * w + x) * 3 + k);
                            assertEquals(expected, buf.get(at), 0f, layout + " " + order + " pixel " + x + "," + y
                                    + " channel " + k);
                        }
                    }
                }
            }
        }
    }

    /**
     * A 4:2:0 JPEG frame at twice the input size is read from its planes. Where the chroma is flat (grey, or one colour
     * over the 3x3 chroma samples around a block) that is the exact halving of the RGB frame the planes convert to, up
     * to the conversion's rounding to bytes (half a level); a grey frame gives the same bits.
     */
    @Test
    void aFourTwoZeroFrameIsHalvedFromItsPlanes() {
        int w = 8;
        int h = 4;
        java.util.Random rnd = new java.util.Random(5);
        byte[] luma = new byte[4 * w * h];
        for (int i = 0; i < luma.length; i++) {
            // 40..215: no channel clips with the colour below, where the mean of clipped pixels would differ
            luma[i] = (byte) (40 + rnd.nextInt(176));
        }
        byte[] cb = new byte[w * h];
        byte[] cr = new byte[w * h];
        java.util.Arrays.fill(cb, (byte) 128);
        java.util.Arrays.fill(cr, (byte) 128);
        for (Layout layout : Layout.values()) {
            for (ChannelOrder order : ChannelOrder.values()) {
                FramePreprocessor pre = new FramePreprocessor(manifest(w, h, layout, order));
                YcbcrPlanes grey = new YcbcrPlanes(2 * w, 2 * h, luma, cb, cr, 1, 1);
                FloatBuffer fromPlanes = FloatBuffer.allocate(3 * w * h);
                FloatBuffer fromRgb = FloatBuffer.allocate(3 * w * h);
                pre.write(RgbImage.ofYcbcr(grey), fromPlanes, 0);
                pre.write(RgbImage.ofRgb(2 * w, 2 * h, grey.toRgb()), fromRgb, 0);
                assertArrayEquals(fromRgb.array(), fromPlanes.array(), 0f, layout + " " + order + ", grey");
                // luma alone (a grey camera) reads the same
                FloatBuffer lumaOnly = FloatBuffer.allocate(3 * w * h);
                pre.write(RgbImage.ofYcbcr(new YcbcrPlanes(2 * w, 2 * h, luma, null, null, 0, 0)), lumaOnly, 0);
                assertArrayEquals(fromRgb.array(), lumaOnly.array(), 0f, layout + " " + order + ", luma only");
                // one colour: every block's smoothed chroma is that colour's
                byte[] blue = new byte[w * h];
                byte[] red = new byte[w * h];
                java.util.Arrays.fill(blue, (byte) 150);
                java.util.Arrays.fill(red, (byte) 110);
                YcbcrPlanes colour = new YcbcrPlanes(2 * w, 2 * h, luma, blue, red, 1, 1);
                pre.write(RgbImage.ofYcbcr(colour), fromPlanes, 0);
                pre.write(RgbImage.ofRgb(2 * w, 2 * h, colour.toRgb()), fromRgb, 0);
                // half a level of rounding in each of the four pixels, in normalised units (std 0.5 at most)
                assertArrayEquals(fromRgb.array(), fromPlanes.array(), 0.5f / 255f / 0.5f + 1e-6f,
                        layout + " " + order + ", one colour");
            }
        }
    }

    /**
     * The plane halving runs as row passes and writes NCHW planes or interleaved NHWC rows from them: the same bits
     * in both layouts, clipped channels and the edges (one and two columns, one row) included.
     */
    @Test
    void bothLayoutsGetTheSameBitsFromThePlanes() {
        java.util.Random rnd = new java.util.Random(11);
        for (int[] size : new int[][] {{37, 9}, {1, 3}, {2, 2}, {6, 1}}) {
            int w = size[0];
            int h = size[1];
            byte[] luma = new byte[4 * w * h];
            byte[] cb = new byte[w * h];
            byte[] cr = new byte[w * h];
            rnd.nextBytes(luma);
            rnd.nextBytes(cb);
            rnd.nextBytes(cr);
            YcbcrPlanes planes = new YcbcrPlanes(2 * w, 2 * h, luma, cb, cr, 1, 1);
            for (ChannelOrder order : ChannelOrder.values()) {
                FloatBuffer nchw = FloatBuffer.allocate(6 * w * h);
                FloatBuffer nhwc = FloatBuffer.allocate(6 * w * h);
                new FramePreprocessor(manifest(w, h, Layout.NCHW, order)).write(RgbImage.ofYcbcr(planes), nchw, 1);
                new FramePreprocessor(manifest(w, h, Layout.NHWC, order)).write(RgbImage.ofYcbcr(planes), nhwc, 1);
                int base = 3 * w * h;
                for (int k = 0; k < 3; k++) {
                    for (int p = 0; p < w * h; p++) {
                        float a = nchw.get(base + k * w * h + p);
                        float b = nhwc.get(base + 3 * p + k);
                        assertEquals(Float.floatToIntBits(b), Float.floatToIntBits(a),
                                w + "x" + h + " " + order + ", channel " + k + ", pixel " + p + ": " + a + " vs " + b);
                    }
                }
            }
        }
    }

    /**
     * The vector API's passes (on in the tests, as in the launcher) against the scalar ones on 4:2:0 frames: the same
     * bits for every width around the vector length (16 or 8 floats), layout and channel order, on random planes
     * (channels that clip) and on smooth ones (channels that do not).
     */
    @Test
    void vectorAndScalarPassesGiveTheSameBits() {
        assertTrue(FramePreprocessor.vectorApiPresent(), "the tests run with --add-modules=jdk.incubator.vector");
        ModelManifest any = manifest(64, 4, Layout.NCHW, ChannelOrder.RGB);
        assertEquals(VectorRows.floatLanes() >= 8, new FramePreprocessor(any).usesVectorApi());
        java.util.Random rnd = new java.util.Random(5);
        for (int w : new int[] {1, 2, 7, 8, 9, 15, 16, 17, 18, 33, 64, 100}) {
            int h = 1 + w % 5;
            for (boolean smooth : new boolean[] {false, true}) {
                byte[] luma = new byte[4 * w * h];
                byte[] cb = new byte[w * h];
                byte[] cr = new byte[w * h];
                if (smooth) {
                    for (int i = 0; i < luma.length; i++) {
                        luma[i] = (byte) (90 + (i * 7) % 60);
                    }
                    for (int i = 0; i < cb.length; i++) {
                        cb[i] = (byte) (120 + i % 17);
                        cr[i] = (byte) (135 - i % 13);
                    }
                } else {
                    rnd.nextBytes(luma);
                    rnd.nextBytes(cb);
                    rnd.nextBytes(cr);
                }
                RgbImage img = RgbImage.ofYcbcr(new YcbcrPlanes(2 * w, 2 * h, luma, cb, cr, 1, 1));
                for (Layout layout : Layout.values()) {
                    for (ChannelOrder order : ChannelOrder.values()) {
                        ModelManifest m = manifest(w, h, layout, order);
                        FloatBuffer vector = FloatBuffer.allocate(3 * w * h);
                        FloatBuffer scalar = FloatBuffer.allocate(3 * w * h);
                        new FramePreprocessor(m, true).write(img, vector, 0);
                        new FramePreprocessor(m, false).write(img, scalar, 0);
                        for (int i = 0; i < 3 * w * h; i++) {
                            assertEquals(Float.floatToIntBits(scalar.get(i)), Float.floatToIntBits(vector.get(i)),
                                    w + "x" + h + (smooth ? " smooth " : " random ") + layout + " " + order
                                            + ", float " + i + ": " + scalar.get(i) + " vs " + vector.get(i));
                        }
                    }
                }
            }
        }
    }

    /** A 4:2:0 block's chroma is its sample smoothed by [1 6 1] / 8 both ways, as libjpeg's upsampling averages out. */
    @Test
    void chromaIsSmoothedAsFancyUpsamplingAveragesIt() {
        // 2x1 input from a 4x2 frame: chroma samples (Cr) 128 and 208 side by side, luma 100 everywhere
        byte[] luma = new byte[8];
        java.util.Arrays.fill(luma, (byte) 100);
        byte[] cb = {(byte) 128, (byte) 128};
        byte[] cr = {(byte) 128, (byte) 208};
        ModelManifest m = ModelManifest.builder().setName("m").setVersion("1").setLabelSet("rail-20")
                .setInput("x", 2, 1, Layout.NCHW).setNormalization(new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f})
                .setOutput("y", OutputKind.LOGITS_NCHW).build();
        FloatBuffer buf = FloatBuffer.allocate(6);
        new FramePreprocessor(m).write(RgbImage.ofYcbcr(new YcbcrPlanes(4, 2, luma, cb, cr, 1, 1)), buf, 0);
        // left block: Cr (6 * 128 + 128 + 208) / 8 = 138, right: (128 + 6 * 208 + 208) / 8 = 198; edges repeat
        float redLeft = (100 + 1.402f * 10) / 255f;
        float redRight = (100 + 1.402f * 70) / 255f;
        assertEquals(redLeft, buf.get(0), 1e-5f);
        assertEquals(redRight, buf.get(1), 1e-5f);
        assertEquals((100 - 0.714136f * 10) / 255f, buf.get(2), 1e-5f);
        assertEquals(100 / 255f, buf.get(4), 1e-5f);
    }

    @Test
    void argmaxTakesTheFirstOfEqualScoresAndResizesNearest() {
        // 3 classes, 2x1 output: pixel 0 scores (1, 3, 3) -> class 1; pixel 1 scores (5, -1, 0) -> class 0
        FloatBuffer logits = FloatBuffer.wrap(new float[] {1, 5, 3, -1, 3, 0});
        MaskPostprocessor post = new MaskPostprocessor(3, 1, 2);
        ClassMask same = post.fromLogits(logits, 0, 2, 1);
        assertArrayEquals(new byte[] {1, 0}, same.classIds());
        ClassMask big = post.fromLogits(logits, 0, 5, 2);
        // columns 0..4 centres map to source columns floor((x + 0.5) * 2 / 5) = 0 0 1 1 1
        assertArrayEquals(new byte[] {1, 1, 0, 0, 0, 1, 1, 0, 0, 0}, big.classIds());
    }

    @Test
    void argmaxAcrossManyPixelBlocksOfASecondBatchImage() {
        int hw = 5000;
        float[] logits = new float[2 * 3 * hw];
        byte[] expected = new byte[hw];
        for (int p = 0; p < hw; p++) {
            int winner = (p * 7) % 3;
            expected[p] = (byte) winner;
            for (int c = 0; c < 3; c++) {
                logits[3 * hw + c * hw + p] = c == winner ? 1f : -(c + 1);
            }
        }
        ClassMask mask = new MaskPostprocessor(3, 1, hw).fromLogits(FloatBuffer.wrap(logits), 1, hw, 1);
        assertArrayEquals(expected, mask.classIds());
    }

    @Test
    void classIdsPassThroughAndForeignIdsBecomeIgnored() {
        LongBuffer ids = LongBuffer.wrap(new long[] {9, 9, 3, 40, -1, 2});
        MaskPostprocessor post = new MaskPostprocessor(20, 1, 3);
        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, 2}, post.fromClassIds(ids, 1, 3, 1).classIds());
        assertArrayEquals(new byte[] {9, 9, 3}, post.fromClassIds(ids, 0, 3, 1).classIds());
    }

    @Test
    void nanAndInfiniteScoresAreCountedPerImageAcrossBlocks() {
        int hw = 5000;
        float[] logits = new float[2 * 3 * hw];
        // image 0: finite; image 1: 3 NaN (class 0 pixel 0, class 2 pixels 4000 and 4001) and 2 infinities
        logits[3 * hw] = Float.NaN;
        logits[3 * hw + 2 * hw + 4000] = Float.NaN;
        logits[3 * hw + 2 * hw + 4001] = Float.NaN;
        logits[3 * hw + hw + 10] = Float.POSITIVE_INFINITY;
        logits[3 * hw + 2 * hw + 2500] = Float.NEGATIVE_INFINITY;
        MaskPostprocessor post = new MaskPostprocessor(3, 1, hw);
        post.fromLogits(FloatBuffer.wrap(logits), 1, hw, 1);
        assertEquals(3, post.nanScores());
        assertEquals(2, post.infiniteScores());
        post.fromLogits(FloatBuffer.wrap(logits), 0, hw, 1);
        assertEquals(0, post.nanScores(), "counts are per call");
        assertEquals(0, post.infiniteScores());
        // the largest finite float has an exponent just below the all-ones of NaN and infinity
        logits[5] = Float.MAX_VALUE;
        logits[6] = -Float.MAX_VALUE;
        post.fromLogits(FloatBuffer.wrap(logits), 0, hw, 1);
        assertEquals(0, post.nanScores() + post.infiniteScores());
    }
}
