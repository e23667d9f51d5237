package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model's final bilinear upsampling fused with the argmax ({@link MaskPostprocessor#upsampling}, option
 * {@code fused-upsampling}): the same masks as the whole model on real ONNX Runtime sessions, and, as pure logic, the
 * same class everywhere as the argmax of every class upsampled.
 */
class FusedUpsamplingTest {
    @TempDir
    Path dir;

    private static SegmenterOptions options(boolean fused, int batch) {
        return SegmenterOptions.builder().optFusedUpsampling(fused).optBatchSize(batch).optIntraOpThreads(1).build();
    }

    private static List<String> openingLog(Path model, SegmenterOptions options) throws Exception {
        try (LogCapture log = LogCapture.of(OnnxSegmenter.class);
                OnnxSegmenter seg = OnnxSegmenter.open(model, options)) {
            return log.at(Level.INFO);
        }
    }

    @Test
    void theBundledModelGivesTheSameMasksWithItsUpsamplingFused() throws Exception {
        Path model = BootstrapModel.extractBundled(dir).dir();
        List<String> log = openingLog(model, options(true, 1));
        assertTrue(log.stream().anyMatch(m -> m.contains("fused with the argmax: scores come at 64x32")),
                String.valueOf(log));
        List<RgbImage> frames = List.of(ArgMaxInGraphTest.railScene(1024, 512, 11),
                ArgMaxInGraphTest.railScene(1024, 512, 12), ArgMaxInGraphTest.railScene(640, 360, 13));
        for (int batch : new int[] {1, 3}) {
            List<byte[]> fused = ArgMaxInGraphTest.masks(model, options(true, batch), frames);
            List<byte[]> whole = ArgMaxInGraphTest.masks(model, options(false, batch), frames);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(whole.get(i), fused.get(i), "frame " + i + " at batch " + batch);
            }
        }
    }

    /**
     * A model that scores classes at a quarter of the input (average pooling, then the brightest-channel 1x1
     * convolution) and ends in a {@code Resize} by 4 of the given mode.
     */
    private Path quarterResolutionModel(String name, String mode) throws Exception {
        int w = 32;
        int h = 16;
        int classes = 20;
        OnnxGraphBuilder g = OnnxGraphBuilder.create(name);
        String x = g.input("image", DataType.FLOAT, -1, 3, h, w);
        String pooled = g.node("AveragePool", List.of(x), OnnxGraphBuilder.ints("kernel_shape", 4, 4),
                OnnxGraphBuilder.ints("strides", 4, 4));
        float[] weights = new float[classes * 3];
        float[] bias = new float[classes];
        for (int c = 0; c < classes; c++) {
            if (c < 3) {
                weights[c * 3 + c] = 1f;
            } else {
                weights[c * 3 + (c % 3)] = 0.5f;
                bias[c] = 0.2f * (c % 4);
            }
        }
        String scores = g.node("Conv", List.of(pooled, g.constant(weights, classes, 3, 1, 1), g.constant(bias, classes)));
        String up = g.named("out").node("Resize", List.of(scores, "", g.constant(new float[] {1, 1, 4, 4}, 4)),
                OnnxGraphBuilder.attr("mode", mode),
                OnnxGraphBuilder.attr("coordinate_transformation_mode", mode.equals("linear") ? "half_pixel" : "asymmetric"));
        g.output(up, DataType.FLOAT, -1, classes, h, w);
        ModelManifest m = ModelManifest.builder().setName(name).setVersion("1").setLabelSet("rail-20")
                .setInput("image", w, h, Layout.NCHW).setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("out", OutputKind.LOGITS_NCHW).build();
        return ModelDirectory.write(dir.resolve(name), g.toByteArray(), m).dir();
    }

    private static List<RgbImage> noisyFrames(int count, int w, int h) {
        Random rnd = new Random(5);
        List<RgbImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] px = new int[w * h];
            for (int p = 0; p < px.length; p++) {
                px[p] = rnd.nextInt(1 << 24);
            }
            out.add(RgbImage.ofPackedRgb(w, h, px));
        }
        return out;
    }

    @Test
    void aLinearResizeIsFusedAndANearestOneStaysInTheGraph() throws Exception {
        Path linear = quarterResolutionModel("linear", "linear");
        Path nearest = quarterResolutionModel("nearest", "nearest");
        List<String> linearLog = openingLog(linear, options(true, 1));
        assertTrue(linearLog.stream().anyMatch(m -> m.contains("its final upsampling (Resize) fused with the argmax")),
                String.valueOf(linearLog));
        List<String> nearestLog = openingLog(nearest, options(true, 1));
        assertTrue(nearestLog.stream().anyMatch(m -> m.contains("the final Resize stays in the graph: it is not a "
                + "bilinear upsampling")), String.valueOf(nearestLog));
        List<RgbImage> frames = noisyFrames(6, 32, 16);
        for (Path model : List.of(linear, nearest)) {
            List<byte[]> fused = ArgMaxInGraphTest.masks(model, options(true, 2), frames);
            List<byte[]> whole = ArgMaxInGraphTest.masks(model, options(false, 2), frames);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(whole.get(i), fused.get(i), model.getFileName() + " frame " + i);
            }
        }
    }

    @Test
    void theOptionOffKeepsTheWholeGraph() throws Exception {
        Path model = BootstrapModel.extractBundled(dir).dir();
        List<String> log = openingLog(model, options(false, 1));
        assertTrue(log.stream().noneMatch(m -> m.contains("fused")), String.valueOf(log));
    }

    // ---- pure logic: the fused argmax against the argmax of every class upsampled

    /** Smooth random scores with a few sharp, nearly tied regions, classes x h x w. */
    private static float[] scores(int classes, int h, int w, long seed) {
        Random rnd = new Random(seed);
        float[] s = new float[classes * h * w];
        double[][] centre = new double[classes][2];
        for (int c = 0; c < classes; c++) {
            centre[c][0] = rnd.nextDouble() * h;
            centre[c][1] = rnd.nextDouble() * w;
        }
        for (int c = 0; c < classes; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double dy = y - centre[c][0];
                    double dx = x - centre[c][1];
                    double v = 4 * Math.exp(-(dx * dx + dy * dy) / (0.1 * h * w)) + 0.3 * rnd.nextGaussian();
                    s[(c * h + y) * w + x] = (float) v;
                }
            }
        }
        // exact ties between classes 1 and 2 in one row: the first class must win, as in the whole model
        for (int x = 0; x < w && classes >= 3; x++) {
            s[(2 * h) * w + x] = s[(1 * h) * w + x] = 50f;
        }
        return s;
    }

    private static byte[] bruteForce(MaskPostprocessor upsampling, float[] low, int classes, int height, int width) {
        float[] up = upsampling.upsampledScores(FloatBuffer.wrap(low), 0);
        return new MaskPostprocessor(classes, height, width).fromLogits(FloatBuffer.wrap(up), 0, width, height)
                .classIds();
    }

    @Test
    void theFusedArgmaxIsTheArgmaxOfTheUpsampledScores() {
        int[][] sizes = {{8, 16, 64, 128}, {5, 7, 15, 21}, {6, 9, 13, 40}, {1, 4, 3, 16}};
        for (int[] sz : sizes) {
            int h = sz[0];
            int w = sz[1];
            int height = sz[2];
            int width = sz[3];
            for (int classes : new int[] {1, 3, 20}) {
                for (long seed = 1; seed <= 3; seed++) {
                    float[] low = scores(classes, h, w, seed * 31 + classes);
                    MaskPostprocessor post = MaskPostprocessor.upsampling(classes, height, width, h, w);
                    byte[] fused = post.fromLogits(FloatBuffer.wrap(low), 0, width, height).classIds();
                    String what = w + "x" + h + " -> " + width + "x" + height + ", " + classes + " classes, seed "
                            + seed;
                    assertArrayEquals(bruteForce(post, low, classes, height, width), fused, what);
                    if (classes == 20 && h > 1) {
                        // the tied row forces some interpolation; agreeing quads elsewhere are taken whole
                        assertTrue(post.interpolatedPixels() > 0 && post.interpolatedPixels() < height * width,
                                what + ": " + post.interpolatedPixels() + " interpolated");
                    }
                }
            }
        }
    }

    @Test
    void aBatchPositionAndTheFrameSizeAreHonoured() {
        int classes = 4;
        float[] first = scores(classes, 4, 8, 7);
        float[] second = scores(classes, 4, 8, 8);
        float[] both = new float[first.length * 2];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        MaskPostprocessor post = MaskPostprocessor.upsampling(classes, 16, 32, 4, 8);
        byte[] atOutput = post.fromLogits(FloatBuffer.wrap(both), 1, 32, 16).classIds();
        assertArrayEquals(bruteForce(post, second, classes, 16, 32), atOutput);
        byte[] frame = post.fromLogits(FloatBuffer.wrap(both), 1, 64, 32).classIds();
        assertEquals(64 * 32, frame.length);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(atOutput[(y / 2) * 32 + x / 2], frame[y * 64 + x], "frame pixel " + x + "," + y);
            }
        }
    }

    @Test
    void theFrameSizedMaskIsTheOutputArgmaxResizedToTheFrame() {
        int classes = 20;
        float[] low = scores(classes, 8, 16, 11);
        MaskPostprocessor post = MaskPostprocessor.upsampling(classes, 64, 128, 8, 16);
        float[] up = post.upsampledScores(FloatBuffer.wrap(low), 0);
        MaskPostprocessor plain = new MaskPostprocessor(classes, 64, 128);
        // the output size, twice it, odd sizes up and down, and a frame taller but narrower than the output
        int[][] frames = {{128, 64}, {256, 128}, {200, 90}, {100, 50}, {37, 23}, {96, 200}, {128, 64}};
        for (int[] f : frames) {
            byte[] expected = plain.fromLogits(FloatBuffer.wrap(up), 0, f[0], f[1]).classIds();
            byte[] fused = post.fromLogits(FloatBuffer.wrap(low), 0, f[0], f[1]).classIds();
            assertArrayEquals(expected, fused, "frame " + f[0] + "x" + f[1]);
        }
    }

    /**
     * Scores that keep the shortcuts busy: few distinct values (exact ties between classes at corners and along
     * rows), classes close together (several candidates per quad, two-candidate spans whose difference is zero at an
     * end), a large common offset (the rounding margin scales with it) and frames at odd ratios to the output.
     */
    @Test
    void tiesAndCloseClassesGiveTheArgmaxOfTheUpsampledScores() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 12; trial++) {
            int classes = 2 + rnd.nextInt(12);
            int h = 2 + rnd.nextInt(7);
            int w = 2 + rnd.nextInt(9);
            int height = h * (1 + rnd.nextInt(8)) + rnd.nextInt(3);
            int width = w * (1 + rnd.nextInt(8)) + rnd.nextInt(3);
            float offset = trial % 3 == 0 ? 1000f : 0f;
            float[] low = new float[classes * h * w];
            for (int i = 0; i < low.length; i++) {
                low[i] = offset + (trial % 2 == 0 ? rnd.nextInt(4) : (float) rnd.nextGaussian() * 0.05f);
            }
            MaskPostprocessor post = MaskPostprocessor.upsampling(classes, height, width, h, w);
            float[] up = post.upsampledScores(FloatBuffer.wrap(low), 0);
            MaskPostprocessor plain = new MaskPostprocessor(classes, height, width);
            for (int[] f : new int[][] {{width, height}, {2 * width, 2 * height}, {width + 7, height / 2 + 1}}) {
                byte[] expected = plain.fromLogits(FloatBuffer.wrap(up), 0, f[0], f[1]).classIds();
                byte[] fused = post.fromLogits(FloatBuffer.wrap(low), 0, f[0], f[1]).classIds();
                assertArrayEquals(expected, fused, classes + " classes, " + w + "x" + h + " -> " + width + "x"
                        + height + ", frame " + f[0] + "x" + f[1] + ", trial " + trial);
            }
        }
    }

    @Test
    void nonFiniteScoresAreCounted() {
        float[] low = scores(3, 4, 8, 9);
        low[5] = Float.NaN;
        low[40] = Float.POSITIVE_INFINITY;
        low[41] = Float.NEGATIVE_INFINITY;
        MaskPostprocessor post = MaskPostprocessor.upsampling(3, 16, 32, 4, 8);
        post.fromLogits(FloatBuffer.wrap(low), 0, 32, 16);
        assertEquals(1, post.nanScores());
        assertEquals(2, post.infiniteScores());
    }
}
