package io.segstream.training.graph;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The runtime side of {@link MaxUnpoolVertex}: forward and backward passes over ND4J arrays. */
final class MaxUnpoolGraphVertex extends ParameterFreeGraphVertex {
    /** The four positions of a 2×2 window in row-major order: (row offset, column offset). */
    private static final int[][] OFFSETS = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

    MaxUnpoolGraphVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("max-unpooling vertex " + vertexName + ": inputs not set");
        }
        INDArray decoder = inputs[0];
        INDArray encoder = inputs[1];
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, decoder.dataType(), encoder.shape(), 'c');
        INDArray outWindows = windows(out);
        INDArray[] masks = windowMasks(encoder);
        for (int k = 0; k < 4; k++) {
            window(outWindows, k).assign(masks[k].muli(decoder));
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("max-unpooling vertex " + vertexName + ": errors not set");
        }
        INDArray decoder = inputs[0];
        INDArray encoder = inputs[1];
        INDArray[] masks = windowMasks(encoder);
        INDArray epsWindows = windows(epsilon.dup('c'));
        INDArray decoderGrad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, decoder.dataType(), decoder.shape(), 'c');
        for (int k = 0; k < 4; k++) {
            decoderGrad.addi(masks[k].muli(window(epsWindows, k)));
        }
        INDArray encoderGrad = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, encoder.dataType(), encoder.shape(), 'c');
        return new Pair<>(null, new INDArray[] {decoderGrad, encoderGrad});
    }

    /** One 0/1 mask per window position: 1 where that position holds the window's first maximum. */
    private static INDArray[] windowMasks(INDArray encoder) {
        INDArray w = windows(encoder.dup('c'));
        INDArray[] values = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            values[k] = window(w, k);
        }
        INDArray max = Transforms.max(Transforms.max(values[0], values[1], true),
                Transforms.max(values[2], values[3], true), false);
        INDArray taken = max.ulike().assign(0);
        INDArray[] masks = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            INDArray isMax = values[k].eq(max).castTo(max.dataType());
            masks[k] = isMax.muli(taken.rsub(1.0));
            taken.addi(masks[k]);
        }
        return masks;
    }

    /** A c-ordered [N,C,2h,2w] array seen as [N,C,h,2,w,2]: window row and column become their own axes. */
    private static INDArray windows(INDArray a) {
        return a.reshape('c', a.size(0), a.size(1), a.size(2) / 2, 2, a.size(3) / 2, 2);
    }

    /** Window position k (row-major in the 2×2 window) of a {@link #windows} view, as [N,C,h,w]. */
    private static INDArray window(INDArray windows, int k) {
        return windows.get(all(), all(), all(), point(OFFSETS[k][0]), all(), point(OFFSETS[k][1]));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public String toString() {
        return "MaxUnpoolGraphVertex(" + vertexName + ")";
    }
}
