package io.segstream.core.onnx;

import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the spatial upsampling at the end of a segmentation model's class scores and cuts it off. Most real-time
 * networks score classes at 1/4 or 1/8 of the input and end with a bilinear upsampling of those scores to the input
 * size: {@code Resize} (linear, half-pixel) in PyTorch and mmsegmentation exports, nearest repetition and average
 * pooling in segstream's own exports ({@code GraphBlocks.upsampleBilinear}). On a CPU that tail can cost as much as
 * the rest of the network (it writes classes x height x width floats several times), and the argmax after it reads
 * them all again; a caller that has the low-resolution scores can upsample only where the class can change
 * ({@code MaskPostprocessor}).
 *
 * <p>The tail is the longest chain of {@code Resize}, {@code AveragePool} and {@code Identity} nodes that ends in
 * the scores output, each feeding only the next, with at least one {@code Resize}. Which function the chain computes
 * is not read from its attributes: the caller checks numerically that the cut model's scores, upsampled bilinearly,
 * give the whole model's (see {@code OnnxSegmenter}).
 *
 * <pre>{@code
 * Optional<UpsamplingTail> tail = UpsamplingTail.find(onnx, "logits");
 * byte[] cut = tail.get().cutModel();   // outputs tail.get().scoresBefore() instead of "logits"
 * }</pre>
 *
 * @param scoresBefore the tensor the tail upsamples: the cut model's output
 * @param nodes        the tail's node types, first to last
 * @param cutModel     the model without the tail, whose only output is {@code scoresBefore}
 */
public record UpsamplingTail(String scoresBefore, List<String> nodes, byte[] cutModel) {
    private static final Set<String> SPATIAL = Set.of("Resize", "AveragePool", "Identity");

    /**
     * The upsampling tail before the output {@code scores} of {@code onnx}, if it has one.
     *
     * @throws IllegalArgumentException when {@code onnx} does not parse or has no output {@code scores}
     */
    public static Optional<UpsamplingTail> find(byte[] onnx, String scores) {
        ModelProto model = QdqQuantizer.parse(onnx);
        GraphProto graph = model.getGraph();
        if (graph.getOutputList().stream().noneMatch(o -> o.getName().equals(scores))) {
            throw new IllegalArgumentException("the graph has no output '" + scores + "'; its outputs are "
                    + graph.getOutputList().stream().map(ValueInfoProto::getName).toList());
        }
        Set<String> graphOutputs = new HashSet<>();
        graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
        List<Integer> chain = new ArrayList<>();
        String tensor = scores;
        while (true) {
            int producer = producerOf(graph, tensor);
            if (producer < 0) {
                break;
            }
            NodeProto n = graph.getNode(producer);
            if (!SPATIAL.contains(n.getOpType()) || n.getOutputCount() != 1 || n.getInputCount() == 0) {
                break;
            }
            String in = n.getInput(0);
            chain.add(0, producer);
            tensor = in;
            // the chain goes on only through tensors that nothing else reads and nobody sees
            if (consumers(graph, in) != 1 || graphOutputs.contains(in)) {
                break;
            }
        }
        // the earliest node may be one whose input is read elsewhere: the cut keeps that input as it is
        while (!chain.isEmpty() && !graph.getNode(chain.get(0)).getOpType().equals("Resize")) {
            chain.remove(0);
        }
        if (chain.isEmpty()) {
            return Optional.empty();
        }
        String before = graph.getNode(chain.get(0)).getInput(0);
        if (producerOf(graph, before) < 0) {
            return Optional.empty();   // the whole graph is an upsampling: nothing to cut
        }
        Set<Integer> dropped = new HashSet<>(chain);
        GraphProto.Builder g = graph.toBuilder().clearNode().clearOutput();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (!dropped.contains(i)) {
                g.addNode(graph.getNode(i));
            }
        }
        for (ValueInfoProto o : graph.getOutputList()) {
            g.addOutput(o.getName().equals(scores)
                    ? ValueInfoProto.newBuilder().setName(before).setType(TypeProto.newBuilder()
                            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE)))
                            .build()
                    : o);
        }
        // nodes that only fed the cut ones (a Resize's computed sizes), then initializers nothing reads any more
        Set<String> outputs = new HashSet<>();
        g.getOutputList().forEach(o -> outputs.add(o.getName()));
        boolean removed = true;
        while (removed) {
            Set<String> read = new HashSet<>(outputs);
            g.getNodeList().forEach(n -> read.addAll(n.getInputList()));
            List<NodeProto> live = g.getNodeList().stream()
                    .filter(n -> n.getOutputList().stream().anyMatch(read::contains)).toList();
            removed = live.size() < g.getNodeCount();
            g.clearNode().addAllNode(live);
        }
        Set<String> used = new HashSet<>();
        g.getNodeList().forEach(n -> used.addAll(n.getInputList()));
        List<io.segstream.core.onnx.proto.Onnx.TensorProto> kept = g.getInitializerList().stream()
                .filter(t -> used.contains(t.getName()) || graphOutputs.contains(t.getName())).toList();
        g.clearInitializer().addAllInitializer(kept);
        List<String> types = chain.stream().map(i -> graph.getNode(i).getOpType()).toList();
        return Optional.of(new UpsamplingTail(before, types, model.toBuilder().setGraph(g).build().toByteArray()));
    }

    /** The index of the node that writes {@code tensor}, or -1 (a graph input, an initializer, or nothing). */
    static int producerOf(GraphProto graph, String tensor) {
        for (int i = 0; i < graph.getNodeCount(); i++) {
            if (graph.getNode(i).getOutputList().contains(tensor)) {
                return i;
            }
        }
        return -1;
    }

    private static int consumers(GraphProto graph, String tensor) {
        int n = 0;
        for (NodeProto node : graph.getNodeList()) {
            for (String in : node.getInputList()) {
                if (in.equals(tensor)) {
                    n++;
                }
            }
        }
        return n;
    }
}
