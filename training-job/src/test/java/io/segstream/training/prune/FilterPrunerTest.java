package io.segstream.training.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.training.export.ExportParityTest;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** L1 filter pruning keeps graphs valid through residual adds, depthwise pairs, concatenations and unpooling. */
class FilterPrunerTest {

    /** One of each structure: residuals + depthwise (fastscnn, icnet), concat (unet, deeplab), unpooling (segnet). */
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("fastscnn", "mobilenetv2", 256, 128, 0.25),
                Arguments.of("icnet", "mobilenetv2", 256, 128, 0.25),
                Arguments.of("unet", "mobilenetv2", 64, 32, 0.125),
                Arguments.of("deeplabv3+", "xception", 64, 32, 0.125),
                Arguments.of("bayes_segnet", "mobilenetv2", 64, 32, 0.125),
                Arguments.of("fcn", "resnet18", 64, 32, 0.125));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void halfTheFiltersGoAndTheSmallerGraphRunsAndRebuildsFromItsPlan(String model, String option, int width,
            int height, double widthMultiplier) {
        ModelSpec spec = ModelSpec.builder().setModel(model).setNumClasses(5).setSize(width, height)
                .optWidthMultiplier(widthMultiplier).optBackbone(model.equals("deeplabv3+") ? option : "mobilenetv2")
                .optEncoder(model.equals("fcn") ? option : "mobilenetv2").build();
        ComputationGraph graph = graph(spec, Map.of());
        FilterPruner.Pruned p = FilterPruner.prune(graph, 0.5);
        ComputationGraph small = p.graph();
        assertTrue(!p.plan().isEmpty(), "nothing pruned");
        double kept = (double) small.numParams() / graph.numParams();
        System.out.printf("%s: %d -> %d parameters (%.3f), %d convolutions pruned%n", spec.label(),
                graph.numParams(), small.numParams(), kept, p.plan().size());
        // half the filters of most layers and half their inputs: about a quarter to a half of the weights remain
        assertTrue(kept > 0.15 && kept < 0.6, spec.label() + " kept " + kept + " of its parameters");
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, height, width);
        assertArrayEquals(new long[] {2, 5, height, width}, small.output(x)[0].shape());
        // the plan alone rebuilds the same network (how fine-tuning, resume and export see it)
        ComputationGraph rebuilt = graph(spec, p.plan());
        assertEquals(small.numParams(), rebuilt.numParams());
        assertEquals(small.getConfiguration().toJson(), rebuilt.getConfiguration().toJson());
    }

    @Test
    void theKeptChannelsComputeWhatTheyComputedBefore() {
        ModelSpec spec = ModelSpec.builder().setModel("fastscnn").setNumClasses(5).setSize(256, 128)
                .optWidthMultiplier(0.25).build();
        ComputationGraph graph = graph(spec, Map.of());
        ExportParityTest.randomiseBatchNormStatistics(graph, new Random(3));
        FilterPruner.Pruned p = FilterPruner.prune(graph, 0.5);
        // the first block reads the image, which is never pruned: its kept channels must be exactly the old ones
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 128, 256);
        INDArray before = graph.feedForward(x, false).get("lds_conv_bn");
        INDArray after = p.graph().feedForward(x, false).get("lds_conv_bn");
        double[] l1 = FilterPruner.filterL1(graph.getLayer("lds_conv_conv"), false);
        int[] strongest = IntStream.range(0, l1.length).boxed().sorted((a, b) -> Double.compare(l1[b], l1[a]))
                .limit(after.size(1)).mapToInt(Integer::intValue).sorted().toArray();
        assertEquals(l1.length / 2, strongest.length);
        INDArray expected = before.get(NDArrayIndex.all(), NDArrayIndex.indices(Arrays.stream(strongest)
                .asLongStream().toArray()), NDArrayIndex.all(), NDArrayIndex.all());
        assertEquals(0.0, expected.sub(after).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void ratioZeroChangesNothingAndBadPlansAreRefusedByName() {
        ModelSpec spec = ModelSpec.builder().setModel("fastscnn").setNumClasses(5).setSize(256, 128)
                .optWidthMultiplier(0.25).build();
        ComputationGraph graph = graph(spec, Map.of());
        FilterPruner.Pruned same = FilterPruner.prune(graph, 0);
        assertTrue(same.plan().isEmpty());
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 128, 256);
        assertEquals(0.0, graph.output(x)[0].sub(same.graph().output(x)[0]).amaxNumber().doubleValue(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> FilterPruner.prune(graph, 1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph(spec, Map.of("cls_logits", 2)));
        assertTrue(e.getMessage().contains("cls_logits") && e.getMessage().contains("not a prunable"), e.getMessage());
    }

    private static ComputationGraph graph(ModelSpec spec, Map<String, Integer> plan) {
        ComputationGraph g = new ComputationGraph(ModelBuilder.builder().setSpec(spec).optSeed(3)
                .optChannelPlan(plan).build().configuration());
        g.init();
        return g;
    }
}
