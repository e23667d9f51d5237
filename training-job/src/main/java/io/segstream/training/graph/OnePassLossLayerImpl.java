package io.segstream.training.graph;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.CnnLossLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime layer of {@link OnePassLossLayer}: its backward pass keeps the score of the logits, labels and mask it
 * ran on, and a score request for those same arrays (the one DL4J makes right after it, in the same step) is answered
 * from it, as the stock layer would compute it: loss / minibatch size + the regularisation term. Any other request
 * (new input, labels or mask, scoring without a backward pass) is computed by the stock layer.
 */
final class OnePassLossLayerImpl extends CnnLossLayer {
    private INDArray scoredInput;
    private INDArray scoredLabels;
    private INDArray scoredMask;
    private double lossSum;

    OnePassLossLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        forget();
        assertInputSet(true);
        if (input.rank() != 4 || labels == null || !input.equalShapes(labels)) {
            return super.backpropGradient(epsilon, workspaceMgr); // its errors name what is wrong
        }
        CNN2DFormat format = layerConf().getFormat();
        INDArray input2d = ConvolutionUtils.reshape4dTo2d(input, format, workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray labels2d = ConvolutionUtils.reshape4dTo2d(labels, format, workspaceMgr, ArrayType.FF_WORKING_MEM);
        INDArray mask2d = ConvolutionUtils.reshapeMaskIfRequired(maskArray, input, format, workspaceMgr,
                ArrayType.FF_WORKING_MEM);
        Pair<Double, INDArray> scored = layerConf().getLossFn().computeGradientAndScore(labels2d,
                input2d.dup(input2d.ordering()), layerConf().getActivationFn(), mask2d, false);
        INDArray delta2d = workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, scored.getSecond());
        INDArray delta4d = ConvolutionUtils.reshape2dTo4d(delta2d, input.shape(), format, workspaceMgr,
                ArrayType.ACTIVATION_GRAD);
        scoredInput = input;
        scoredLabels = labels;
        scoredMask = maskArray;
        lossSum = scored.getFirst();
        return new Pair<>(new DefaultGradient(), delta4d);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (scoredInput == null || input != scoredInput || labels != scoredLabels || maskArray != scoredMask) {
            forget();
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        score = lossSum / getInputMiniBatchSize() + fullNetRegTerm;
        forget();
        return score;
    }

    private void forget() {
        scoredInput = null;
        scoredLabels = null;
        scoredMask = null;
    }
}
