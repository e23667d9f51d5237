package io.segstream.training.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * U-Net and Separable U-Net share {@link UNetSkeleton}; these figures pin what checkpoints depend on: the
 * parameter counts {@code segstream models} prints and the vertex names and their order.
 */
class UNetSkeletonTest {

    static Stream<Arguments> fullSize() {
        return Stream.of(Arguments.of("unet", 31_053_459L), Arguments.of("separable_unet", 239_406L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullSize")
    void fullSizeModelsHaveTheParameterCountsOfTheModelsTable(String model, long params) {
        ComputationGraphConfiguration conf = build(model, 1.0, 2048, 1024);
        assertEquals(params, ModelComplexity.of(conf, 1024, 2048).params());
    }

    /** Runs of consecutive vertex names from an index on: the encoder's first level, the bottom, the tail. */
    static Stream<Arguments> vertexNames() {
        return Stream.of(
                Arguments.of("unet", 56, Map.of(
                        0, List.of("enc0_conv1_conv", "enc0_conv1_bn", "enc0_conv2_conv", "enc0_conv2_bn", "enc0_pool"),
                        18, List.of("enc3_conv2_bn", "enc3_dropout", "enc3_pool", "enc4_conv1_conv"),
                        24, List.of("enc4_conv2_bn", "enc4_dropout", "dec3_up_deconv", "dec3_up_bn", "dec3_concat",
                                "dec3_conv1_conv"),
                        52, List.of("dec0_conv2_conv", "dec0_conv2_bn", "logits", "loss")),
                        Map.of("enc4_conv2_conv", 1024L, "dec3_up_deconv", 512L, "dec0_conv2_conv", 64L)),
                // a separable convolution is a depthwise (_sep_dw) and a pointwise (_sep) layer; batch norm and its
                // activation are one layer (_bn)
                Arguments.of("separable_unet", 68, Map.of(
                        0, List.of("enc0_sep1_sep_dw", "enc0_sep1_sep", "enc0_sep1_bn", "enc0_sep2_sep_dw",
                                "enc0_sep2_sep", "enc0_sep2_bn", "enc0_pool"),
                        26, List.of("enc3_sep2_bn", "enc3_pool", "enc4_sep1_sep_dw", "enc4_sep1_sep"),
                        33, List.of("enc4_sep2_bn", "dec3_up", "dec3_concat", "dec3_sep1_sep_dw", "dec3_sep1_sep"),
                        63, List.of("dec0_sep2_sep_dw", "dec0_sep2_sep", "dec0_sep2_bn", "logits", "loss")),
                        Map.of("enc4_sep2_sep", 256L, "dec0_sep2_sep", 16L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vertexNames")
    void vertexNamesAndOrderAreThoseCheckpointsHold(String model, int vertices, Map<Integer, List<String>> runs,
            Map<String, Long> channels) {
        ComputationGraphConfiguration conf = build(model, 1.0, 64, 32);
        List<String> names = List.copyOf(conf.getVertices().keySet());
        assertEquals(vertices, names.size(), names.toString());
        runs.forEach((from, run) -> assertEquals(run, names.subList(from, from + run.size())));
        channels.forEach((vertex, nOut) -> assertEquals(nOut, nOut(conf, vertex), vertex));
    }

    @Test
    void theClassifierIsTheOnlyHeadLayerAndTheWidthMultiplierScalesEveryLevel() {
        ModelSpec spec = ModelSpec.builder().setModel("unet").setNumClasses(5).setSize(64, 32)
                .optWidthMultiplier(0.125).build();
        ModelBuilder.BuiltModel built = ModelBuilder.builder().setSpec(spec).build();
        assertEquals(Set.of("logits"), built.headLayers());
        assertEquals("logits", built.logitsVertex());
        assertEquals(16, built.outputStride());
        assertEquals(8, nOut(built.configuration(), "enc0_conv1_conv"));
        assertEquals(128, nOut(built.configuration(), "enc4_conv2_conv"));
        assertEquals(5, nOut(built.configuration(), "logits"));
    }

    private static ComputationGraphConfiguration build(String model, double widthMultiplier, int width, int height) {
        ModelSpec spec = ModelSpec.builder().setModel(model).setNumClasses(19).setSize(width, height)
                .optWidthMultiplier(widthMultiplier).build();
        return ModelBuilder.builder().setSpec(spec).build().configuration();
    }

    private static long nOut(ComputationGraphConfiguration conf, String vertex) {
        LayerVertex v = (LayerVertex) conf.getVertices().get(vertex);
        return ((FeedForwardLayer) v.getLayerConf().getLayer()).getNOut();
    }
}
