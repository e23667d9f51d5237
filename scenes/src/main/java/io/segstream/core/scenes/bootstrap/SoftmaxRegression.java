package io.segstream.core.scenes.bootstrap;

import java.util.Arrays;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Multinomial logistic regression fitted by mini-batch Adam with L2 weight decay, in plain Java, for the
 * classifier of the bootstrap model. Deterministic for a given seed.
 *
 * <pre>{@code
 * SoftmaxRegression.Fit fit = SoftmaxRegression.fit(x, y, dims, classes, 20, 1e-4f, 42L, epoch -> { });
 * int c = fit.predict(x, sampleIndex);
 * }</pre>
 */
public final class SoftmaxRegression {
    private static final int BATCH = 256;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private SoftmaxRegression() {}

    /**
     * Fitted weights.
     *
     * @param weights classes x dims, row-major
     * @param bias    one per class
     * @param dims    features per sample
     */
    public record Fit(float[] weights, float[] bias, int dims) {
        /** The class with the highest score for sample {@code i} of the row-major matrix {@code x}. */
        public int predict(float[] x, int i) {
            int classes = bias.length;
            int best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float s = bias[c];
                for (int j = 0, w = c * dims, o = i * dims; j < dims; j++) {
                    s += weights[w + j] * x[o + j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            return best;
        }
    }

    /**
     * Fits the classifier.
     *
     * @param x        samples x dims features, row-major (standardise them first for fast convergence)
     * @param y        class of each sample, 0..classes-1
     * @param epochs   passes over the samples; the learning rate falls linearly to a tenth over them
     * @param l2       weight decay
     * @param progress told the number of each finished epoch
     */
    public static Fit fit(float[] x, int[] y, int dims, int classes, int epochs, float l2, long seed,
            IntConsumer progress) {
        int n = y.length;
        if (x.length != (long) n * dims) {
            throw new IllegalArgumentException(n + " samples of " + dims + " features need " + ((long) n * dims)
                    + " values, got " + x.length);
        }
        float[] w = new float[classes * dims];
        float[] b = new float[classes];
        float[] mW = new float[w.length];
        float[] vW = new float[w.length];
        float[] mB = new float[classes];
        float[] vB = new float[classes];
        float[] gW = new float[w.length];
        float[] gB = new float[classes];
        float[] p = new float[classes];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rnd = new Random(seed);
        int step = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, rnd);
            float lr = 0.01f * (1f - 0.9f * epoch / Math.max(1, epochs - 1));
            for (int start = 0; start < n; start += BATCH) {
                int end = Math.min(n, start + BATCH);
                Arrays.fill(gW, 0f);
                Arrays.fill(gB, 0f);
                for (int s = start; s < end; s++) {
                    int i = order[s];
                    int o = i * dims;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        float z = b[c];
                        for (int j = 0, wo = c * dims; j < dims; j++) {
                            z += w[wo + j] * x[o + j];
                        }
                        p[c] = z;
                        max = Math.max(max, z);
                    }
                    float sum = 0;
                    for (int c = 0; c < classes; c++) {
                        p[c] = (float) Math.exp(p[c] - max);
                        sum += p[c];
                    }
                    for (int c = 0; c < classes; c++) {
                        float g = p[c] / sum - (c == y[i] ? 1f : 0f);
                        if (g == 0f) {
                            continue;
                        }
                        gB[c] += g;
                        for (int j = 0, wo = c * dims; j < dims; j++) {
                            gW[wo + j] += g * x[o + j];
                        }
                    }
                }
                float inv = 1f / (end - start);
                step++;
                float c1 = 1f - (float) Math.pow(BETA1, step);
                float c2 = 1f - (float) Math.pow(BETA2, step);
                for (int k = 0; k < w.length; k++) {
                    float g = gW[k] * inv + l2 * w[k];
                    mW[k] = BETA1 * mW[k] + (1 - BETA1) * g;
                    vW[k] = BETA2 * vW[k] + (1 - BETA2) * g * g;
                    w[k] -= lr * (mW[k] / c1) / ((float) Math.sqrt(vW[k] / c2) + EPSILON);
                }
                for (int k = 0; k < classes; k++) {
                    float g = gB[k] * inv;
                    mB[k] = BETA1 * mB[k] + (1 - BETA1) * g;
                    vB[k] = BETA2 * vB[k] + (1 - BETA2) * g * g;
                    b[k] -= lr * (mB[k] / c1) / ((float) Math.sqrt(vB[k] / c2) + EPSILON);
                }
            }
            progress.accept(epoch + 1);
        }
        return new Fit(w, b, dims);
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
