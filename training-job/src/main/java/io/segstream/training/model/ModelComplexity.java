package io.segstream.training.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

/**
 * Parameter count and compute of a graph configuration, worked out from its layer shapes without allocating it.
 *
 * <p>FLOPs count 2 per multiply-accumulate of convolutions (standard, depthwise, separable, transposed); batch
 * normalisation, activations, pooling, resizing and element-wise vertices are not counted (they are folded or
 * negligible, as in the papers' figures).
 *
 * @param params trainable and BN-statistics parameters
 * @param flops  floating-point operations of one forward pass of one image
 */
public record ModelComplexity(long params, double flops) {

    /** Parameters and FLOPs of {@code conf} for one image, training-only auxiliary heads left out. */
    public static ModelComplexity of(ComputationGraphConfiguration conf, int height, int width) {
        Map<String, InputType> outTypes = conf.getLayerActivationTypes(InputType.convolutional(height, width, 3));
        Map<String, List<String>> inputsOf = conf.getVertexInputs();
        Set<String> inference = ModelBuilder.inferenceVertices(conf);
        long params = 0;
        double flops = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv) || !inference.contains(e.getKey())) {
                continue;
            }
            NeuralNetConfiguration nnc = lv.getLayerConf();
            Layer layer = nnc.getLayer();
            params += layer.initializer().numParams(nnc);
            if (layer instanceof ConvolutionLayer conv) {
                InputType in = inputType(conf, inputsOf.get(e.getKey()).get(0), outTypes, height, width);
                flops += convolutionFlops(conv, (InputType.InputTypeConvolutional) in,
                        (InputType.InputTypeConvolutional) outTypes.get(e.getKey()));
            }
        }
        return new ModelComplexity(params, flops);
    }

    private static InputType inputType(ComputationGraphConfiguration conf, String vertex,
            Map<String, InputType> outTypes, int height, int width) {
        if (conf.getNetworkInputs().contains(vertex)) {
            return InputType.convolutional(height, width, 3);
        }
        return outTypes.get(vertex);
    }

    private static double convolutionFlops(ConvolutionLayer conv, InputType.InputTypeConvolutional in,
            InputType.InputTypeConvolutional out) {
        int[] k = conv.getKernelSize();
        double kernel = (double) k[0] * k[1];
        double outPixels = (double) out.getHeight() * out.getWidth();
        double cin = in.getChannels();
        double cout = out.getChannels();
        if (conv instanceof DepthwiseConvolution2D dw) {
            return 2 * kernel * cin * dw.getDepthMultiplier() * outPixels;
        }
        if (conv instanceof SeparableConvolution2D sep) {
            double mid = cin * sep.getDepthMultiplier();
            return 2 * (kernel * mid + mid * cout) * outPixels;
        }
        if (conv instanceof Deconvolution2D) {
            return 2 * kernel * cin * cout * in.getHeight() * in.getWidth();
        }
        return 2 * kernel * cin * cout * outPixels;
    }
}
