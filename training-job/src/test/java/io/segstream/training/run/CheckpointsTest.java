package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.training.graph.BilinearUpsampleVertex;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Weights carried from a checkpoint into a graph built anew: by layer name where the two order their parameters
 * differently (DL4J flattens them in the order the layers were added), as a checkpoint of a version that added its
 * blocks in another order would.
 */
class CheckpointsTest {

    /**
     * A low branch upsampled x2 and a longer high branch, added. {@code oldUpsampling} builds the upsampling as the
     * repetition and two box poolings checkpoints of earlier versions hold, and adds the low branch first; else the
     * upsampling is one vertex and the high branch comes first.
     */
    private static ComputationGraph twoBranches(boolean oldUpsampling, boolean withHead) {
        BiFunction<Integer, Integer, ConvolutionLayer> conv = (k, s) -> new ConvolutionLayer.Builder(k, k).stride(s, s)
                .nOut(4).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build();
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(oldUpsampling ? 1 : 2)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(8, 16, 3))
                .addLayer("stem", conv.apply(3, 1), "in")
                .addLayer("low", conv.apply(3, 2), "stem");
        if (!oldUpsampling) {
            high(gb, conv);
        }
        if (oldUpsampling) {
            gb.addLayer("low_up_repeat", new Upsampling2D.Builder().size(new int[] {2, 2}).build(), "low")
                    .addLayer("low_up_box", pool(2, 1), "low_up_repeat")
                    .addLayer("low_up", pool(2, 0), "low_up_box");
        } else {
            gb.addVertex("low_up", new BilinearUpsampleVertex(2, 2), "low");
        }
        gb.addLayer("low_proj", conv.apply(1, 1), "low_up");
        if (oldUpsampling) {
            high(gb, conv);
        }
        gb.addVertex("fuse", new ElementWiseVertex(ElementWiseVertex.Op.Add), "low_proj", "high_proj")
                .addLayer("fuse_bn", new BatchNormalization.Builder().build(), "fuse");
        String out = "fuse_bn";
        if (withHead) {
            gb.addLayer("head", conv.apply(1, 1), "fuse_bn");
            out = "head";
        }
        gb.setOutputs(out);
        ComputationGraph graph = new ComputationGraph(gb.build());
        graph.init();
        return graph;
    }

    private static void high(ComputationGraphConfiguration.GraphBuilder gb,
            BiFunction<Integer, Integer, ConvolutionLayer> conv) {
        gb.addLayer("high", conv.apply(3, 1), "stem")
                .addLayer("high2", conv.apply(3, 1), "high")
                .addLayer("high3", conv.apply(3, 1), "high2")
                .addLayer("high_proj", conv.apply(1, 1), "high3");
    }

    private static SubsamplingLayer pool(int k, int pad) {
        return new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(k, k).stride(1, 1).padding(pad, pad)
                .convolutionMode(ConvolutionMode.Truncate).avgPoolIncludePadInDivisor(false).build();
    }

    @Test
    void weightsOfAnOlderLayerOrderArriveByName() {
        ComputationGraph old = twoBranches(true, false);
        // every parameter, batch norm's running statistics included, unlike a fresh graph's
        old.setParams(Nd4j.rand(DataType.FLOAT, 1, old.numParams()).addi(0.25));
        ComputationGraph rebuilt = twoBranches(false, false);
        assertEquals(old.numParams(), rebuilt.numParams());
        // the precondition of this test: the flat vectors order the layers differently
        assertNotEquals(layersWithParameters(old), layersWithParameters(rebuilt));

        assertFalse(Checkpoints.copyWeights(old, rebuilt, "old.zip"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 16);
        INDArray expected = old.outputSingle(x);
        INDArray actual = rebuilt.outputSingle(x);
        assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), 1e-5);

        // a flat copy of the same vector would have scrambled them
        ComputationGraph flat = twoBranches(false, false);
        flat.setParams(old.params());
        assertTrue(flat.outputSingle(x).sub(expected).amaxNumber().doubleValue() > 1e-3);
    }

    private static List<String> layersWithParameters(ComputationGraph graph) {
        return Arrays.stream(graph.getLayers()).filter(l -> l.numParams() > 0)
                .map(l -> l.conf().getLayer().getLayerName()).toList();
    }

    @Test
    void theSameLayoutIsCopiedWhole() {
        ComputationGraph a = twoBranches(false, false);
        ComputationGraph b = twoBranches(false, false);
        assertTrue(Checkpoints.copyWeights(a, b, "a.zip"));
        assertEquals(a.params(), b.params());
    }

    @Test
    void aLayerTheCheckpointLacksIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoints.copyWeights(twoBranches(true, false), twoBranches(false, true), "old.zip"));
        assertEquals("old.zip has no layer head", e.getMessage());
    }
}
