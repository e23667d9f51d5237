package io.segstream.training.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Freshly initialised depthwise and separable (depthwise + pointwise) convolutions keep the scale of their input as He initialisation
 * promises (output variance ≈ 2 × input variance), whatever the channel count. With DL4J's default fan-in (channels ×
 * k²) the variance fell to ~2 / channels and the batch norm after it could not track it (see
 * {@link GraphBlocks#depthwiseInit}).
 */
class DepthwiseInitTest {

    @ParameterizedTest(name = "depthwise 3x3 over {0} channels")
    @ValueSource(ints = {32, 384})
    void depthwiseKeepsTheInputScale(int channels) {
        double v = outputVariance(channels, true);
        assertTrue(v > 1.0 && v < 4.0, "depthwise output variance " + v + " for unit input, expected about 2");
    }

    @ParameterizedTest(name = "separable 3x3 over {0} channels")
    @ValueSource(ints = {32, 384})
    void separableKeepsTheInputScale(int channels) {
        double v = outputVariance(channels, false);
        assertTrue(v > 1.0 && v < 4.0, "separable output variance " + v + " for unit input, expected about 2");
    }

    /** Variance of the pre-BN output of one block for a standard-normal input. */
    private static double outputVariance(int channels, boolean depthwise) {
        int h = 24;
        int w = 24;
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(7)
                .weightInit(WeightInit.RELU).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(h, w, channels));
        GraphBlocks g = new GraphBlocks(gb, "in", new FeatureShape(channels, h, w));
        String out;
        if (depthwise) {
            g.depthwiseBnAct("b", "in", 3, 1, 1, Activation.IDENTITY);
            out = "b_dw";
        } else {
            g.separableBnAct("b", "in", channels, 3, 1, Activation.IDENTITY);
            out = "b_sep";
        }
        // the block's batch norm is an output too, so the graph is complete; the test reads the convolution
        gb.setOutputs(out, "b_bn");
        ComputationGraph graph = new ComputationGraph(gb.build());
        graph.init();
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, channels, h, w);
        INDArray y = graph.output(x)[0];
        // border pixels see zero padding; the interior is what the formula describes
        INDArray interior = y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, h - 1),
                NDArrayIndex.interval(1, w - 1));
        return interior.dup().varNumber().doubleValue();
    }
}
