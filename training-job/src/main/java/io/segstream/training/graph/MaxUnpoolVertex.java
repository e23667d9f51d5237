package io.segstream.training.graph;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SegNet's pooling-index unpooling: places each decoder value at the position its 2×2 max-pooling window took its
 * maximum from, zeros elsewhere.
 *
 * <p>DL4J's max pooling does not hand out its argmax indices, so this vertex takes two inputs — the decoder tensor
 * {@code [N,C,h,w]} and the encoder tensor that was pooled {@code [N,C,2h,2w]} — and recomputes the indices from
 * the encoder tensor: the first maximum of each window in row-major order, as cuDNN and TensorFlow's
 * {@code MaxPoolWithArgmax} pick it. No gradient flows into the encoder input (indices are not differentiable).
 * In ONNX the same result is {@code MaxPool} with indices followed by {@code MaxUnpool}.
 *
 * <pre>{@code
 * graph.addVertex("unpool4", new MaxUnpoolVertex(), "decoder5", "encoder4_relu");
 * }</pre>
 */
public class MaxUnpoolVertex extends ParameterFreeVertex {
    private static final long serialVersionUID = 1L;

    @Override
    public MaxUnpoolVertex clone() {
        return new MaxUnpoolVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaxUnpoolVertex;
    }

    @Override
    public int hashCode() {
        return MaxUnpoolVertex.class.hashCode();
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new MaxUnpoolGraphVertex(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... inputs) throws InvalidInputTypeException {
        if (inputs.length != 2
                || !(inputs[0] instanceof InputType.InputTypeConvolutional decoder)
                || !(inputs[1] instanceof InputType.InputTypeConvolutional encoder)) {
            throw new InvalidInputTypeException("max-unpooling needs two convolutional inputs (decoder, encoder)");
        }
        if (encoder.getHeight() != 2 * decoder.getHeight() || encoder.getWidth() != 2 * decoder.getWidth()
                || encoder.getChannels() != decoder.getChannels()) {
            throw new InvalidInputTypeException("max-unpooling needs the encoder input twice the decoder size with the"
                    + " same channels; got decoder " + decoder + " and encoder " + encoder);
        }
        return InputType.convolutional(encoder.getHeight(), encoder.getWidth(), encoder.getChannels());
    }
}
