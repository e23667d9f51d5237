package io.segstream.training.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelSpec;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Every registered model, randomly initialised and small, exports to ONNX that ONNX Runtime runs like DL4J. */
public class ExportParityTest {

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("fcn", "mobilenetv2", "mobilenetv2", 8, 64, 32, 0.125),
                Arguments.of("fcn", "mobilenetv2", "resnet18", 16, 96, 64, 0.125),
                Arguments.of("fcn", "mobilenetv2", "vgg16", 32, 64, 32, 0.125),
                Arguments.of("unet", "mobilenetv2", "mobilenetv2", 8, 64, 32, 0.125),
                Arguments.of("separable_unet", "mobilenetv2", "mobilenetv2", 8, 64, 48, 0.25),
                Arguments.of("bayes_segnet", "mobilenetv2", "mobilenetv2", 8, 64, 32, 0.125),
                Arguments.of("deeplabv3+", "mobilenetv2", "mobilenetv2", 8, 64, 32, 0.125),
                Arguments.of("deeplabv3+", "xception", "mobilenetv2", 8, 64, 32, 0.125),
                Arguments.of("fastscnn", "mobilenetv2", "mobilenetv2", 8, 256, 128, 0.125),
                Arguments.of("icnet", "mobilenetv2", "mobilenetv2", 8, 256, 128, 0.125));
    }

    @ParameterizedTest(name = "{0} {1}/{2} fcn{3} at {4}x{5} width x{6}")
    @MethodSource("models")
    void onnxRuntimeReproducesDl4j(String model, String backbone, String encoder, int fcnStride, int width,
            int height, double widthMultiplier) throws Exception {
        ModelSpec spec = ModelSpec.builder().setModel(model).setNumClasses(7).setSize(width, height)
                .optWidthMultiplier(widthMultiplier).optBackbone(backbone).optEncoder(encoder).optFcnStride(fcnStride).build();
        ComputationGraph graph = new ComputationGraph(ModelBuilder.builder().setSpec(spec).optSeed(3).build()
                .configuration());
        graph.init();
        randomiseBatchNormStatistics(graph, new Random(11));

        ModelExporter.ExportedGraph exported = ModelExporter.convertAndCheck(graph, spec.label(), width, height);

        ParityCheck.Result r = exported.parity();
        INDArray logits = graph.output(false, ModelExporter.parityInputs(width, height).get(1))[0];
        INDArray first = logits.get(NDArrayIndex.point(0), NDArrayIndex.point(0));
        double spread = first.maxNumber().doubleValue() - first.minNumber().doubleValue();
        System.out.printf(Locale.ROOT, "%-24s max abs diff %.3g  argmax agreement %.4f%%  class-0 logit spread %.3g"
                + "  onnx %d bytes%n", spec.label(), r.maxAbsDiff(), r.argmaxAgreement() * 100, spread,
                exported.onnx().length);
        // a network whose logits are the same at every pixel would agree with anything: make sure this one varies
        assertTrue(spread > 1e-3, spec.label() + " gives nearly constant logits (spread " + spread
                + "); the parity check would prove nothing");
        assertTrue(r.maxAbsDiff() <= 1e-4, r.describe());
        assertTrue(r.argmaxAgreement() >= 0.9999, r.describe());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = ParityCheck.open(env, exported.onnx())) {
            assertEquals(GraphConverter.INPUT, s.getInputNames().iterator().next());
            assertEquals(GraphConverter.OUTPUT, s.getOutputNames().iterator().next());
        }
    }

    @Test
    void unsupportedVertexIsNamedWithItsType() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(2).activation(Activation.IDENTITY).build(),
                        "input")
                .addVertex("square", new ElementWiseVertex(ElementWiseVertex.Op.Product), "conv", "conv")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "square")
                .setOutputs("loss").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        UnsupportedLayerException e = assertThrows(UnsupportedLayerException.class,
                () -> GraphConverter.convert(graph, "tiny", 8, 8, false));
        assertTrue(e.getMessage().contains("'square'") && e.getMessage().contains("ElementWiseVertex (Product)"),
                e.getMessage());
    }

    /**
     * Freshly initialised batch norm is mean 0, variance 1, which would hide a wrong statistics mapping. Gains stay
     * below 1 so that the random deep encoders (ResNet-18, VGG-16) keep logits of the size a trained model has;
     * with gains up to 1.5 their logits reach ~100 and float32 rounding alone (2e-6 relative) exceeds 1e-4.
     */
    public static void randomiseBatchNormStatistics(ComputationGraph graph, Random random) {
        for (GraphVertex v : graph.getVertices()) {
            if (v.hasLayer() && v.getLayer().paramTable().containsKey("W")
                    && v.getLayer().paramTable().get("W").amaxNumber().doubleValue() == 0) {
                // zero-initialised layers (FCN skip scores) would hide a wrong weight mapping
                INDArray w = v.getLayer().paramTable().get("W");
                v.getLayer().setParam("W", Nd4j.randn(random.nextLong(), w.shape()).castTo(DataType.FLOAT).muli(0.1));
            }
            if (!v.hasLayer() || !(v.getLayer().conf().getLayer() instanceof BatchNormalization)) {
                continue;
            }
            for (Map.Entry<String, INDArray> p : v.getLayer().paramTable().entrySet()) {
                INDArray a = p.getValue();
                float[] f = new float[(int) a.length()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = switch (p.getKey()) {
                        case "gamma" -> 0.4f + 0.5f * random.nextFloat();
                        case "var" -> 0.2f + random.nextFloat();
                        case "log10stdev" -> (random.nextFloat() - 0.5f) * 0.6f;
                        default -> (random.nextFloat() - 0.5f) * 0.4f;
                    };
                }
                v.getLayer().setParam(p.getKey(), Nd4j.create(f, a.shape(), 'c').castTo(DataType.FLOAT));
            }
        }
    }
}
