package io.segstream.training.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cross-entropy plus soft Dice loss (the seeds' U-Net objective, {@code CE + Dice}): the weighted cross-entropy mean
 * plus {@code diceWeight × (1 - mean_c (2 I_c + s) / (S_c + s))}, where over the labelled pixels of the batch
 * {@code I_c = Σ p_c y_c}, {@code S_c = Σ (p_c + y_c)} and s is the smoothing term (1).
 */
public final class CrossEntropyDice extends PixelLoss {
    private static final long serialVersionUID = 1L;

    @JsonProperty("diceWeight")
    private final double diceWeight;
    @JsonProperty("smooth")
    private final double smooth;

    @JsonCreator
    public CrossEntropyDice(@JsonProperty("diceWeight") double diceWeight, @JsonProperty("smooth") double smooth,
            @JsonProperty("classWeights") double[] classWeights) {
        super(classWeights);
        if (!(diceWeight >= 0) || !(smooth > 0)) {
            throw new IllegalArgumentException("Dice weight must be >= 0 and smoothing > 0, got " + diceWeight
                    + " and " + smooth);
        }
        this.diceWeight = diceWeight;
        this.smooth = smooth;
    }

    public double getDiceWeight() {
        return diceWeight;
    }

    public double getSmooth() {
        return smooth;
    }

    /** The Dice loss of the batch (without weight). */
    double diceLoss(PixelBatch b) {
        INDArray v = b.labelledIndicator();
        INDArray p = b.probs().mulColumnVector(v);
        INDArray y = b.labels().mulColumnVector(v);
        INDArray intersection = p.mul(y).sum(0);
        INDArray total = p.sum(0).addi(y.sum(0));
        INDArray dice = intersection.muli(2).addi(smooth).divi(total.addi(smooth));
        return 1.0 - dice.meanNumber().doubleValue();
    }

    @Override
    protected Pair<Double, INDArray> objective(PixelBatch b, boolean needGradient) {
        INDArray rowWeights = b.pixelWeights().mul(b.classWeightOfTruth());
        double ce = b.crossEntropy().muli(rowWeights).sumNumber().doubleValue();
        double n = b.batchSize();
        double total = ce + n * diceWeight * diceLoss(b);
        INDArray grad = null;
        if (needGradient) {
            INDArray ceGrad = b.crossEntropyGradient().muliColumnVector(rowWeights);
            INDArray v = b.labelledIndicator();
            INDArray p = b.probs().mulColumnVector(v);
            INDArray y = b.labels().mulColumnVector(v);
            INDArray i2 = p.mul(y).sum(true, 0).muli(2).addi(smooth);
            INDArray s = p.sum(true, 0).addi(y.sum(true, 0)).addi(smooth);
            long classes = b.probs().size(1);
            // dD/dp_ic = -(1/C) (2 y_ic S_c - (2 I_c + s)) / S_c^2 on labelled pixels
            INDArray dDdp = y.mul(2).mulRowVector(s).subRowVector(i2).diviRowVector(s.mul(s))
                    .muli(-1.0 / classes).muliColumnVector(v);
            // through the softmax: dD/dz_ij = p_ij (g_ij - sum_c g_ic p_ic)
            INDArray inner = dDdp.mul(b.probs()).sum(true, 1);
            INDArray diceGrad = dDdp.subColumnVector(inner).muli(b.probs());
            grad = b.toLogitsType(ceGrad.addi(diceGrad.muli(n * diceWeight)));
        }
        return new Pair<>(total, grad);
    }

    @Override
    protected INDArray objectivePerPixel(PixelBatch b) {
        INDArray ce = b.crossEntropy().muli(b.pixelWeights()).muli(b.classWeightOfTruth());
        return b.toLogitsType(ce.addi(b.pixelWeights().mul(diceWeight * diceLoss(b))));
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && ((CrossEntropyDice) o).diceWeight == diceWeight
                && ((CrossEntropyDice) o).smooth == smooth;
    }

    @Override
    public int hashCode() {
        return (super.hashCode() * 31 + Double.hashCode(diceWeight)) * 31 + Double.hashCode(smooth);
    }

    @Override
    public String name() {
        return "ce+dice";
    }
}
