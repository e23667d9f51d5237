package io.segstream.training.graph;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime side of {@link BilinearUpsampleVertex}: {@code Y = Ah · X · Awᵀ} per channel map, forward, and
 * {@code dX = Ahᵀ · dY · Aw} backward, each as at most two matrix products over all maps of the batch at once.
 */
final class BilinearUpsampleGraphVertex extends ParameterFreeGraphVertex {
    private final int factorH;
    private final int factorW;
    /** Interpolation matrices for the last input size seen, outside every workspace. */
    private long matricesH = -1;
    private long matricesW = -1;
    private INDArray rowWeights;
    private INDArray columnWeights;

    BilinearUpsampleGraphVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType, int factorH,
            int factorW) {
        super(graph, name, vertexIndex, dataType);
        this.factorH = factorH;
        this.factorW = factorW;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("bilinear upsampling vertex " + vertexName + ": input not set");
        }
        INDArray x = inputs[0];
        Dims d = dims(x);
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, x.dataType(),
                new long[] {x.size(0), x.size(1), d.outH(), d.outW()}, 'c');
        // rows: [h, maps * w] -> Ah · that = [outH, maps * w], then back to [maps * outH, w]
        INDArray rows = factorH == 1 ? contiguous(x).reshape('c', d.maps() * d.h(), d.w())
                : rowsFirst(rowWeights.mmul(byRow(contiguous(x).reshape('c', d.maps(), d.h(), d.w()), d.h(), d.maps(),
                        d.w())), d.outH(), d.maps(), d.w());
        // columns: [maps * outH, w] · Awᵀ = [maps * outH, outW], written into the output
        INDArray out2d = out.reshape('c', d.maps() * d.outH(), d.outW());
        if (factorW == 1) {
            out2d.assign(rows);
        } else {
            Nd4j.gemm(rows, columnWeights, out2d, false, true, 1.0, 0.0);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("bilinear upsampling vertex " + vertexName + ": errors not set");
        }
        INDArray x = inputs[0];
        Dims d = dims(x);
        INDArray eps = contiguous(epsilon).reshape('c', d.maps() * d.outH(), d.outW());
        // columns: dY · Aw = [maps * outH, w]
        INDArray cols = factorW == 1 ? eps : eps.mmul(columnWeights);
        INDArray grad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        if (factorH == 1) {
            grad.reshape('c', d.maps() * d.h(), d.w()).assign(cols);
        } else {
            // rows: Ahᵀ · [outH, maps * w] = [h, maps * w], then back to [maps, h, w]
            INDArray summed = rowWeights.transpose().mmul(byRow(cols.reshape('c', d.maps(), d.outH(), d.w()),
                    d.outH(), d.maps(), d.w()));
            grad.reshape('c', d.maps(), d.h(), d.w()).assign(summed.reshape('c', d.h(), d.maps(), d.w())
                    .permute(1, 0, 2));
        }
        return new Pair<>(null, new INDArray[] {grad});
    }

    /** An input's size: maps (batch × channels) of h × w, upsampled to outH × outW. */
    private record Dims(long maps, long h, long w, long outH, long outW) {
    }

    /** The input's size; the interpolation matrices made for it if the last input had another. */
    private Dims dims(INDArray x) {
        long h = x.size(2);
        long w = x.size(3);
        matrices(h, w, x.dataType());
        return new Dims(x.size(0) * x.size(1), h, w, h * factorH, w * factorW);
    }

    /** [maps, rows, w] as [rows, maps * w]: every map's row r side by side, so one product handles all maps. */
    private static INDArray byRow(INDArray maps3d, long rows, long maps, long w) {
        return maps3d.permute(1, 0, 2).dup('c').reshape('c', rows, maps * w);
    }

    /** [rows, maps * w] back to [maps * rows, w]. */
    private static INDArray rowsFirst(INDArray byRow, long rows, long maps, long w) {
        return byRow.reshape('c', rows, maps, w).permute(1, 0, 2).dup('c').reshape('c', maps * rows, w);
    }

    private static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && !a.isView() ? a : a.dup('c');
    }

    private void matrices(long h, long w, DataType type) {
        if (h == matricesH && w == matricesW && rowWeights.dataType() == type) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            rowWeights = Nd4j.create(weights((int) h, factorH)).castTo(type);
            columnWeights = Nd4j.create(weights((int) w, factorW)).castTo(type);
        }
        matricesH = h;
        matricesW = w;
    }

    /**
     * The [in * factor, in] matrix of half-pixel linear interpolation with clamped edges: output i samples input
     * position (i + 0.5) / factor - 0.5, clamped to [0, in - 1], from its two neighbours.
     */
    static double[][] weights(int in, int factor) {
        int out = in * factor;
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            double p = Math.min(Math.max((i + 0.5) / factor - 0.5, 0), in - 1);
            int lo = (int) Math.floor(p);
            int hi = Math.min(lo + 1, in - 1);
            double t = p - lo;
            m[i][lo] += 1 - t;
            m[i][hi] += t;
        }
        return m;
    }

    @Override
    public String toString() {
        return "BilinearUpsampleGraphVertex(" + vertexName + ", " + factorH + "x" + factorW + ")";
    }
}
