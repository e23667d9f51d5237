package io.segstream.training.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

/**
 * Base of the per-pixel segmentation losses, used inside DL4J's {@code CnnLossLayer} on logits (identity activation;
 * the losses apply softmax themselves).
 *
 * <p>Conventions, shared by every subclass:
 * <ul>
 *   <li>{@code labels} are one-hot rows {@code [pixels, classes]}; a pixel with the ignore label (255) has an
 *       all-zero row and contributes nothing.</li>
 *   <li>{@code mask} is a column of per-pixel weights {@code m_i}. {@link io.segstream.training.data.BatchEncoder}
 *       sets {@code m_i = N / V} on the V labelled pixels of a batch of N images, so the weights sum to N. DL4J
 *       divides the loss and its gradient by N, so what it reports and optimises is a mean over labelled pixels.
 *       Losses that are not sums over pixels (Dice, top-k mining) read N back as the sum of the mask.</li>
 *   <li>{@code classWeights} multiply each pixel's loss by the weight of its true class (the mean still divides by
 *       the number of labelled pixels, as DeepLab's training does).</li>
 * </ul>
 */
public abstract class PixelLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    protected final double[] classWeights;

    protected PixelLoss(double[] classWeights) {
        if (classWeights != null) {
            for (double w : classWeights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("class weights must be finite and >= 0, got "
                            + Arrays.toString(classWeights));
                }
            }
        }
        this.classWeights = classWeights == null ? null : classWeights.clone();
    }

    /** Class weights (null: all 1). */
    public double[] getClassWeights() {
        return classWeights == null ? null : classWeights.clone();
    }

    /** Sets the global training step; losses with a schedule (hard-pixel mining) use it, the others ignore it. */
    @JsonIgnore
    public void setStep(long step) {
        // most losses do not depend on the step
    }

    /** The batch objective before DL4J's division by the batch size, and its gradient with respect to the logits. */
    protected abstract Pair<Double, INDArray> objective(PixelBatch batch, boolean needGradient);

    /** Per-pixel share of the objective (rows sum to the total), for DL4J's {@code scoreExamples}. */
    protected abstract INDArray objectivePerPixel(PixelBatch batch);

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        PixelBatch b = PixelBatch.of(labels, preOutput, activationFn, mask, classWeights);
        double score = objective(b, false).getFirst();
        return average ? score / labels.size(0) : score;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return objectivePerPixel(PixelBatch.of(labels, preOutput, activationFn, mask, classWeights));
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return objective(PixelBatch.of(labels, preOutput, activationFn, mask, classWeights), true).getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        Pair<Double, INDArray> p = objective(PixelBatch.of(labels, preOutput, activationFn, mask, classWeights), true);
        return new Pair<>(average ? p.getFirst() / labels.size(0) : p.getFirst(), p.getSecond());
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(((PixelLoss) o).classWeights, classWeights);
    }

    @Override
    public int hashCode() {
        return getClass().hashCode() * 31 + Arrays.hashCode(classWeights);
    }

    @Override
    public String toString() {
        return name();
    }

    /**
     * One batch of pixels, prepared once in a single pass over the rows: probabilities, log-probabilities, the
     * per-pixel cross-entropy, the per-pixel weight {@code m_i} (zero on ignored pixels) and the true-class weight.
     *
     * <p>Computed in plain Java over the rows rather than as ND4J operations: the arrays are [pixels, classes] with
     * 19 or 20 columns, and libnd4j's row reductions and column broadcasts over such tall, narrow arrays (a dozen of
     * them, each allocating its result) took three times a Fast-SCNN forward pass per batch. The [pixels, classes]
     * arrays other losses read ({@link #probs()}, {@link #logProbs()}, {@link #labels()}) are made on first use.
     */
    protected static final class PixelBatch {
        private final long rows;
        private final int classes;
        private final double[] y;
        private final double[] probs;
        private final double[] logProbs;
        private final double[] crossEntropy;
        private final double[] weights;
        private final double[] truthWeights;
        private final double batchSize;
        private final long labelledPixels;
        private final DataType dataType;
        private INDArray labelsArray;
        private INDArray probsArray;
        private INDArray logProbsArray;

        private PixelBatch(long rows, int classes, double[] y, double[] probs, double[] logProbs,
                double[] crossEntropy, double[] weights, double[] truthWeights, double batchSize, long labelledPixels,
                DataType dataType) {
            this.rows = rows;
            this.classes = classes;
            this.y = y;
            this.probs = probs;
            this.logProbs = logProbs;
            this.crossEntropy = crossEntropy;
            this.weights = weights;
            this.truthWeights = truthWeights;
            this.batchSize = batchSize;
            this.labelledPixels = labelledPixels;
            this.dataType = dataType;
        }

        static PixelBatch of(INDArray labels, INDArray logits, IActivation activationFn, INDArray mask,
                double[] classWeights) {
            if (!(activationFn instanceof ActivationIdentity)) {
                throw new IllegalArgumentException("segmentation losses take logits: configure the loss layer with"
                        + " the identity activation, not " + activationFn);
            }
            if (!Arrays.equals(labels.shape(), logits.shape()) || logits.rank() != 2) {
                throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape())
                        + " and logits " + Arrays.toString(logits.shape()) + " must be the same [pixels, classes]");
            }
            long rowCount = logits.size(0);
            int c = (int) logits.size(1);
            if (classWeights != null && classWeights.length != c) {
                throw new IllegalArgumentException(classWeights.length + " class weights for " + c + " classes");
            }
            if (mask != null && mask.length() != rowCount) {
                throw new IllegalArgumentException("a mask of " + mask.length() + " values for " + rowCount
                        + " pixels");
            }
            double[] z = values(logits);
            double[] y = values(labels);
            double[] m = mask == null ? null : values(mask);
            int n = (int) rowCount;
            double[] probs = new double[n * c];
            double[] logProbs = new double[n * c];
            double[] ce = new double[n];
            double[] w = new double[n];
            double[] wTruth = new double[n];
            long labelledPixels = 0;
            double weightSum = 0;
            for (int r = 0, base = 0; r < n; r++, base += c) {
                double max = z[base];
                for (int k = 1; k < c; k++) {
                    max = Math.max(max, z[base + k]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    double e = Math.exp(z[base + k] - max);
                    probs[base + k] = e;
                    sum += e;
                }
                double logSum = Math.log(sum);
                double labelled = 0;
                double truth = 0;
                double loss = 0;
                for (int k = 0; k < c; k++) {
                    int i = base + k;
                    probs[i] /= sum;
                    logProbs[i] = z[i] - max - logSum;
                    double yk = y[i];
                    if (yk != 0) {
                        labelled += yk;
                        truth += classWeights == null ? yk : yk * classWeights[k];
                        loss -= yk * logProbs[i];
                    }
                }
                ce[r] = loss;
                w[r] = m == null ? labelled : m[r] * labelled;
                wTruth[r] = truth;
                if (w[r] > 0) {
                    labelledPixels++;
                }
                weightSum += w[r];
            }
            return new PixelBatch(rowCount, c, y, probs, logProbs, ce, w, wTruth, weightSum, labelledPixels,
                    logits.dataType());
        }

        /** The values of a 2-d array (or a column) in row-major order, as doubles. */
        private static double[] values(INDArray a) {
            return a.dup('c').data().asDouble();
        }

        private INDArray column(double[] v) {
            return Nd4j.createFromArray(v.clone()).reshape('c', rows, 1);
        }

        private INDArray matrix(double[] v) {
            return Nd4j.createFromArray(v).reshape('c', rows, classes);
        }

        /** One-hot labels, all zero on ignored pixels; [pixels, classes], shared: do not write. */
        INDArray labels() {
            if (labelsArray == null) {
                labelsArray = matrix(y);
            }
            return labelsArray;
        }

        /** Softmax probabilities; [pixels, classes], shared: do not write. */
        INDArray probs() {
            if (probsArray == null) {
                probsArray = matrix(probs);
            }
            return probsArray;
        }

        /** Log-softmax; [pixels, classes], shared: do not write. */
        INDArray logProbs() {
            if (logProbsArray == null) {
                logProbsArray = matrix(logProbs);
            }
            return logProbsArray;
        }

        /** The per-pixel weight {@code m_i}, zero on ignored pixels; a fresh column. */
        INDArray pixelWeights() {
            return column(weights);
        }

        /** The weight of each pixel's true class (0 on ignored pixels); a fresh column. */
        INDArray classWeightOfTruth() {
            return column(truthWeights);
        }

        /** The sum of the pixel weights: the batch size N (see the class comment). */
        double batchSize() {
            return batchSize;
        }

        /** Pixels with a positive weight. */
        long labelledPixels() {
            return labelledPixels;
        }

        /** Per-pixel cross-entropy {@code -log p(true class)}, zero on ignored pixels; a fresh column. */
        INDArray crossEntropy() {
            return column(crossEntropy);
        }

        /** Gradient of the per-pixel cross-entropy with respect to the logits: {@code p - y}; a fresh array. */
        INDArray crossEntropyGradient() {
            double[] g = new double[probs.length];
            for (int i = 0; i < g.length; i++) {
                g[i] = probs[i] - y[i];
            }
            return matrix(g);
        }

        /**
         * {@code (p - y)} of each pixel times its row weight, in the logits' data type, in one pass: the gradient
         * of {@code sum_i rowWeight_i * CE_i} with respect to the logits.
         */
        INDArray weightedCrossEntropyGradient(INDArray rowWeights) {
            double[] rw = values(rowWeights);
            if (rw.length != rows) {
                throw new IllegalArgumentException(rw.length + " row weights for " + rows + " pixels");
            }
            if (dataType == DataType.FLOAT) {
                float[] g = new float[probs.length];
                for (int r = 0, base = 0; r < rows; r++, base += classes) {
                    double wr = rw[r];
                    for (int k = 0; k < classes; k++) {
                        g[base + k] = (float) ((probs[base + k] - y[base + k]) * wr);
                    }
                }
                return Nd4j.createFromArray(g).reshape('c', rows, classes);
            }
            double[] g = new double[probs.length];
            for (int r = 0, base = 0; r < rows; r++, base += classes) {
                double wr = rw[r];
                for (int k = 0; k < classes; k++) {
                    g[base + k] = (probs[base + k] - y[base + k]) * wr;
                }
            }
            return toLogitsType(matrix(g));
        }

        /** Casts a gradient (computed in double) back to the logits' data type. */
        INDArray toLogitsType(INDArray gradient) {
            return gradient.castTo(dataType);
        }

        /** 1 on labelled pixels with a positive weight, 0 elsewhere; a fresh column. */
        INDArray labelledIndicator() {
            double[] v = new double[weights.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = weights[i] > 0 ? 1 : 0;
            }
            return Nd4j.createFromArray(v).reshape('c', rows, 1);
        }
    }
}
