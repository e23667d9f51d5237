package io.segstream.training.graph;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's {@link CnnLossLayer} that computes its loss once per training step. DL4J asks the output layer for the
 * gradient, then for the score, and the stock layer permutes and copies the NCHW logits and labels to pixel rows and
 * runs the loss (softmax, logarithms, sums over 19 classes of every pixel) for each; at Fast-SCNN's 256×128 that was
 * a tenth of a step. {@link OnePassLossLayerImpl} takes score and gradient from one {@code computeGradientAndScore}
 * and answers the score request that follows from it. Same configuration, serialised under this class name; the
 * ONNX export treats it as a {@code CnnLossLayer}.
 */
public class OnePassLossLayer extends CnnLossLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation of saved configurations. */
    public OnePassLossLayer() {
        super();
    }

    private OnePassLossLayer(CnnLossLayer built) {
        super();
        LayerConfigs.copy(CnnLossLayer.class, built, this);
    }

    /** The layer a configured {@link CnnLossLayer.Builder} describes. */
    public static OnePassLossLayer of(CnnLossLayer.Builder builder) {
        return new OnePassLossLayer(builder.build());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerConfigs.wire(new OnePassLossLayerImpl(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }
}
