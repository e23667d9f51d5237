package io.segstream.training.graph;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A depthwise convolution with dilation &gt; 1. libnd4j's oneDNN build hands every depthwise convolution to oneDNN,
 * whose depthwise primitive refuses dilation ("could not create a descriptor for a dilated convolution"); this layer
 * runs the same op with the platform helpers switched off for its own forward and backward pass, so libnd4j's generic
 * kernel computes it while every other layer keeps oneDNN. Parameters, initialisation and output are those of
 * {@link DepthwiseConvolution2D}; checkpoints name this class, the ONNX export treats it as a depthwise convolution.
 */
public class DilatedDepthwiseConvolution2D extends DepthwiseConvolution2D {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation of saved configurations. */
    public DilatedDepthwiseConvolution2D() {
        super();
    }

    private DilatedDepthwiseConvolution2D(DepthwiseConvolution2D.Builder builder) {
        super(builder);
    }

    /** The layer a configured {@link DepthwiseConvolution2D.Builder} describes. */
    public static DilatedDepthwiseConvolution2D of(DepthwiseConvolution2D.Builder builder) {
        return new DilatedDepthwiseConvolution2D(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("DilatedDepthwiseConvolution2D", getLayerName(), layerIndex, getNIn(),
                getNOut());
        return LayerConfigs.wire(new GenericKernelDepthwiseLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }
}
