package io.segstream.core.scenes.bootstrap;

import io.segstream.core.onnx.ConvParams;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;

/**
 * The fixed feature network of the bootstrap model and the graph around it.
 *
 * <p>From the normalised image it computes {@value #FEATURES} features per pixel, all with fixed weights:
 * <ul>
 *   <li>colour (3) and its 5x5 mean (3);</li>
 *   <li>texture of the luminance: 5x5 contrast (standard deviation), 5x5 mean of the absolute horizontal and
 *       vertical Sobel gradients (rails and poles are vertical edges, sleepers horizontal ones), 5x5 mean of the
 *       absolute difference to the 3x3 mean (fine grain of ballast and leaves) (4);</li>
 *   <li>context: colour and texture averaged over 8x8 blocks and blurred (6), colour over 32x32 blocks (3),
 *       both upsampled bilinearly;</li>
 *   <li>position: row from -1 (top) to 1 (bottom) and distance from the centre column (2).</li>
 * </ul>
 * The classifier on top is a fixed random projection with ReLU (non-linear combinations of the features)
 * and a fitted 1x1 convolution over features and projection; see {@link BootstrapModel}.
 */
public final class BootstrapNetwork {
    /** Features per pixel computed by {@link #features}. */
    public static final int FEATURES = 28;
    /** Name of the image input. */
    public static final String INPUT = "image";
    /** Name of the logits output of the full model. */
    public static final String LOGITS = "logits";
    /** Name of the output of the feature-only graph. */
    public static final String FEATURE_OUTPUT = "features";

    private BootstrapNetwork() {}

    /** A graph from the image to its {@value #FEATURES} features (for fitting). */
    public static byte[] featureGraph(int width, int height) {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bootstrap-features");
        String x = g.input(INPUT, DataType.FLOAT, -1, 3, height, width);
        String f = features(g, x, width, height, FEATURE_OUTPUT);
        g.output(f, DataType.FLOAT, -1, FEATURES, height, width);
        return g.toByteArray();
    }

    /**
     * The complete model: features, projection {@code relu(proj * f + projBias)}, logits over
     * {@code [f, projection]}.
     *
     * @param proj       projection weights, projections x {@value #FEATURES}
     * @param projBias   one per projection
     * @param classifier weights, classes x ({@value #FEATURES} + projections)
     * @param bias       one per class
     */
    public static OnnxGraphBuilder model(int width, int height, float[] proj, float[] projBias, float[] classifier,
            float[] bias) {
        int k = projBias.length;
        int classes = bias.length;
        if (proj.length != k * FEATURES || classifier.length != classes * (FEATURES + k)) {
            throw new IllegalArgumentException("bootstrap weights do not fit: " + k + " projections and " + classes
                    + " classes need " + (k * FEATURES) + " projection and " + (classes * (FEATURES + k))
                    + " classifier weights, got " + proj.length + " and " + classifier.length);
        }
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bootstrap");
        String x = g.input(INPUT, DataType.FLOAT, -1, 3, height, width);
        String f = features(g, x, width, height, null);
        String z = g.relu(g.conv(f, g.initializer("proj_w", proj, k, FEATURES, 1, 1),
                g.initializer("proj_b", projBias, k), ConvParams.valid()));
        // two convolutions and a sum rather than one over a concatenation: the 1x1 classifier is the same, but
        // ONNX Runtime then never copies the (features + projections)-channel tensor
        float[] clsF = new float[classes * FEATURES];
        float[] clsZ = new float[classes * k];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(classifier, c * (FEATURES + k), clsF, c * FEATURES, FEATURES);
            System.arraycopy(classifier, c * (FEATURES + k) + FEATURES, clsZ, c * k, k);
        }
        String fromFeatures = g.conv(f, g.initializer("cls_f_w", clsF, classes, FEATURES, 1, 1),
                g.initializer("cls_b", bias, classes), ConvParams.valid());
        String fromProjections = g.conv(z, g.initializer("cls_z_w", clsZ, classes, k, 1, 1), null, ConvParams.valid());
        String logits = g.named(LOGITS).add(fromFeatures, fromProjections);
        g.output(logits, DataType.FLOAT, -1, classes, height, width);
        return g;
    }

    /** Adds the feature network on {@code x} (N x 3 x height x width) and returns the feature tensor's name. */
    static String features(OnnxGraphBuilder g, String x, int width, int height, String outputName) {
        if (width % 64 != 0 || height % 64 != 0) {
            throw new IllegalArgumentException("the bootstrap network needs an input size divisible by 64, got "
                    + width + "x" + height);
        }
        ConvParams same3 = ConvParams.same(3);
        ConvParams same5 = ConvParams.same(5);
        String lum = g.reduceMean(x, true, 1);
        String mean5 = g.averagePool(x, 5, same5, false);

        String lumMean = g.averagePool(lum, 5, same5, false);
        String lumSqMean = g.averagePool(g.mul(lum, lum), 5, same5, false);
        String variance = g.relu(g.sub(lumSqMean, g.mul(lumMean, lumMean)));
        String contrast = g.sqrt(g.add(variance, g.scalar(1e-4f)));
        // both Sobel filters in one convolution: channel 0 horizontal gradient, channel 1 vertical
        float[] sobel = {-1, 0, 1, -2, 0, 2, -1, 0, 1, -1, -2, -1, 0, 0, 0, 1, 2, 1};
        String gradients = g.averagePool(g.abs(g.conv(lum, g.constant(scale(sobel, 0.25f), 2, 1, 3, 3), null, same3)),
                5, same5, false);
        String grain = g.averagePool(g.abs(g.sub(lum, g.averagePool(lum, 3, same3, false))), 5, same5, false);

        String texture = g.concat(1, x, contrast, gradients);
        String blocks8 = g.averagePool(g.averagePool(texture, 8, ConvParams.of(8, 0), false), 3, same3, false);
        String context8 = g.resizeLinear(blocks8, false, 1, 1, 8, 8);
        String context32 = g.resizeLinear(g.averagePool(x, 32, ConvParams.of(32, 0), false), false, 1, 1, 32, 32);
        String context64 = g.resizeLinear(g.averagePool(x, 64, ConvParams.of(64, 0), false), false, 1, 1, 64, 64);
        // colour relative to the whole image's mean, so lighting and haze shift less of what the classifier sees
        String relative = g.sub(x, g.globalAveragePool(x));
        String chroma = g.sub(g.reduceMax(x, true, 1), g.reduceMin(x, true, 1));

        // position planes: zeros shaped like one channel of the batch, plus broadcast ramps (kept tiny on disk)
        String zeros = g.mul(lum, g.scalar(0f));
        float[] rows = new float[height];
        for (int y = 0; y < height; y++) {
            rows[y] = 2f * (y + 0.5f) / height - 1f;
        }
        float[] cols = new float[width];
        for (int c = 0; c < width; c++) {
            cols[c] = Math.abs(2f * (c + 0.5f) / width - 1f);
        }
        String row = g.add(zeros, g.constant(rows, 1, 1, height, 1));
        String col = g.add(zeros, g.constant(cols, 1, 1, 1, width));
        if (outputName != null) {
            g.named(outputName);
        }
        return g.concat(1, x, mean5, contrast, gradients, grain, context8, context32, context64, relative, chroma,
                row, col);
    }

    private static float[] scale(float[] v, float s) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }
}
