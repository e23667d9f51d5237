package io.segstream.core.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.TensorShapeProto;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.util.List;

/**
 * Appends the argmax over classes to a model that outputs class scores, so that ONNX Runtime can return one uint8
 * class id per pixel instead of a float score per class and pixel: {@code ArgMax(axis 1, keepdims 0)} (the first of
 * equal maxima wins, as {@code select_last_index} is left at 0) followed by {@code Cast} to uint8, as a second graph
 * output. The scores output stays, so a caller can still ask for the scores (a smoke run checks they are finite); a
 * run that asks for the class ids only never copies the scores out.
 *
 * <pre>{@code
 * byte[] ids = ArgMaxHead.append(onnx, "logits", "logits_class_ids");   // [N,C,H,W] float -> [N,H,W] uint8
 * }</pre>
 */
public final class ArgMaxHead {
    private ArgMaxHead() {}

    /**
     * The model {@code onnx} with the output {@code classIds} ([N, H, W], uint8) added beside its output {@code scores}
     * ([N, classes, H, W], float).
     *
     * @throws IllegalArgumentException when {@code onnx} does not parse, has no output {@code scores}, that output is
     *     not a 4-dimensional float tensor, or {@code classIds} is already a name in the graph
     */
    public static byte[] append(byte[] onnx, String scores, String classIds) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model (" + e.getMessage() + ")", e);
        }
        GraphProto graph = model.getGraph();
        int at = -1;
        for (int i = 0; i < graph.getOutputCount(); i++) {
            if (graph.getOutput(i).getName().equals(scores)) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("the graph has no output '" + scores + "'; its outputs are "
                    + graph.getOutputList().stream().map(ValueInfoProto::getName).toList());
        }
        ValueInfoProto out = graph.getOutput(at);
        TypeProto.Tensor tensor = out.getType().getTensorType();
        if (tensor.getElemType() != DataType.FLOAT_VALUE || tensor.getShape().getDimCount() != 4) {
            throw new IllegalArgumentException("output '" + scores + "' is not a 4-dimensional float tensor of class "
                    + "scores (element type " + tensor.getElemType() + ", " + tensor.getShape().getDimCount()
                    + " dimensions)");
        }
        String argMax = classIds + "_int64";
        for (String name : List.of(classIds, argMax)) {
            if (isDefined(graph, name)) {
                throw new IllegalArgumentException("the graph already has a tensor '" + name
                        + "'; choose another class-id output name");
            }
        }
        TensorShapeProto dims = tensor.getShape();
        TensorShapeProto ids = TensorShapeProto.newBuilder()
                .addDim(dims.getDim(0)).addDim(dims.getDim(2)).addDim(dims.getDim(3)).build();
        ValueInfoProto idsOutput = ValueInfoProto.newBuilder().setName(classIds)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.UINT8_VALUE).setShape(ids)))
                .build();
        GraphProto.Builder g = graph.toBuilder()
                .addNode(NodeProto.newBuilder().setOpType("ArgMax").setName(argMax).addInput(scores).addOutput(argMax)
                        .addAttribute(OnnxGraphBuilder.attr("axis", 1L))
                        .addAttribute(OnnxGraphBuilder.attr("keepdims", 0L)))
                .addNode(NodeProto.newBuilder().setOpType("Cast").setName(classIds).addInput(argMax)
                        .addOutput(classIds)
                        .addAttribute(OnnxGraphBuilder.attr("to", (long) DataType.UINT8_VALUE)))
                .addOutput(idsOutput);
        return model.toBuilder().setGraph(g).build().toByteArray();
    }

    private static boolean isDefined(GraphProto graph, String name) {
        return graph.getNodeList().stream().anyMatch(n -> n.getOutputList().contains(name))
                || graph.getInputList().stream().anyMatch(v -> v.getName().equals(name))
                || graph.getInitializerList().stream().anyMatch(t -> t.getName().equals(name))
                || graph.getOutputList().stream().anyMatch(v -> v.getName().equals(name));
    }
}
