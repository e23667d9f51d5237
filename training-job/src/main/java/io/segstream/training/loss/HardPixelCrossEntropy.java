package io.segstream.training.loss;

import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Online hard-pixel mining (DeepLab's {@code top_k_percent_pixels}): the mean of the weighted cross-entropy over the
 * k hardest labelled pixels of the batch only. k is the fraction {@code ratio × topK + (1 - ratio)} of the labelled
 * pixels, with {@code ratio = min(1, step / miningSteps)}: training starts on all pixels and narrows to the top-k
 * fraction over {@code miningSteps} steps (with 0 steps it uses top-k from the start).
 */
public final class HardPixelCrossEntropy extends PixelLoss {
    private static final long serialVersionUID = 1L;

    @JsonProperty("topK")
    private final double topK;
    @JsonProperty("miningSteps")
    private final long miningSteps;
    @JsonIgnore
    private long step;

    @JsonCreator
    public HardPixelCrossEntropy(@JsonProperty("topK") double topK, @JsonProperty("miningSteps") long miningSteps,
            @JsonProperty("classWeights") double[] classWeights) {
        super(classWeights);
        if (!(topK > 0 && topK <= 1)) {
            throw new IllegalArgumentException("hard-pixel fraction must be in (0, 1], got " + topK);
        }
        if (miningSteps < 0) {
            throw new IllegalArgumentException("hard-pixel mining steps must be >= 0, got " + miningSteps);
        }
        this.topK = topK;
        this.miningSteps = miningSteps;
    }

    public double getTopK() {
        return topK;
    }

    public long getMiningSteps() {
        return miningSteps;
    }

    @Override
    @JsonIgnore
    public void setStep(long step) {
        this.step = step;
    }

    /** Fraction of labelled pixels kept at {@code atStep}. */
    public double fractionAt(long atStep) {
        if (miningSteps == 0) {
            return topK;
        }
        double ratio = Math.min(1.0, (double) atStep / miningSteps);
        return ratio * topK + (1.0 - ratio);
    }

    /** 0/1 column selecting the k hardest labelled pixels (ties broken by pixel order). */
    private INDArray hardest(INDArray losses, INDArray labelled, long k) {
        double[] l = losses.castTo(DataType.DOUBLE).data().asDouble();
        double[] v = labelled.castTo(DataType.DOUBLE).data().asDouble();
        double[] candidates = new double[l.length];
        int count = 0;
        for (int i = 0; i < l.length; i++) {
            if (v[i] > 0) {
                candidates[count++] = l[i];
            }
        }
        double[] sorted = Arrays.copyOf(candidates, count);
        Arrays.sort(sorted);
        double threshold = sorted[count - (int) k];
        long above = 0;
        for (int i = 0; i < count; i++) {
            if (sorted[i] > threshold) {
                above++;
            }
        }
        long tiesToTake = k - above;
        double[] select = new double[l.length];
        for (int i = 0; i < l.length; i++) {
            if (v[i] <= 0) {
                continue;
            }
            if (l[i] > threshold) {
                select[i] = 1;
            } else if (l[i] == threshold && tiesToTake > 0) {
                select[i] = 1;
                tiesToTake--;
            }
        }
        return Nd4j.createFromArray(select).castTo(losses.dataType()).reshape(l.length, 1);
    }

    @Override
    protected Pair<Double, INDArray> objective(PixelBatch b, boolean needGradient) {
        long labelled = b.labelledPixels();
        if (labelled == 0) {
            return new Pair<>(0.0, needGradient ? b.toLogitsType(b.probs().mul(0)) : null);
        }
        long k = Math.max(1, (long) Math.ceil(fractionAt(step) * labelled - 1e-9));
        INDArray losses = b.crossEntropy().muli(b.classWeightOfTruth());
        INDArray selected = hardest(losses, b.labelledIndicator(), k);
        double scale = b.batchSize() / k;
        double total = losses.mul(selected).sumNumber().doubleValue() * scale;
        INDArray grad = null;
        if (needGradient) {
            INDArray rowWeights = selected.muli(b.classWeightOfTruth()).muli(scale);
            grad = b.toLogitsType(b.crossEntropyGradient().muliColumnVector(rowWeights));
        }
        return new Pair<>(total, grad);
    }

    @Override
    protected INDArray objectivePerPixel(PixelBatch b) {
        long labelled = b.labelledPixels();
        if (labelled == 0) {
            return b.toLogitsType(b.pixelWeights().mul(0));
        }
        long k = Math.max(1, (long) Math.ceil(fractionAt(step) * labelled - 1e-9));
        INDArray losses = b.crossEntropy().muli(b.classWeightOfTruth());
        return b.toLogitsType(losses.muli(hardest(losses, b.labelledIndicator(), k)).muli(b.batchSize() / k));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((HardPixelCrossEntropy) o).topK == topK
                && ((HardPixelCrossEntropy) o).miningSteps == miningSteps;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + Double.hashCode(topK)) * 31 + Long.hashCode(miningSteps);
    }

    @Override
    public String name() {
        return "hard-pixel-ce(top " + topK + " over " + miningSteps + " steps)";
    }
}
