package io.segstream.core.onnx;

import io.segstream.core.onnx.proto.Onnx.AttributeProto;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.util.List;
import java.util.Set;

/**
 * Adds a constant per class to a model's class scores ([N, C, H, W]), the offsets {@code ClassOffsetFit} fits. Where
 * the scores come from a convolution with a bias through operators that carry a per-channel constant through
 * unchanged (Identity, Resize, Upsample, AveragePool without counted padding), the offsets are added to that bias and
 * the graph keeps its shape: nothing is computed per frame. Otherwise an {@code Add} of a [1, C, 1, 1] constant goes in
 * before those operators (an upsampling of the scores stays last, for a segmenter to fuse with its argmax), or
 * produces the output where none lead to it. Callers check the result numerically (scores + offsets), as {@code segstream calibrate} does.
 *
 * <pre>{@code
 * ClassOffsets.Applied a = ClassOffsets.apply(onnx, "logits", offsets);
 * a.model();   // the new graph; a.folded() says whether it went into a bias
 * }</pre>
 */
public final class ClassOffsets {
    /** Operators between the last convolution and the output through which a per-channel constant passes unchanged. */
    private static final Set<String> PASS_THROUGH = Set.of("Identity", "Resize", "Upsample", "AveragePool");

    private ClassOffsets() {}

    /** The new model and how the offsets went in. */
    public record Applied(byte[] model, boolean folded, String where) {}

    /**
     * The model {@code onnx} whose output {@code scores} has {@code offsets[c]} added to class {@code c}.
     *
     * @throws IllegalArgumentException when {@code onnx} does not parse or has no output {@code scores}
     */
    public static Applied apply(byte[] onnx, String scores, float[] offsets) {
        ModelProto model = QdqQuantizer.parse(onnx);
        GraphProto graph = model.getGraph();
        if (graph.getOutputList().stream().noneMatch(v -> v.getName().equals(scores))) {
            throw new IllegalArgumentException("the graph has no output '" + scores + "'");
        }
        Walk walk = walk(graph, scores);
        int conv = walk.convolution();
        GraphProto folded = conv < 0 ? null : fold(graph, graph.getNode(conv), offsets);
        if (folded != null) {
            return new Applied(model.toBuilder().setGraph(folded).build().toByteArray(), true,
                    "added to the bias " + graph.getNode(conv).getInput(2) + " of the last convolution");
        }
        String add = "an Add of a [1, " + offsets.length + ", 1, 1] constant";
        if (walk.earliest() >= 0) {
            // before the operators that carry constants through (an upsampling, typically): the same scores, and a
            // segmenter can still fuse that upsampling with its argmax
            NodeProto first = graph.getNode(walk.earliest());
            return new Applied(model.toBuilder().setGraph(insertAdd(graph, walk.earliest(), scores, offsets)).build()
                    .toByteArray(), false, add + " before the " + first.getOpType() + " that leads to output '"
                    + scores + "'");
        }
        return new Applied(model.toBuilder().setGraph(appendAdd(graph, scores, offsets)).build().toByteArray(), false,
                add + " before output '" + scores + "'");
    }

    /**
     * Where a walk back from the output ends: the last convolution if only operators that carry constants lead from
     * it to the output (-1 otherwise), and the earliest such operator passed (-1 when none).
     */
    private record Walk(int convolution, int earliest) {}

