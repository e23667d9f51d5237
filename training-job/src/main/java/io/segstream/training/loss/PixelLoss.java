package io.segstream.training.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
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
     * One batch of pixels, prepared once: probabilities, log-probabilities, the per-pixel weight {@code m_i} (zero on
     * ignored pixels) and the true-class weight.
     */
    protected record PixelBatch(INDArray labels, INDArray logits, INDArray probs, INDArray logProbs,
            INDArray pixelWeights, INDArray classWeightOfTruth, double batchSize, long labelledPixels,
            DataType dataType) {

        static PixelBatch of(INDArray labels, INDArray logits, IActivation activationFn, INDArray mask,
                double[] classWeights) {
            if (!(activationFn instanceof ActivationIdentity)) {
                throw new IllegalArgumentException("segmentation losses take logits: configure the loss layer with"
                        + " the identity activation, not " + activationFn);
            }
            if (!Arrays.equals(labels.shape(), logits.shape())) {
                throw new IllegalArgumentException("labels " + Arrays.toString(labels.shape())
                        + " and logits " + Arrays.toString(logits.shape()) + " differ in shape");
            }
            long classes = logits.size(1);
            if (classWeights != null && classWeights.length != classes) {
                throw new IllegalArgumentException(classWeights.length + " class weights for " + classes + " classes");
            }
            // float logits are worked on in float, as the network computes them (max-shifted, so exp cannot
            // overflow); double logits (gradient checks) stay double
            DataType type = logits.dataType() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
            INDArray z = logits.castTo(type);
            INDArray y = labels.castTo(type);
            INDArray shifted = z.subColumnVector(z.max(true, 1));
            INDArray exp = Transforms.exp(shifted, true);
            INDArray sum = exp.sum(true, 1);
            INDArray probs = exp.divColumnVector(sum);
            INDArray logProbs = shifted.subColumnVector(Transforms.log(sum, true));
            INDArray labelled = y.sum(true, 1);
            INDArray m = mask == null ? labelled.dup()
                    : mask.castTo(type).reshape(labelled.shape()).mul(labelled);
            INDArray wTruth = classWeights == null ? labelled.dup()
                    : y.mmul(Nd4j.createFromArray(classWeights).castTo(type).reshape(classes, 1));
            long labelledPixels = m.gt(0).castTo(DataType.INT).sumNumber().longValue();
            double n = m.sumNumber().doubleValue();
            return new PixelBatch(y, z, probs, logProbs, m, wTruth, n, labelledPixels, logits.dataType());
        }

        /** Per-pixel cross-entropy {@code -log p(true class)}, zero on ignored pixels; a column. */
        INDArray crossEntropy() {
            return labels.mul(logProbs).sum(true, 1).negi();
        }

        /** Gradient of the per-pixel cross-entropy with respect to the logits: {@code p - y}. */
        INDArray crossEntropyGradient() {
            return probs.sub(labels);
        }

        /** Casts a gradient back to the logits' data type. */
        INDArray toLogitsType(INDArray gradient) {
            return gradient.castTo(dataType);
        }

        /** 1 on labelled pixels with a positive weight, 0 elsewhere; a column. */
        INDArray labelledIndicator() {
            return pixelWeights.gt(0).castTo(pixelWeights.dataType());
        }
    }
}
