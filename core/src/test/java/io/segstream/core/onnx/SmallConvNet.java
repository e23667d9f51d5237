package io.segstream.core.onnx;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * A three-convolution test network (3x3 conv and ReLU twice, then a 1x1 conv to class scores) with seeded
 * pseudo-random weights, written by the project's graph writer: small enough for a test, deep enough that quantization
 * has activations to calibrate and ONNX Runtime has QDQ groups to fuse. Shared with the cli tests through core's test
 * jar.
 *
 * <pre>{@code
 * Path dir = SmallConvNet.write(tmp.resolve("small"), 64, 32);
 * }</pre>
 */
public final class SmallConvNet {
    /** Classes of the network's output (the cityscapes-19 label set). */
    public static final int CLASSES = 19;
    /** The classes that can win: the first three. */
    public static final int ACTIVE = 3;

    private SmallConvNet() {}

    /** The model, its input {@code image} [batch, 3, height, width], its output {@code logits}. */
    public static byte[] onnx(int width, int height, long seed) {
        return build(width, height, seed, false);
    }

    /**
     * The same network on a quarter of the input (4x4 average pooling first) with its scores upsampled bilinearly by 4
     * at the end ({@code Resize}, half-pixel centres), as real-time segmentation networks end; width and height must be
     * multiples of 4.
     */
    public static byte[] upsampled(int width, int height, long seed) {
        return build(width, height, seed, true);
    }

    private static byte[] build(int width, int height, long seed, boolean quarter) {
        Random r = new Random(seed);
        OnnxGraphBuilder g = OnnxGraphBuilder.create("small-convnet");
        String image = g.input("image", DataType.FLOAT, -1, 3, height, width);
        String x = quarter ? g.node("AveragePool", java.util.List.of(image), OnnxGraphBuilder.ints("kernel_shape", 4, 4),
                OnnxGraphBuilder.ints("strides", 4, 4)) : image;
        String w1 = g.initializer("w1", gaussian(r, 8 * 3 * 9, 0.3f), 8, 3, 3, 3);
        String b1 = g.initializer("b1", gaussian(r, 8, 0.1f), 8);
        String w2 = g.initializer("w2", gaussian(r, 8 * 8 * 9, 0.2f), 8, 8, 3, 3);
        String b2 = g.initializer("b2", gaussian(r, 8, 0.1f), 8);
        // only the first ACTIVE classes can win, as in a scene of few classes; the others score far below
        float[] classWeights = new float[CLASSES * 8];
        System.arraycopy(gaussian(r, ACTIVE * 8, 1f), 0, classWeights, 0, ACTIVE * 8);
        float[] classBiases = new float[CLASSES];
        java.util.Arrays.fill(classBiases, -20f);
        System.arraycopy(gaussian(r, ACTIVE, 0.1f), 0, classBiases, 0, ACTIVE);
        String w3 = g.initializer("w3", classWeights, CLASSES, 8, 1, 1);
        String b3 = g.initializer("b3", classBiases, CLASSES);
        String h1 = g.relu(g.conv(x, w1, b1, ConvParams.same(3)));
        String h2 = g.relu(g.conv(h1, w2, b2, ConvParams.same(3)));
        String logits;
        if (quarter) {
            String scores = g.conv(h2, w3, b3, ConvParams.valid());
            String scales = g.constant(new float[] {1, 1, 4, 4}, 4);
            logits = g.named("logits").node("Resize", java.util.List.of(scores, "", scales),
                    OnnxGraphBuilder.attr("mode", "linear"),
                    OnnxGraphBuilder.attr("coordinate_transformation_mode", "half_pixel"));
        } else {
            logits = g.named("logits").conv(h2, w3, b3, ConvParams.valid());
        }
        g.output(logits, DataType.FLOAT, -1, CLASSES, height, width);
        return g.toByteArray();
    }

    /** The manifest of the model: mean 0.5 and std 0.25 per channel, cityscapes-19, a made-up mIoU of 0.5. */
    public static ModelManifest manifest(int width, int height) {
        return ModelManifest.builder().setName("small-convnet").setVersion("1").setLabelSet("cityscapes-19")
                .setInput("image", width, height, Layout.NCHW)
                .setNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})
                .setOutput("logits", OutputKind.LOGITS_NCHW).optDescription("a test network")
                .optMetrics(java.util.Map.of("miou", 0.5)).build();
    }

    /** Writes the model directory (model.onnx, model.json) at {@code dir}. */
    public static Path write(Path dir, int width, int height) throws IOException {
        return ModelDirectory.write(dir, onnx(width, height, 9), manifest(width, height)).dir();
    }

    /** Writes the {@link #upsampled} model's directory at {@code dir}. */
    public static Path writeUpsampled(Path dir, int width, int height) throws IOException {
        return ModelDirectory.write(dir, upsampled(width, height, 9), manifest(width, height)).dir();
    }

    /** A seeded test picture: smooth colour gradients, a few flat rectangles and a little noise. */
    public static RgbImage picture(int width, int height, long seed) {
        Random r = new Random(seed);
        byte[] rgb = new byte[width * height * 3];
        int[][] rects = new int[3][];
        for (int i = 0; i < rects.length; i++) {
            rects[i] = new int[] {r.nextInt(width), r.nextInt(height), 4 + r.nextInt(width / 2),
                4 + r.nextInt(height / 2), r.nextInt(256), r.nextInt(256), r.nextInt(256)};
        }
        double phase = r.nextDouble() * 6;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int[] c = {(int) (127 + 120 * Math.sin(phase + x * 0.1)), 255 * y / height,
                    (int) (127 + 120 * Math.cos(phase + (x + y) * 0.05))};
                for (int[] rect : rects) {
                    if (x >= rect[0] && x < rect[0] + rect[2] && y >= rect[1] && y < rect[1] + rect[3]) {
                        c = new int[] {rect[4], rect[5], rect[6]};
                    }
                }
                for (int k = 0; k < 3; k++) {
                    rgb[(y * width + x) * 3 + k] = (byte) Math.max(0, Math.min(255, c[k] + r.nextInt(3) - 1));
                }
            }
        }
        return RgbImage.ofRgb(width, height, rgb);
    }

    private static float[] gaussian(Random r, int n, float std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }
}
