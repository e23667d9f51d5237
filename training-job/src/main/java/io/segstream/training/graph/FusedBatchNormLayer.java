package io.segstream.training.graph;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link FusedBatchNormalization}: per channel, in parallel over channels, the batch mean and
 * (biased) variance in two passes, then normalisation, scale, shift and activation in one; backward, the masked
 * gradient's two sums in one pass and the input gradient in another. Running statistics move as DL4J's do
 * ({@code new = decay * old + (1 - decay) * batch}, on the variance, stored as log10 of the standard deviation where
 * the configuration says so), through the gradient of the statistics parameters that DL4J's updater subtracts.
 */
final class FusedBatchNormLayer extends BatchNormalization {
    private static final int NONE = 0;
    private static final int RELU = 1;
    private static final int RELU6 = 2;
    /** 2^100: scales any output above 2^-100 past 1 in the arithmetic gate. */
    private static final float GATE = 0x1p100f;

    private final int activation;
    /** The last training-mode forward pass: input copy, shape, batch statistics (for backward). */
    private float[] x;
    private long[] shape;
    private float[] batchMean;
    private float[] batchVar;
    private float[] invStd;
    /** The training forward pass's per-channel scale and shift, so the backward gate sees the same outputs. */
    private float[] batchScale;
    private float[] batchShift;

    FusedBatchNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        IActivation act = layerConf().getActivationFn();
        activation = act instanceof ActivationReLU ? RELU : act instanceof ActivationReLU6 ? RELU6 : NONE;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (input.rank() != 4) {
            throw new IllegalStateException(layerId() + ": fused batch norm needs NCHW feature maps, got rank "
                    + input.rank() + " input of shape " + Arrays.toString(input.shape()));
        }
        long[] s = input.shape();
        int channels = (int) s[1];
        int planes = (int) s[0];
        int area = (int) (s[2] * s[3]);
        float[] in = read(input);
        float[] gamma = floats(getParam(BatchNormalizationParamInitializer.GAMMA));
        float[] beta = floats(getParam(BatchNormalizationParamInitializer.BETA));
        double eps = layerConf().getEps();
        float[] scale = new float[channels];
        float[] shift = new float[channels];
        float[] out = new float[in.length];
        if (training) {
            float[] mean = new float[channels];
            float[] var = new float[channels];
            float[] inv = new float[channels];
            IntStream.range(0, channels).parallel().forEach(c -> {
                double m = sum(in, c, channels, planes, area) / ((double) planes * area);
                double v = squaredDeviations(in, (float) m, c, channels, planes, area) / ((double) planes * area);
                mean[c] = (float) m;
                var[c] = (float) v;
                inv[c] = (float) (1 / Math.sqrt(v + eps));
                scale[c] = gamma[c] * inv[c];
                shift[c] = (float) (beta[c] - m * scale[c]);
                normalise(in, out, scale[c], shift[c], activation, c, channels, planes, area);
            });
            x = in;
            shape = s;
            batchMean = mean;
            batchVar = var;
            invStd = inv;
            batchScale = scale;
            batchShift = shift;
        } else {
            float[] mean = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            float[] var = globalVariance();
            IntStream.range(0, channels).parallel().forEach(c -> {
                scale[c] = (float) (gamma[c] / Math.sqrt(var[c] + eps));
                shift[c] = beta[c] - mean[c] * scale[c];
                normalise(in, out, scale[c], shift[c], activation, c, channels, planes, area);
            });
        }
        return write(out, workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, s, 'c'));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (x == null || !Arrays.equals(shape, epsilon.shape())) {
            throw new IllegalStateException(layerId() + ": backward pass of shape "
                    + Arrays.toString(epsilon.shape()) + " without a training forward pass of that shape");
        }
        int channels = (int) shape[1];
        int planes = (int) shape[0];
        int area = (int) (shape[2] * shape[3]);
        double count = (double) planes * area;
        float[] e = read(epsilon);
        float[] dGamma = new float[channels];
        float[] dBeta = new float[channels];
        float[] dx = new float[e.length];
        IntStream.range(0, channels).parallel().forEach(c -> {
            float mean = batchMean[c];
            float inv = invStd[c];
            float scale = batchScale[c];
            float shift = batchShift[c];
            double[] sums = gatedGradientSums(x, e, dx, mean, scale, shift, activation, c, channels, planes, area);
            dBeta[c] = (float) sums[0];
            dGamma[c] = (float) (sums[1] * inv);
            // dL/dx = gamma/std * (g - mean(g) - xhat * mean(g * xhat)), xhat = (x - mean)/std
            float k1 = scale;
            float k2 = (float) (scale * inv * inv * sums[1] / count);
            float k3 = (float) (scale * sums[0] / count - k2 * mean);
            inputGradient(x, dx, k1, k2, k3, c, channels, planes, area);
        });

        Gradient gradient = new DefaultGradient();
        INDArray gammaView = gradientViews.get(BatchNormalizationParamInitializer.GAMMA);
        INDArray betaView = gradientViews.get(BatchNormalizationParamInitializer.BETA);
        gammaView.assign(vector(dGamma, gammaView));
        betaView.assign(vector(dBeta, betaView));
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA, gammaView);
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA, betaView);
        statisticsGradient(gradient);
        INDArray next = write(dx,
                workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, shape, 'c'));
        return new Pair<>(gradient, next);
    }

    /**
     * The statistics' "gradient": DL4J's updater subtracts it, so old − gradient is the new running value. Mean:
     * (old − batch)(1 − decay). Variance: (old − batch)(1 − decay); stored as log10(std): log10(old std) − log10 of
     * the new std, the new variance being decay·old² + (1 − decay)·batch.
     */
    private void statisticsGradient(Gradient gradient) {
        double decay = layerConf().getDecay();
        float[] mean = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        float[] dMean = new float[mean.length];
        for (int c = 0; c < mean.length; c++) {
            dMean[c] = (float) ((mean[c] - batchMean[c]) * (1 - decay));
        }
        INDArray meanView = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        meanView.assign(vector(dMean, meanView));
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, meanView);
        String key = layerConf().isUseLogStd() ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                : BatchNormalizationParamInitializer.GLOBAL_VAR;
        float[] old = floats(getParam(key));
        float[] d = new float[old.length];
        for (int c = 0; c < old.length; c++) {
            if (layerConf().isUseLogStd()) {
                double oldVar = Math.pow(10, 2.0 * old[c]);
                double newVar = decay * oldVar + (1 - decay) * batchVar[c];
                d[c] = (float) (Math.log(oldVar / newVar) / (2 * Math.log(10)));
            } else {
                d[c] = (float) ((old[c] - batchVar[c]) * (1 - decay));
            }
        }
        INDArray view = gradientViews.get(key);
        view.assign(vector(d, view));
        gradient.setGradientFor(key, view);
    }

    private float[] globalVariance() {
        if (!layerConf().isUseLogStd()) {
            return floats(getParam(BatchNormalizationParamInitializer.GLOBAL_VAR));
        }
        float[] log10std = floats(getParam(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
        float[] var = new float[log10std.length];
        for (int c = 0; c < var.length; c++) {
            var[c] = (float) Math.pow(10, 2.0 * log10std[c]);
        }
        return var;
    }

    // ---- kernels: channel c of an NCHW array is `planes` runs of `area` floats, `channels * area` apart ----

    static double sum(float[] a, int c, int channels, int planes, int area) {
        double total = 0;
        for (int n = 0; n < planes; n++) {
            int base = (n * channels + c) * area;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int i = 0;
            for (; i + 3 < area; i += 4) {
                s0 += a[base + i];
                s1 += a[base + i + 1];
                s2 += a[base + i + 2];
                s3 += a[base + i + 3];
            }
            for (; i < area; i++) {
                s0 += a[base + i];
            }
            total += (double) s0 + s1 + s2 + s3;
        }
        return total;
    }

    static double squaredDeviations(float[] a, float mean, int c, int channels, int planes, int area) {
        double total = 0;
        for (int n = 0; n < planes; n++) {
            int base = (n * channels + c) * area;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int i = 0;
            for (; i + 3 < area; i += 4) {
                float d0 = a[base + i] - mean;
                float d1 = a[base + i + 1] - mean;
                float d2 = a[base + i + 2] - mean;
                float d3 = a[base + i + 3] - mean;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < area; i++) {
                float d = a[base + i] - mean;
                s0 += d * d;
            }
            total += (double) s0 + s1 + s2 + s3;
        }
        return total;
    }

    static void normalise(float[] in, float[] out, float scale, float shift, int act, int c, int channels,
            int planes, int area) {
        float upper = act == RELU6 ? 6f : Float.POSITIVE_INFINITY;
        for (int n = 0; n < planes; n++) {
            int base = (n * channels + c) * area;
            if (act == NONE) {
                for (int i = base; i < base + area; i++) {
                    out[i] = in[i] * scale + shift;
                }
            } else {
                for (int i = base; i < base + area; i++) {
                    out[i] = Math.min(Math.max(in[i] * scale + shift, 0f), upper);
                }
            }
        }
    }

    /**
     * Writes g, the output gradient where the activation passes it and 0 where it clips, into {@code g} (channel c's
     * runs), and returns Σ g and Σ g·(x − mean) over the channel. The gate is arithmetic, not a branch, so that the
     * loop vectorises and random signs cost no mispredictions: min(out·2^100, 1)·min((upper − out)·2^100, 1) is 1
     * inside (0, upper) and 0 at the clipped ends, for every output above 2^-100.
     */
    static double[] gatedGradientSums(float[] x, float[] e, float[] g, float mean, float scale, float shift, int act,
            int c, int channels, int planes, int area) {
        float upper = act == RELU6 ? 6f : Float.POSITIVE_INFINITY;
        double sumG = 0;
        double sumGx = 0;
        for (int n = 0; n < planes; n++) {
            int base = (n * channels + c) * area;
            int end = base + area;
            if (act == NONE) {
                System.arraycopy(e, base, g, base, area);
            } else {
                for (int i = base; i < end; i++) {
                    float out = Math.min(Math.max(x[i] * scale + shift, 0f), upper);
                    g[i] = e[i] * Math.min(out * GATE, 1f) * Math.min((upper - out) * GATE, 1f);
                }
            }
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float t0 = 0;
            float t1 = 0;
            float t2 = 0;
            float t3 = 0;
            int i = base;
            for (; i + 3 < end; i += 4) {
                s0 += g[i];
                s1 += g[i + 1];
                s2 += g[i + 2];
                s3 += g[i + 3];
                t0 += g[i] * (x[i] - mean);
                t1 += g[i + 1] * (x[i + 1] - mean);
                t2 += g[i + 2] * (x[i + 2] - mean);
                t3 += g[i + 3] * (x[i + 3] - mean);
            }
            for (; i < end; i++) {
                s0 += g[i];
                t0 += g[i] * (x[i] - mean);
            }
            sumG += (double) s0 + s1 + s2 + s3;
            sumGx += (double) t0 + t1 + t2 + t3;
        }
        return new double[] {sumG, sumGx};
    }

    /** In place over the gated gradient of channel c: dx = k1·g − k2·x − k3 (k3 folds the mean terms). */
    static void inputGradient(float[] x, float[] dx, float k1, float k2, float k3, int c, int channels, int planes,
            int area) {
        for (int n = 0; n < planes; n++) {
            int base = (n * channels + c) * area;
            for (int i = base; i < base + area; i++) {
                dx[i] = k1 * dx[i] - k2 * x[i] - k3;
            }
        }
    }

    // ---- between ND4J arrays and float[] ----

    private static float[] read(INDArray a) {
        INDArray c = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() ? a
                : a.castTo(DataType.FLOAT).dup('c');
        float[] out = new float[(int) c.length()];
        FloatBuffer b = c.data().asNioFloat();
        b.position((int) c.offset());
        b.get(out);
        return out;
    }

    private static INDArray write(float[] values, INDArray target) {
        FloatBuffer b = target.data().asNioFloat();
        b.position((int) target.offset());
        b.put(values);
        return target;
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static INDArray vector(float[] values, INDArray like) {
        return Nd4j.createFromArray(values).reshape(like.shape()).castTo(like.dataType());
    }
}
