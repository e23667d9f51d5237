package io.segstream.training.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Focal loss (Lin et al. 2017): the mean over labelled pixels of {@code -w[y] (1 - p)^gamma log p}, p the probability
 * of the true class; gamma 0 is cross-entropy. The gradient with respect to logit j is
 * {@code w[y] g (p_j - [j = y])} with {@code g = (1 - p)^gamma - gamma (1 - p)^(gamma - 1) p log p}.
 */
public final class FocalLoss extends PixelLoss {
    private static final long serialVersionUID = 1L;
    private static final double TINY = 1e-12;

    @JsonProperty("gamma")
    private final double gamma;

    @JsonCreator
    public FocalLoss(@JsonProperty("gamma") double gamma, @JsonProperty("classWeights") double[] classWeights) {
        super(classWeights);
        if (!(gamma >= 0 && gamma <= 10)) {
            throw new IllegalArgumentException("focal loss gamma must be in [0, 10], got " + gamma);
        }
        this.gamma = gamma;
    }

    public double getGamma() {
        return gamma;
    }

    @Override
    protected Pair<Double, INDArray> objective(PixelBatch b, boolean needGradient) {
        INDArray logPt = b.labels().mul(b.logProbs()).sum(true, 1);
        INDArray pt = Transforms.exp(logPt, true);
        INDArray oneMinus = pt.rsub(1.0);
        Transforms.max(oneMinus, TINY, false);
        INDArray modulator = Transforms.pow(oneMinus, gamma, true);
        INDArray rowWeights = b.pixelWeights().mul(b.classWeightOfTruth());
        double total = modulator.mul(logPt).negi().muli(rowWeights).sumNumber().doubleValue();
        INDArray grad = null;
        if (needGradient) {
            INDArray g = modulator.sub(Transforms.pow(oneMinus, gamma - 1, true).muli(pt).muli(logPt).muli(gamma));
            grad = b.toLogitsType(b.crossEntropyGradient().muliColumnVector(g.muli(rowWeights)));
        }
        return new Pair<>(total, grad);
    }

    @Override
    protected INDArray objectivePerPixel(PixelBatch b) {
        INDArray logPt = b.labels().mul(b.logProbs()).sum(true, 1);
        INDArray oneMinus = Transforms.exp(logPt, true).rsubi(1.0);
        Transforms.max(oneMinus, TINY, false);
        return b.toLogitsType(Transforms.pow(oneMinus, gamma, false).muli(logPt).negi()
                .muli(b.pixelWeights()).muli(b.classWeightOfTruth()));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((FocalLoss) o).gamma == gamma;
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + Double.hashCode(gamma);
    }

    @Override
    public String name() {
        return "focal(gamma=" + gamma + ")";
    }
}
