package io.segstream.training.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every model of the zoo, exported, reads back into a freshly initialised graph with the weights it was exported with. */
class ExportedWeightsTest {

    private static ComputationGraph build(ModelSpec spec, long seed) {
        ComputationGraph graph = new ComputationGraph(ModelBuilder.builder().setSpec(spec).optSeed(seed).build()
                .configuration());
        graph.init();
        return graph;
    }

    private static ModelSpec spec(String model, String backbone, String encoder, int fcnStride, int width, int height,
            double widthMultiplier) {
        return ModelSpec.builder().setModel(model).setNumClasses(7).setSize(width, height)
                .optWidthMultiplier(widthMultiplier).optBackbone(backbone).optEncoder(encoder).optFcnStride(fcnStride)
                .build();
    }

    @ParameterizedTest(name = "{0} {1}/{2} fcn{3} at {4}x{5} width x{6}")
    @MethodSource("io.segstream.training.export.ExportParityTest#models")
    void exportedWeightsReadBackExactly(String model, String backbone, String encoder, int fcnStride, int width,
            int height, double widthMultiplier) throws Exception {
        ModelSpec spec = spec(model, backbone, encoder, fcnStride, width, height, widthMultiplier);
        ComputationGraph trained = build(spec, 3);
        ExportParityTest.randomiseBatchNormStatistics(trained, new Random(11));
        byte[] onnx = GraphConverter.convert(trained, spec.label(), width, height, false).onnx();

        ComputationGraph fresh = build(spec, 4);
        INDArray before = fresh.params().dup();
        int auxiliary = ExportedWeights.of(onnx, Map.of(), Path.of("exported")).copyInto(fresh);
        assertEquals(model.equals("icnet") ? 2 : 0, auxiliary, "auxiliary heads (ICNet: two guidance heads) left as initialised");
        Set<String> inference = ModelBuilder.inferenceVertices(trained.getConfiguration());
        int compared = 0;
        for (Layer layer : trained.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (!inference.contains(name)) {
                continue;
            }
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray mine = fresh.getLayer(name).getParam(p.getKey());
                assertTrue(before.length() > 0);
                // batch norm's log10 standard deviation goes through var = std^2 and back: float rounding only
                double diff = mine.sub(p.getValue()).amaxNumber().doubleValue();
                assertTrue(diff <= 1e-5, spec.label() + ": " + name + "/" + p.getKey() + " differs by " + diff);
                compared++;
            }
        }
        assertTrue(compared > 10, "compared " + compared + " parameters");
        assertTrue(before.sub(fresh.params()).amaxNumber().doubleValue() > 1e-3, "the fresh graph started equal");
    }

    @Test
    void aModelOfAnotherNetworkIsRefusedNamingTheLayer() throws Exception {
        ModelSpec small = spec("fastscnn", "mobilenetv2", "mobilenetv2", 8, 256, 128, 0.125);
        byte[] onnx = GraphConverter.convert(build(small, 3), small.label(), 256, 128, false).onnx();
        ComputationGraph wider = build(spec("fastscnn", "mobilenetv2", "mobilenetv2", 8, 256, 128, 0.25), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExportedWeights.of(onnx, Map.of(), Path.of("models/small")).copyInto(wider));
        assertTrue(e.getMessage().startsWith("models/small: layer ") && e.getMessage().contains("has shape"),
                e.getMessage());

        // weights renamed after the export (a composed model's prefixes, say) are missing, by name
        ModelProto.Builder renamed = ModelProto.parseFrom(onnx).toBuilder();
        renamed.getGraphBuilder().getInitializerBuilderList().forEach(t -> t.setName("m0_" + t.getName()));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ExportedWeights.of(renamed.build().toByteArray(), Map.of(), Path.of("models/tta"))
                        .copyInto(build(small, 4)));
        assertTrue(missing.getMessage().startsWith("models/tta has no float weights "), missing.getMessage());
        assertEquals(true, missing.getMessage().contains("for layer"));
    }
}
