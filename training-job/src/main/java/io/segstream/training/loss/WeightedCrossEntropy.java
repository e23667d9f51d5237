package io.segstream.training.loss;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Softmax cross-entropy with optional class weights and ignore label 255: the mean over labelled pixels of
 * {@code -w[y] log p(y)}.
 */
public final class WeightedCrossEntropy extends PixelLoss {
    private static final long serialVersionUID = 1L;

    /** @param classWeights weight per class, or null for 1 everywhere */
    @JsonCreator
    public WeightedCrossEntropy(@JsonProperty("classWeights") double[] classWeights) {
        super(classWeights);
    }

    @Override
    protected Pair<Double, INDArray> objective(PixelBatch b, boolean needGradient) {
        INDArray rowWeights = b.pixelWeights().mul(b.classWeightOfTruth());
        double total = b.crossEntropy().muli(rowWeights).sumNumber().doubleValue();
        INDArray grad = needGradient ? b.toLogitsType(b.crossEntropyGradient().muliColumnVector(rowWeights)) : null;
        return new Pair<>(total, grad);
    }

    @Override
    protected INDArray objectivePerPixel(PixelBatch b) {
        return b.toLogitsType(b.crossEntropy().muli(b.pixelWeights()).muli(b.classWeightOfTruth()));
    }

    @Override
    public String name() {
        return "cross-entropy";
    }
}
