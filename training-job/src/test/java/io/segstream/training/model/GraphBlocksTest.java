package io.segstream.training.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.training.graph.BilinearUpsampleVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameter-free bilinear upsampling equals half-pixel bilinear interpolation (ONNX Resize, linear) and survives a
 * configuration's JSON (checkpoints); its backward pass: {@code BilinearUpsampleVertexTest}.
 */
class GraphBlocksTest {

    @ParameterizedTest(name = "x{0} by x{1} on {2}x{3}")
    @CsvSource({"2,2,3,5", "3,3,3,5", "4,4,2,3", "2,3,3,4", "8,8,3,2", "5,1,4,4"})
    void bilinearUpsamplingIsExact(int fh, int fw, int h, int w) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(h, w, 2));
        GraphBlocks g = new GraphBlocks(gb, "in", new FeatureShape(2, h, w));
        String out = g.upsampleBilinear("up", "in", fh, fw);
        assertEquals(new FeatureShape(2, h * fh, w * fw), g.shape(out));
        gb.setOutputs(out);
        ComputationGraph graph = new ComputationGraph(gb.build());
        graph.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, h, w).castTo(DataType.FLOAT);
        INDArray y = graph.outputSingle(x);
        assertArrayEquals(new long[] {3, 2, (long) h * fh, (long) w * fw}, y.shape());
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 2; c++) {
                for (int oy = 0; oy < h * fh; oy++) {
                    for (int ox = 0; ox < w * fw; ox++) {
                        assertEquals(reference(x, n, c, oy, ox, fh, fw, h, w), y.getDouble(n, c, oy, ox), 1e-5,
                                "(" + n + "," + c + "," + oy + "," + ox + ")");
                    }
                }
            }
        }
    }

    @Test
    void upsamplingVertexSurvivesJson() {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(4, 6, 2));
        GraphBlocks g = new GraphBlocks(gb, "in", new FeatureShape(2, 4, 6));
        gb.setOutputs(g.upsampleBilinear("up", "in", 8, 4));
        ComputationGraphConfiguration conf = gb.build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(new BilinearUpsampleVertex(8, 4), back.getVertices().get("up"));
        ComputationGraph graph = new ComputationGraph(back);
        graph.init();
        assertArrayEquals(new long[] {1, 2, 32, 24}, graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 2, 4, 6)).shape());
    }

    /** Half-pixel bilinear interpolation with edge clamping. */
    private static double reference(INDArray x, int n, int c, int oy, int ox, int fh, int fw, int h, int w) {
        double py = Math.min(Math.max((oy + 0.5) / fh - 0.5, 0), h - 1);
        double px = Math.min(Math.max((ox + 0.5) / fw - 0.5, 0), w - 1);
        int y0 = (int) Math.floor(py);
        int x0 = (int) Math.floor(px);
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double dy = py - y0;
        double dx = px - x0;
        return (1 - dy) * ((1 - dx) * x.getDouble(n, c, y0, x0) + dx * x.getDouble(n, c, y0, x1))
                + dy * ((1 - dx) * x.getDouble(n, c, y1, x0) + dx * x.getDouble(n, c, y1, x1));
    }
}
