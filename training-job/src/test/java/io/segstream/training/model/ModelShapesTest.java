package io.segstream.training.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every model, at a small width: logits N×C×H×W for valid sizes, a clear error for sizes it cannot take. */
class ModelShapesTest {

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("fastscnn", "mobilenetv2", "mobilenetv2", 8, 256, 128, 250, 128),
                Arguments.of("unet", "mobilenetv2", "mobilenetv2", 8, 64, 32, 72, 32),
                Arguments.of("separable_unet", "mobilenetv2", "mobilenetv2", 8, 64, 48, 64, 40),
                Arguments.of("deeplabv3+", "mobilenetv2", "mobilenetv2", 8, 64, 32, 64, 40),
                Arguments.of("deeplabv3+", "xception", "mobilenetv2", 8, 64, 32, 60, 32),
                Arguments.of("bayes_segnet", "mobilenetv2", "mobilenetv2", 8, 64, 32, 64, 48),
                Arguments.of("fcn", "mobilenetv2", "mobilenetv2", 8, 64, 32, 64, 16),
                Arguments.of("fcn", "mobilenetv2", "resnet18", 16, 96, 64, 100, 64),
                Arguments.of("fcn", "mobilenetv2", "vgg16", 32, 64, 32, 64, 24),
                Arguments.of("icnet", "mobilenetv2", "mobilenetv2", 8, 256, 128, 256, 96));
    }

    @ParameterizedTest(name = "{0} {1}/{2} fcn{3} at {4}x{5}")
    @MethodSource("variants")
    void outputsLogitsAtInputSizeAndRefusesOthers(String model, String backbone, String encoder, int fcnStride,
            int width, int height, int badWidth, int badHeight) {
        int classes = 5;
        ModelSpec spec = ModelSpec.builder().setModel(model).setNumClasses(classes).setSize(width, height)
                .optWidthMultiplier(0.0625).optBackbone(backbone).optEncoder(encoder).optFcnStride(fcnStride).build();
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(spec).build();
        ComputationGraphConfiguration conf =
                ComputationGraphConfiguration.fromJson(built.configuration().toJson());
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, height, width);
        INDArray[] outputs = graph.output(x);
        INDArray y = outputs[0];
        assertArrayEquals(new long[] {2, classes, height, width}, y.shape());
        // auxiliary outputs (ICNet's label guidance) are logits at the input size too
        for (INDArray aux : outputs) {
            assertArrayEquals(new long[] {2, classes, height, width}, aux.shape());
        }
        assertTrue(Double.isFinite(y.sumNumber().doubleValue()), "finite logits");
        assertTrue(built.headLayers().size() >= 1);

        ModelSpec bad = spec.withSize(badWidth, badHeight);
        InvalidInputSizeException e = assertThrows(InvalidInputSizeException.class,
                () -> ModelBuilder.builder().setSpec(bad).build());
        assertTrue(e.getMessage().contains("multiples of"), e.getMessage());
        assertTrue(e.getMessage().contains(badWidth + "x" + badHeight), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void fullSizeModelsHaveThePublishedParameterCounts(String model, String option, double minMillions,
            double maxMillions) {
        ModelSpec.Builder b = ModelSpec.builder().setModel(model).setNumClasses(19).setSize(2048, 1024);
        if (model.equals("fcn")) {
            b.optEncoder(option).optFcnStride(16);
        } else if (model.equals("deeplabv3+")) {
            b.optBackbone(option);
        }
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(b.build()).build();
        ModelComplexity c = ModelComplexity.of(built.configuration(), 1024, 2048);
        double millions = c.params() / 1e6;
        assertTrue(millions >= minMillions && millions <= maxMillions,
                model + " " + option + " has " + millions + " M parameters");
        assertTrue(c.flops() > 1e9);
    }

    static Stream<Arguments> published() {
        return Stream.of(
                Arguments.of("fastscnn", "", 1.0, 1.6),
                Arguments.of("unet", "", 30, 33),
                Arguments.of("separable_unet", "", 0.2, 0.45),
                Arguments.of("deeplabv3+", "mobilenetv2", 2.0, 5.0),
                Arguments.of("deeplabv3+", "xception", 35, 45),
                Arguments.of("bayes_segnet", "", 28, 31),
                Arguments.of("fcn", "resnet18", 11, 11.5),
                Arguments.of("fcn", "vgg16", 130, 140),
                // ICNet over a MobileNetV2 trunk (the paper's PSPNet50 trunk has 26.5 M)
                Arguments.of("icnet", "", 0.4, 1.2));
    }

    @org.junit.jupiter.api.Test
    void headLayersGetTheLearningRateMultiplier() {
        ModelSpec spec = ModelSpec.builder().setModel("fastscnn").setNumClasses(3).setSize(256, 128)
                .optWidthMultiplier(0.125).build();
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(spec)
                .optUpdater(new org.nd4j.linalg.learning.config.Adam(
                        new io.segstream.training.optim.CyclicSchedule(0.001, 0.003, 10)))
                .optHeadLrMultiplier(10).build();
        assertEquals(java.util.Set.of("cls_logits"), built.headLayers());
        org.deeplearning4j.nn.conf.layers.BaseLayer head = (org.deeplearning4j.nn.conf.layers.BaseLayer)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) built.configuration().getVertices().get("cls_logits"))
                        .getLayerConf().getLayer();
        org.deeplearning4j.nn.conf.layers.BaseLayer body = (org.deeplearning4j.nn.conf.layers.BaseLayer)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) built.configuration().getVertices().get("lds_conv_conv"))
                        .getLayerConf().getLayer();
        assertEquals(0.03, head.getIUpdater().getLearningRate(5, 0), 1e-12);
        assertEquals(0.003, body.getIUpdater().getLearningRate(5, 0), 1e-12);
    }

    @org.junit.jupiter.api.Test
    void icnetTrainsItsLabelGuidanceAndExportsOnlyTheMainBranch() {
        ModelSpec spec = ModelSpec.builder().setModel("icnet").setNumClasses(4).setSize(256, 128)
                .optWidthMultiplier(0.125).build();
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(spec)
                .optLoss(new io.segstream.training.loss.WeightedCrossEntropy(new double[] {1, 2, 3, 4})).build();
        ComputationGraphConfiguration conf = built.configuration();
        assertEquals(java.util.List.of(ModelBuilder.LOSS, ModelBuilder.LOSS + "_aux1", ModelBuilder.LOSS + "_aux2"),
                conf.getNetworkOutputs());
        // label guidance at strides 16 and 8, weight 0.4 each, on the main loss's class weights
        for (String aux : java.util.List.of(ModelBuilder.LOSS + "_aux1", ModelBuilder.LOSS + "_aux2")) {
            org.deeplearning4j.nn.conf.layers.CnnLossLayer l = (org.deeplearning4j.nn.conf.layers.CnnLossLayer)
                    ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(aux)).getLayerConf()
                            .getLayer();
            assertArrayEquals(new double[] {0.4, 0.8, 1.2, 1.6},
                    ((io.segstream.training.loss.PixelLoss) l.getLossFn()).getClassWeights(), 1e-12);
        }
        java.util.Set<String> inference = ModelBuilder.inferenceVertices(conf);
        assertTrue(inference.contains("head_logits") && inference.contains("sub4_ppm_fuse_conv"), inference::toString);
        assertTrue(inference.stream().noneMatch(v -> v.contains("aux")), inference::toString);
        // the auxiliary classifiers are neither in the deployed parameter count nor in its FLOPs
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        long auxParams = graph.getLayer("cff_sub24_aux_logits").numParams()
                + graph.getLayer("cff_sub12_aux_logits").numParams();
        assertEquals(graph.numParams() - auxParams, ModelComplexity.of(conf, 128, 256).params());

        // one step moves the three losses: every output's gradient reaches the shared trunk
        io.segstream.training.data.BatchEncoder enc = new io.segstream.training.data.BatchEncoder(4,
                io.segstream.training.data.Normalization.IMAGENET);
        byte[] rgb = new byte[256 * 128 * 3];
        byte[] ids = new byte[256 * 128];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (byte) ((i % 256) / 64);
            rgb[3 * i] = (byte) (ids[i] * 60);
        }
        org.nd4j.linalg.dataset.MultiDataSet data = enc.encode(java.util.List.of(
                new io.segstream.training.data.TrainingSample("toy", 256, 128, rgb, ids)));
        org.nd4j.linalg.dataset.MultiDataSet three = io.segstream.training.data.BatchEncoder.forOutputs(data, 3);
        assertEquals(3, three.numLabelsArrays());
        assertTrue(three.getLabels(2) == data.getLabels(0), "labels are shared, not copied");
        INDArray trunkBefore = graph.getLayer("sub2_stem_conv").params().dup();
        graph.fit(three);
        assertTrue(Double.isFinite(graph.score()));
        assertTrue(!trunkBefore.equals(graph.getLayer("sub2_stem_conv").params()));
    }

    @org.junit.jupiter.api.Test
    void convolutionFlopsAreCountedFromShapes() {
        ModelSpec spec = ModelSpec.builder().setModel("unet").setNumClasses(2).setSize(32, 16)
                .optWidthMultiplier(1.0 / 64).build();
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(spec).build();
        ModelComplexity c = ModelComplexity.of(built.configuration(), 16, 32);
        // first conv: 3 -> 2 channels, 3x3, 16x32 output: 2 * 9 * 3 * 2 * 512 MACs
        assertTrue(c.flops() > 2 * 9 * 3 * 2 * 512);
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        assertEquals(graph.numParams(), c.params());
    }
}
