package io.segstream.training.graph;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution with dilation &gt; 1 that DL4J computes itself (im2col and gemm). DL4J's oneDNN helper cannot run a
 * dilated convolution ("could not create a descriptor for a dilated convolution forward propagation primitive"):
 * the stock layer tries it, logs the failure with a stack trace and falls back to the same built-in path, so this
 * layer goes there directly. Parameters, initialisation and output are those of {@link ConvolutionLayer}; checkpoints
 * name this class, the ONNX export treats it as a convolution.
 */
public class DilatedConvolution2D extends ConvolutionLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation of saved configurations. */
    public DilatedConvolution2D() {
        super();
    }

    private DilatedConvolution2D(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    /** The layer a configured {@link ConvolutionLayer.Builder} describes. */
    public static DilatedConvolution2D of(ConvolutionLayer.Builder builder) {
        return new DilatedConvolution2D(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
            int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("DilatedConvolution2D", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerConfigs.wire(new BuiltInConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    /** The runtime layer: DL4J's convolution without a platform helper. */
    static final class BuiltInConvolutionLayer extends org.deeplearning4j.nn.layers.convolution.ConvolutionLayer {
        BuiltInConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
            helper = null;
        }
    }
}