    /** The graph with the offsets folded into the bias of {@code conv}, or null where it has no bias of its own. */
    private static GraphProto fold(GraphProto graph, NodeProto conv, float[] offsets) {
        if (conv.getInputCount() < 3) {
            return null;
        }
        String bias = conv.getInput(2);
        int initAt = -1;
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals(bias)) {
                initAt = i;
            }
        }
        long uses = graph.getNodeList().stream().flatMap(n -> n.getInputList().stream()).filter(bias::equals).count();
        if (initAt < 0 || uses != 1) {
            return null;
        }
        TensorProto b = graph.getInitializer(initAt);
        if (b.getDataType() != DataType.FLOAT_VALUE || b.getDimsCount() != 1 || b.getDims(0) != offsets.length) {
            return null;
        }
        float[] values = QdqQuantizer.floats(b);
        for (int c = 0; c < values.length; c++) {
            values[c] += offsets[c];
        }
        return graph.toBuilder().setInitializer(initAt, QdqQuantizer.floatTensor(bias, values, b.getDimsList()))
                .build();
    }

    /**
     * The index of the convolution whose output reaches {@code scores} through {@link #PASS_THROUGH} operators only
     * (the data through their first input; the other inputs are sizes and scales), or -1.
     */
    private static Walk walk(GraphProto graph, String scores) {
        String tensor = scores;
        int earliest = -1;
        for (int hops = 0; hops < 16; hops++) {
            int at = UpsamplingTail.producerOf(graph, tensor);
            if (at < 0) {
                return new Walk(-1, earliest);
            }
            NodeProto n = graph.getNode(at);
            String t = tensor;
            if (!t.equals(scores)
                    && graph.getNodeList().stream().filter(x -> x.getInputList().contains(t)).count() != 1) {
                return new Walk(-1, earliest);   // another branch reads this tensor, and would see the offsets too
            }
            if (n.getOpType().equals("Conv")) {
                return new Walk(at, earliest);
            }
            if (!PASS_THROUGH.contains(n.getOpType()) || n.getInputCount() == 0 || !carriesConstants(n)) {
                return new Walk(-1, earliest);
            }
            earliest = at;
            tensor = n.getInput(0);
        }
        return new Walk(-1, earliest);
    }

    private static boolean carriesConstants(NodeProto n) {
        if (!n.getOpType().equals("AveragePool")) {
            return true;
        }
        boolean countsPadding = false;
        boolean padded = false;
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("count_include_pad") && a.getI() != 0) {
                countsPadding = true;
            }
            if (a.getName().equals("pads") && a.getIntsList().stream().anyMatch(v -> v != 0)) {
                padded = true;
            }
            if (a.getName().equals("auto_pad") && !a.getS().toStringUtf8().equals("NOTSET")
                    && !a.getS().toStringUtf8().equals("VALID")) {
                padded = true;
            }
        }
        return !(countsPadding && padded);
    }

    /** The graph with an Add of the offsets between node {@code at} and the data it reads (its first input). */
    private static GraphProto insertAdd(GraphProto graph, int at, String scores, float[] offsets) {
        NodeProto n = graph.getNode(at);
        String constant = scores + "_class_offsets";
        String added = n.getInput(0) + "_with_class_offsets";
        GraphProto.Builder g = graph.toBuilder().clearNode();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (i == at) {
                g.addNode(NodeProto.newBuilder().setOpType("Add").setName(constant + "_add").addInput(n.getInput(0))
                        .addInput(constant).addOutput(added));
                g.addNode(n.toBuilder().setInput(0, added));
            } else {
                g.addNode(graph.getNode(i));
            }
        }
        g.addInitializer(QdqQuantizer.floatTensor(constant, offsets, List.of(1L, (long) offsets.length, 1L, 1L)));
        return g.build();
    }

    /** The graph with {@code scores} renamed inside and an Add of the offsets producing it. */
    private static GraphProto appendAdd(GraphProto graph, String scores, float[] offsets) {
        String raw = scores + "_before_class_offsets";
        String constant = scores + "_class_offsets";
        GraphProto.Builder g = graph.toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto n = g.getNode(i);
            NodeProto.Builder nb = n.toBuilder();
            boolean changed = false;
            for (int k = 0; k < n.getOutputCount(); k++) {
                if (n.getOutput(k).equals(scores)) {
                    nb.setOutput(k, raw);
                    changed = true;
                }
            }
            for (int k = 0; k < n.getInputCount(); k++) {
                if (n.getInput(k).equals(scores)) {
                    nb.setInput(k, raw);
                    changed = true;
                }
            }
            if (changed) {
                g.setNode(i, nb);
            }
        }
        g.addInitializer(QdqQuantizer.floatTensor(constant, offsets, List.of(1L, (long) offsets.length, 1L, 1L)));
        g.addNode(NodeProto.newBuilder().setOpType("Add").setName(constant + "_add").addInput(raw).addInput(constant)
                .addOutput(scores));
        return g.build();
    }
}
