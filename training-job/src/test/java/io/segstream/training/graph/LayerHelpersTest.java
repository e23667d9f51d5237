package io.segstream.training.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelSpec;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The training graphs run on libnd4j's oneDNN primitives: DL4J's layer helpers are on for convolution (DL4J 1.0.0-M2.1
 * leaves them off and, once on, looks for its oneDNN switch under a class name ND4J no longer has, see
 * {@code org.nd4j.nativeblas.Nd4jCpu}), batch norms are {@link FusedBatchNormalization} with their activation, dilated
 * depthwise convolutions, which oneDNN refuses, still train, and Fast-SCNN's fusion needs no dilation.
 */
class LayerHelpersTest {

    @Test
    void convolutionLayersUseTheirOneDnnHelpersAndBatchNormsAreFusedWithTheirActivation() {
        ComputationGraph graph = fastScnn();
        int bn = 0;
        int conv = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof BatchNormalization b) {
                assertInstanceOf(FusedBatchNormLayer.class, b, b.getConfig().getLayerName());
                bn++;
            } else if (layer instanceof org.deeplearning4j.nn.layers.ActivationLayer) {
                // only where no batch norm precedes the activation: Fast-SCNN's ReLU after the fusion's sum
                assertEquals("ffm_relu", layer.getConfig().getLayerName());
            } else if (layer.getClass() == ConvolutionLayer.class) {
                assertNotNull(((ConvolutionLayer) layer).getHelper(),
                        "convolution " + layer.getConfig().getLayerName() + " has no helper");
                conv++;
            }
        }
        assertTrue(bn > 10 && conv > 5, bn + " batch norms, " + conv + " convolutions checked");
    }

    @Test
    void fastScnnsFusionDepthwiseRunsOnOneDnnBeforeTheUpsamplingAndTrainsAStep() {
        ComputationGraph graph = fastScnn();
        Layer dw = graph.getLayer("ffm_low_dw_dw");
        assertEquals(DepthwiseConvolution2DLayer.class, dw.getClass(), "a plain depthwise layer, not the generic kernel");
        assertArrayEquals(new int[] {1, 1}, ((DepthwiseConvolution2D) dw.conf().getLayer()).getDilation());
        assertEquals(List.of("ffm_low_dw_dw"), List.of(graph.getConfiguration().getVertexInputs().get("ffm_up").get(0)),
                "the upsampling reads the depthwise convolution");
        Nd4j.getRandom().setSeed(3);
        INDArray image = Nd4j.rand(DataType.FLOAT, 2, 3, 128, 256);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 19, 128, 256);
        labels.get(NDArrayIndex.all(), NDArrayIndex.point(4)).assign(1);
        MultiDataSet batch = new MultiDataSet(new INDArray[] {image}, new INDArray[] {labels});
        double before = graph.score(batch, true);
        for (int i = 0; i < 5; i++) {
            graph.fit(new INDArray[] {image}, new INDArray[] {labels});
        }
        double after = graph.score(batch, true);
        assertTrue(Double.isFinite(after) && after < before, "loss " + before + " -> " + after
                + " after 5 steps on one batch");
    }

    /**
     * Fast-SCNN's fusion as the paper draws it (upsample x4, then a 3x3 depthwise at dilation 4) and as it is built
     * (3x3 depthwise, then upsample x4) give the same features away from the border, with the same weights.
     */
    @Test
    void aDepthwiseBeforeTheUpsamplingIsTheDilatedOneAfterItAwayFromTheBorder() {
        int h = 8;
        int w = 12;
        ComputationGraph paper = new ComputationGraph(fusionGraph(true, h, w));
        paper.init();
        ComputationGraph built = new ComputationGraph(fusionGraph(false, h, w));
        built.init(paper.params().dup(), true);
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8, h, w);
        INDArray a = paper.outputSingle(x);
        INDArray b = built.outputSingle(x);
        assertArrayEquals(a.shape(), b.shape());
        // a dilated tap reaches 4 upsampled pixels, one source pixel; interpolation another half: 6 pixels of margin
        int m = 6;
        double diff = a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(m, 4 * h - m),
                NDArrayIndex.interval(m, 4 * w - m)).sub(b.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(m, 4 * h - m), NDArrayIndex.interval(m, 4 * w - m))).amaxNumber().doubleValue();
        assertEquals(0.0, diff, 1e-4, "inside the margin");
        double border = a.sub(b).amaxNumber().doubleValue();
        assertTrue(border > 1e-3, "the border differs (zero padding at another place): " + border);
    }

    private static ComputationGraphConfiguration fusionGraph(boolean paperOrder, int h, int w) {
        DepthwiseConvolution2D.Builder dw = new DepthwiseConvolution2D.Builder(3, 3).dilation(paperOrder ? 4 : 1,
                paperOrder ? 4 : 1).depthMultiplier(1).nOut(8).hasBias(false).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY);
        var g = new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(h, w, 8));
        if (paperOrder) {
            g.addVertex("up", new BilinearUpsampleVertex(4, 4), "in")
                    .addLayer("dw", DilatedDepthwiseConvolution2D.of(dw), "up")
                    .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                            .activation(Activation.IDENTITY).build(), "dw");
        } else {
            g.addLayer("dw", dw.build(), "in")
                    .addVertex("up", new BilinearUpsampleVertex(4, 4), "dw")
                    .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                            .activation(Activation.IDENTITY).build(), "up");
        }
        return g.setOutputs("out").build();
    }

    @Test
    void dilatedDepthwiseMatchesTheStockLayerAndSurvivesJson() {
        ComputationGraphConfiguration dilated = depthwiseGraph(true);
        ComputationGraphConfiguration stock = depthwiseGraph(false);
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(dilated.toJson());
        assertInstanceOf(DilatedDepthwiseConvolution2D.class,
                restored.getVertices().values().stream()
                        .filter(v -> v instanceof LayerVertex)
                        .map(v -> ((LayerVertex) v).getLayerConf().getLayer())
                        .filter(l -> l instanceof DepthwiseConvolution2D).findFirst().orElseThrow());

        ComputationGraph a = new ComputationGraph(restored);
        a.init();
        ComputationGraph b = new ComputationGraph(stock);
        b.init(a.params().dup(), true);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8, 20, 24);
        boolean allowed = Nd4j.getEnvironment().helpersAllowed();
        // the stock layer runs on the generic kernel here too, as it must on a build whose oneDNN refuses dilation
        Nd4j.getEnvironment().allowHelpers(false);
        INDArray expected;
        try {
            expected = b.outputSingle(x);
        } finally {
            Nd4j.getEnvironment().allowHelpers(allowed);
        }
        INDArray actual = a.outputSingle(x);
        assertEquals(0.0, actual.sub(expected).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void dilatedConvolutionRunsWithoutTheHelperThatRefusesItAndMatchesTheStockLayer() {
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(convGraph(true).toJson());
        ComputationGraph a = new ComputationGraph(restored);
        a.init();
        assertInstanceOf(DilatedConvolution2D.class, a.getLayer("conv").conf().getLayer());
        assertNull(a.getLayer("conv").getHelper(), "the dilated convolution must not try oneDNN");
        ComputationGraph b = new ComputationGraph(convGraph(false));
        b.init(a.params().dup(), true);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 8, 20, 24);
        boolean allowed = Nd4j.getEnvironment().helpersAllowed();
        INDArray expected;
        Nd4j.getEnvironment().allowHelpers(false);
        try {
            expected = b.outputSingle(x);
        } finally {
            Nd4j.getEnvironment().allowHelpers(allowed);
        }
        assertEquals(0.0, a.outputSingle(x).sub(expected).amaxNumber().doubleValue(), 1e-5);
        // and it trains: one step of gradient descent changes its weights
        INDArray before = a.getLayer("conv").params().dup();
        a.fit(new MultiDataSet(new INDArray[] {x},
                new INDArray[] {Nd4j.randn(DataType.FLOAT, 2, 6, 20, 24)}));
        assertTrue(!before.equals(a.getLayer("conv").params()));
    }

    private static ComputationGraphConfiguration convGraph(boolean dilatedClass) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder conv =
                new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).dilation(2, 2).nOut(6).hasBias(false)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY);
        return new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(20, 24, 8))
                .addLayer("conv", dilatedClass ? DilatedConvolution2D.of(conv) : conv.build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "conv")
                .setOutputs("out").build();
    }

    private static ComputationGraph fastScnn() {
        ModelSpec spec = ModelSpec.builder().setModel("fastscnn").setNumClasses(19).setSize(256, 128)
                .optWidthMultiplier(0.25).build();
        ComputationGraph graph = new ComputationGraph(ModelBuilder.builder().setSpec(spec).build().configuration());
        graph.init();
        return graph;
    }

    private static ComputationGraphConfiguration depthwiseGraph(boolean dilatedClass) {
        DepthwiseConvolution2D.Builder dw = new DepthwiseConvolution2D.Builder(3, 3).dilation(4, 4)
                .depthMultiplier(1).nOut(8).hasBias(false).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY);
        return new NeuralNetConfiguration.Builder().seed(1).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(20, 24, 8))
                .addLayer("dw", dilatedClass ? DilatedDepthwiseConvolution2D.of(dw) : dw.build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "dw")
                .setOutputs("out").build();
    }
}
