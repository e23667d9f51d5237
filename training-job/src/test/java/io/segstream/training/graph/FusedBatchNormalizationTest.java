package io.segstream.training.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The fused batch norm is DL4J's batch norm followed by its activation layer: same outputs in training and inference
 * mode, same gradients (gamma, beta, the running statistics' update and the input's), same weights after training
 * steps, with DL4J's oneDNN helpers on for the reference.
 */
class FusedBatchNormalizationTest {
    private static final int H = 10;
    private static final int W = 12;

    enum Act {
        IDENTITY(Activation.IDENTITY), RELU(Activation.RELU), RELU6(Activation.RELU6);

        final Activation fn;

        Act(Activation fn) {
            this.fn = fn;
        }
    }

    @ParameterizedTest
    @EnumSource(Act.class)
    void matchesDl4jsBatchNormAndActivationForwardBackwardAndOverTrainingSteps(Act act) {
        LayerHelpers.enable();
        ComputationGraph reference = new ComputationGraph(graph(false, act.fn));
        reference.init();
        ComputationGraph fused = new ComputationGraph(ComputationGraphConfiguration.fromJson(graph(true, act.fn)
                .toJson()));
        fused.init(reference.params().dup(), true);
        assertInstanceOf(FusedBatchNormLayer.class, fused.getLayer("bn"));

        Nd4j.getRandom().setSeed(11);
        // scaled and shifted so that ReLU6 clips on both sides
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 5, H, W).muli(4).addi(1);
        INDArray y = Nd4j.rand(DataType.FLOAT, 3, 4, H, W);
        y.divi(y.sum(true, 1));

        for (int step = 0; step < 4; step++) {
            Map<String, INDArray> a = reference.feedForward(x, true);
            Map<String, INDArray> b = fused.feedForward(x, true);
            String activated = act == Act.IDENTITY ? "bn" : "act";
            assertClose(a.get(activated), b.get("bn"), 1e-4, "training-mode output, step " + step);

            reference.setInputs(x);
            reference.setLabels(y);
            reference.computeGradientAndScore();
            fused.setInputs(x);
            fused.setLabels(y);
            fused.computeGradientAndScore();
            assertEquals(reference.score(), fused.score(), 1e-6 * reference.score(), "loss, step " + step);
            Map<String, INDArray> ga = reference.gradient().gradientForVariable();
            Map<String, INDArray> gb = fused.gradient().gradientForVariable();
            for (String key : ga.keySet()) {
                assertClose(ga.get(key), gb.get(key), 2e-4, "gradient " + key + ", step " + step);
            }
            reference.fit(new INDArray[] {x}, new INDArray[] {y});
            fused.fit(new INDArray[] {x}, new INDArray[] {y});
            assertClose(reference.params(), fused.params(), 1e-4, "weights and running statistics after step "
                    + step);
        }
        // the running statistics moved away from their start, and inference uses them
        assertTrue(fused.getLayer("bn").getParam("mean").amaxNumber().doubleValue() > 0.05);
        assertClose(reference.outputSingle(x), fused.outputSingle(x), 1e-4, "inference output");
        INDArray reffeat = reference.feedForward(x, false).get(act == Act.IDENTITY ? "bn" : "act");
        assertClose(reffeat, fused.feedForward(x, false).get("bn"), 1e-4, "inference features");
    }

    @Test
    void refusesWhatItDoesNotComputeWithAPlainMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FusedBatchNormalization.of(
                new BatchNormalization.Builder().nOut(4).activation(Activation.TANH)));
        assertTrue(e.getMessage().contains("identity, ReLU and ReLU6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedBatchNormalization.of(
                new BatchNormalization.Builder().nOut(4).lockGammaBeta(true).activation(Activation.RELU)));
        assertTrue(e.getMessage().contains("locked gamma and beta"), e.getMessage());
    }

    private static ComputationGraphConfiguration graph(boolean fusedLayer, Activation act) {
        var g = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.05)).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, 5))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "in");
        BatchNormalization.Builder bn = new BatchNormalization.Builder().nOut(6);
        String last;
        if (fusedLayer) {
            g.addLayer("bn", FusedBatchNormalization.of(bn.activation(act)), "conv");
            last = "bn";
        } else {
            g.addLayer("bn", bn.activation(Activation.IDENTITY).build(), "conv");
            last = "bn";
            if (act != Activation.IDENTITY) {
                g.addLayer("act", new ActivationLayer.Builder().activation(act).build(), "bn");
                last = "act";
            }
        }
        return g.addLayer("logits", new ConvolutionLayer.Builder(1, 1).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), last)
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("out").build();
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (largest value " + scale + ")");
    }
}
