package io.segstream.training.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The bilinear upsampling vertex's backward pass is its forward pass's transpose; its weights interpolate. */
class BilinearUpsampleVertexTest {

    /**
     * The upsampling U is linear, so the backward pass must be its transpose: for any x and any output gradient g,
     * the sum of U(x) * g equals the sum of x * U^T(g).
     */
    @ParameterizedTest(name = "x{0} by x{1} on {2}x{3}")
    @CsvSource({"2,2,3,5", "8,8,4,8", "4,4,2,3", "3,1,3,4", "1,2,5,3", "4,4,1,6"})
    void backwardPassIsTheTranspose(int fh, int fw, int h, int w) {
        BilinearUpsampleGraphVertex v = (BilinearUpsampleGraphVertex) new BilinearUpsampleVertex(fh, fw)
                .instantiate(null, "up", 0, null, false, DataType.DOUBLE);
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, h, w).subi(0.5);
        v.setInputs(new INDArray[] {x});
        INDArray y = v.doForward(true, noWorkspaces);
        assertArrayEquals(new long[] {2, 3, (long) h * fh, (long) w * fw}, y.shape());
        INDArray g = Nd4j.rand(DataType.DOUBLE, y.shape()).subi(0.5);
        v.setEpsilon(g);
        INDArray dx = v.doBackward(false, noWorkspaces).getSecond()[0];
        assertArrayEquals(x.shape(), dx.shape());
        double lhs = y.mul(g).sumNumber().doubleValue();
        double rhs = x.mul(dx).sumNumber().doubleValue();
        assertEquals(lhs, rhs, 1e-9 * Math.max(1, Math.abs(lhs)));
        // and each input cell receives exactly the gradient of the outputs it fed: the column sums of U
        INDArray ones = Nd4j.ones(DataType.DOUBLE, y.shape());
        v.setEpsilon(ones);
        INDArray fed = v.doBackward(false, noWorkspaces).getSecond()[0];
        assertEquals((double) y.length(), fed.sumNumber().doubleValue(), 1e-9 * y.length());
    }

    @Test
    void everyOutputIsAConvexCombinationOfItsTwoNeighbours() {
        for (int in : new int[] {1, 2, 5}) {
            for (int factor : new int[] {1, 2, 3, 8}) {
                double[][] m = BilinearUpsampleGraphVertex.weights(in, factor);
                assertEquals(in * factor, m.length);
                for (int i = 0; i < m.length; i++) {
                    double sum = 0;
                    int nonZero = 0;
                    for (double v : m[i]) {
                        sum += v;
                        nonZero += v != 0 ? 1 : 0;
                    }
                    assertEquals(1.0, sum, 1e-12, "row " + i + " of " + in + "x" + factor);
                    assertEquals(true, nonZero >= 1 && nonZero <= 2, "row " + i + " of " + in + "x" + factor);
                }
            }
        }
        // x2 of two cells: centres at -0.25, 0.25, 0.75, 1.25 of the input, clamped at the edges
        double[][] m = BilinearUpsampleGraphVertex.weights(2, 2);
        assertArrayEquals(new double[] {1, 0}, m[0]);
        assertArrayEquals(new double[] {0.75, 0.25}, m[1]);
        assertArrayEquals(new double[] {0.25, 0.75}, m[2]);
        assertArrayEquals(new double[] {0, 1}, m[3]);
    }
}
