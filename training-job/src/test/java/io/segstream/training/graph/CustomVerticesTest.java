package io.segstream.training.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Max-unpooling with pooling indices and Monte-Carlo dropout, by hand. */
class CustomVerticesTest {

    @Test
    void unpoolingPutsEachValueWhereItsWindowHadItsFirstMaximum() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("decoder", "encoder")
                .setInputTypes(InputType.convolutional(1, 2, 1), InputType.convolutional(2, 4, 1))
                .addVertex("unpool", new MaxUnpoolVertex(), "decoder", "encoder").setOutputs("unpool").build();
        ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(conf.toJson()));
        graph.init();
        INDArray encoder = Nd4j.createFromArray(new float[] {1, 5, 2, 2, 3, 4, 2, 2}).reshape(1, 1, 2, 4);
        INDArray decoder = Nd4j.createFromArray(new float[] {10, 20}).reshape(1, 1, 1, 2);
        INDArray out = graph.output(decoder, encoder)[0];
        // window 1 (1 5 / 3 4): max 5 at row 0 col 1; window 2 (2 2 / 2 2): a tie, the first position wins
        assertArrayEquals(new float[] {0, 10, 20, 0, 0, 0, 0, 0}, out.data().asFloat());
    }

    @Test
    void unpoolingGradientGathersFromTheMaxPositions() {
        MaxUnpoolGraphVertex v = new MaxUnpoolGraphVertex(null, "unpool", 0, DataType.FLOAT);
        INDArray encoder = Nd4j.createFromArray(new float[] {1, 5, 2, 9, 3, 4, 2, 7}).reshape(1, 1, 2, 4);
        INDArray decoder = Nd4j.createFromArray(new float[] {10, 20}).reshape(1, 1, 1, 2);
        v.setInputs(new INDArray[] {decoder, encoder});
        v.doForward(true, LayerWorkspaceMgr.noWorkspaces());
        v.setEpsilon(Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8}).reshape(1, 1, 2, 4));
        INDArray[] grads = v.doBackward(false, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertArrayEquals(new float[] {2, 4}, grads[0].data().asFloat());
        assertEquals(0.0, grads[1].sumNumber().doubleValue(), 0.0);
    }

    @Test
    void mcDropoutSamplesOnlyWhenAsked() {
        McDropoutGraphVertex v = new McDropoutGraphVertex(null, "drop", 0, DataType.FLOAT, 0.5);
        INDArray x = Nd4j.ones(DataType.FLOAT, 1, 4, 8, 8);
        v.setInputs(new INDArray[] {x});
        INDArray off = v.doForward(false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(256.0, off.sumNumber().doubleValue(), 0.0);
        v.setSampling(true);
        INDArray on = v.doForward(false, LayerWorkspaceMgr.noWorkspaces());
        assertNotEquals(256.0, on.sumNumber().doubleValue());
        for (float f : on.data().asFloat()) {
            assertEquals(true, f == 0f || f == 2f, "inverted dropout keeps 1/(1-p)");
        }
    }
}
