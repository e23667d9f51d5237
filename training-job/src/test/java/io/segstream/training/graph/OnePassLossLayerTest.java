package io.segstream.training.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.training.loss.WeightedCrossEntropy;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The one-pass loss layer gives DL4J's scores and gradients with one loss evaluation per training step, and computes
 * afresh when asked to score without a backward pass.
 */
class OnePassLossLayerTest {
    private static final AtomicInteger EVALUATIONS = new AtomicInteger();

    @Test
    void scoresAndGradientsAreTheStockLayersWithOneLossEvaluationAStep() {
        ComputationGraph stock = new ComputationGraph(graph(false));
        stock.init();
        ComputationGraph onePass = new ComputationGraph(ComputationGraphConfiguration.fromJson(graph(true).toJson()));
        onePass.init(stock.params().dup(), true);
        assertInstanceOf(OnePassLossLayerImpl.class, onePass.getLayer("out"));

        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 8, 10);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 4, 8, 10);
        java.util.Random random = new java.util.Random(5);
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 10; w++) {
                    y.putScalar(new long[] {n, random.nextInt(4), h, w}, 1f);
                }
            }
        }
        for (int step = 0; step < 3; step++) {
            stock.setInputs(x);
            stock.setLabels(y);
            stock.computeGradientAndScore();
            onePass.setInputs(x);
            onePass.setLabels(y);
            EVALUATIONS.set(0);
            onePass.computeGradientAndScore();
            assertEquals(1, EVALUATIONS.get(), "loss evaluations in one gradient-and-score step");
            assertEquals(stock.score(), onePass.score(), 1e-6 * stock.score(), "score, step " + step);
            Map<String, INDArray> a = stock.gradient().gradientForVariable();
            Map<String, INDArray> b = onePass.gradient().gradientForVariable();
            for (String key : a.keySet()) {
                assertEquals(0.0, a.get(key).sub(b.get(key)).amaxNumber().doubleValue(), 1e-6, key);
            }
            stock.fit(new INDArray[] {x}, new INDArray[] {y});
            onePass.fit(new INDArray[] {x}, new INDArray[] {y});
            assertEquals(0.0, stock.params().sub(onePass.params()).amaxNumber().doubleValue(), 1e-6);
        }
        // a score without a backward pass is computed, not taken from the last step
        EVALUATIONS.set(0);
        double fresh = onePass.score(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}), false);
        assertTrue(EVALUATIONS.get() >= 1, "the stand-alone score evaluated the loss");
        assertEquals(stock.score(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}), false), fresh, 1e-6 * fresh);
    }

    private static ComputationGraphConfiguration graph(boolean onePass) {
        CnnLossLayer.Builder loss = new CnnLossLayer.Builder(new CountingLoss()).activation(Activation.IDENTITY);
        return new NeuralNetConfiguration.Builder().seed(2).updater(new Adam(0.01)).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 10, 3))
                .addLayer("logits", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("out", onePass ? OnePassLossLayer.of(loss) : loss.build(), "logits")
                .setOutputs("out").build();
    }

    /** Cross-entropy that counts its evaluations. */
    public static final class CountingLoss implements ILossFunction {
        private static final long serialVersionUID = 1L;
        private final WeightedCrossEntropy loss = new WeightedCrossEntropy(null);

        @Override
        public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                boolean average) {
            EVALUATIONS.incrementAndGet();
            return loss.computeScore(labels, preOutput, activationFn, mask, average);
        }

        @Override
        public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn,
                INDArray mask) {
            EVALUATIONS.incrementAndGet();
            return loss.computeScoreArray(labels, preOutput, activationFn, mask);
        }

        @Override
        public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn,
                INDArray mask) {
            EVALUATIONS.incrementAndGet();
            return loss.computeGradient(labels, preOutput, activationFn, mask);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                IActivation activationFn, INDArray mask, boolean average) {
            EVALUATIONS.incrementAndGet();
            return loss.computeGradientAndScore(labels, preOutput, activationFn, mask, average);
        }

        @Override
        public String name() {
            return "counting cross-entropy";
        }
    }
}
