package io.segstream.training.graph;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Monte-Carlo dropout (Bayesian SegNet): inverted dropout during training and, once switched on with
 * {@link McDropoutGraphVertex#setSampling(boolean)}, also at prediction time, so that repeated forward passes sample
 * the model posterior. With sampling off it is the identity, which is what an ONNX export carries.
 *
 * <pre>{@code
 * graph.addVertex("encoder5_dropout", new McDropoutVertex(0.5), "encoder5_pool");
 * }</pre>
 */
public class McDropoutVertex extends ParameterFreeVertex {
    private static final long serialVersionUID = 1L;

    @JsonProperty("dropRate")
    private final double dropRate;

    /** @param dropRate probability of zeroing an activation, in [0, 1) */
    public McDropoutVertex(@JsonProperty("dropRate") double dropRate) {
        if (!(dropRate >= 0 && dropRate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropRate);
        }
        this.dropRate = dropRate;
    }

    public double dropRate() {
        return dropRate;
    }

    @Override
    public McDropoutVertex clone() {
        return new McDropoutVertex(dropRate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof McDropoutVertex other && other.dropRate == dropRate;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(dropRate) * 31 + 7;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new McDropoutGraphVertex(graph, name, idx, networkDatatype, dropRate);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }
}
