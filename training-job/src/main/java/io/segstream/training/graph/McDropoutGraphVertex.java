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

/** The runtime side of {@link McDropoutVertex}; {@link #setSampling(boolean)} turns dropout on outside training. */
public final class McDropoutGraphVertex extends ParameterFreeGraphVertex {
    private final double dropRate;
    private boolean sampling;
    private INDArray scaledMask;

    McDropoutGraphVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType, double dropRate) {
        super(graph, name, vertexIndex, dataType);
        this.dropRate = dropRate;
    }

    /** Whether dropout also applies when the graph runs in inference mode (Monte-Carlo sampling). */
    public void setSampling(boolean sampling) {
        this.sampling = sampling;
    }

    public boolean isSampling() {
        return sampling;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("dropout vertex " + vertexName + ": input not set");
        }
        INDArray in = inputs[0];
        if ((!training && !sampling) || dropRate == 0) {
            scaledMask = null;
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, in);
        }
        double keep = 1.0 - dropRate;
        // the mask lives outside DL4J's workspaces: the backward pass reads it after the forward scope closed
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            scaledMask = Nd4j.rand(in.dataType(), in.shape()).lt(keep).castTo(in.dataType()).divi(keep);
        }
        INDArray out = workspaceMgr.dup(ArrayType.ACTIVATIONS, in);
        return out.muli(scaledMask);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("dropout vertex " + vertexName + ": errors not set");
        }
        INDArray grad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
        if (scaledMask != null) {
            grad.muli(scaledMask);
        }
        return new Pair<>(null, new INDArray[] {grad});
    }

    @Override
    public String toString() {
        return "McDropoutGraphVertex(" + vertexName + ", dropRate=" + dropRate + ")";
    }
}
