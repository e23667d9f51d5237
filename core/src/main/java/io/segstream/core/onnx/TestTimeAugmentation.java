package io.segstream.core.onnx;

import com.google.protobuf.ByteString;
import io.segstream.core.onnx.proto.Onnx.AttributeProto;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.OperatorSetIdProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.TensorShapeProto;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one ONNX model that runs segmentation models at several input sizes, optionally also on the horizontally
 * flipped frame, and averages their class scores: the multi-scale and flip test-time augmentation of
 * mmsegmentation's {@code aug_test}, as a single graph that ONNX Runtime (and TensorRT) runs like any model. The
 * composed model takes the frame at {@code inputWidth x inputHeight}; each member gets it resized bilinearly
 * (half-pixel centres, as the frame preprocessing resizes) to its own input size, and its scores are resized the same
 * way to {@code outputWidth x outputHeight} before the mean. The members' weights are in the graph once, shared by a
 * member's plain and flipped branches.
 *
 * <pre>{@code
 * byte[] tta = TestTimeAugmentation.compose(List.of(
 *         new TestTimeAugmentation.Member(small, "image", "logits", 512, 256),
 *         new TestTimeAugmentation.Member(large, "image", "logits", 1024, 512)),
 *     true, 1024, 512, 512, 256);   // flip too; frames at 1024x512, scores at 512x256
 * }</pre>
 */
public final class TestTimeAugmentation {
    /** The composed model's input and output names. */
    public static final String INPUT = "image";
    public static final String OUTPUT = "logits";

    private TestTimeAugmentation() {}

    /**
     * One model: its ONNX bytes, input and output names, and input size. Its input is [N, 3, H, W] and its output
     * class scores [N, C, H', W'].
     */
    public record Member(byte[] onnx, String input, String output, int width, int height) {}

    /** The size of a member's class scores before its final upsampling. */
    public record Grid(int width, int height) {}

    /**
     * The composed model.
     *
     * @throws IllegalArgumentException when a member does not parse, lacks its input or output, holds a subgraph, or
     *     the members disagree on their ONNX opset
     */
    public static byte[] compose(List<Member> members, boolean flip, int inputWidth, int inputHeight, int outputWidth,
            int outputHeight) {
        List<ModelProto> models = parse(members);
        List<long[]> dims = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            dims.add(outputDims(models.get(i).getGraph(), members.get(i).output()));
        }
        return build(members, models, dims, dims.get(0)[1], flip, inputWidth, inputHeight, outputWidth, outputHeight,
                outputWidth, outputHeight);
    }

    /**
     * The composed model, averaging the members' class scores before their final bilinear upsampling
     * ({@link UpsamplingTail}): each member's scores are resized bilinearly to the largest member's score grid and
     * mirrored back there, and the mean is upsampled once to {@code outputWidth x outputHeight}. Upsampling is
     * linear, so this is the mean of the upsampled scores up to how the grids are interpolated, for a fraction of the
     * cost: the full-size score maps of every branch are never made, and the one upsampling left is the kind a
     * segmenter fuses with its argmax.
     *
     * @param grids each member's score size before its upsampling, in member order
     * @throws IllegalArgumentException as {@link #compose}, and when a member has no final upsampling
     */
    public static byte[] composeBeforeUpsampling(List<Member> members, List<Grid> grids, boolean flip, int inputWidth,
            int inputHeight, int outputWidth, int outputHeight) {
        if (grids.size() != members.size()) {
            throw new IllegalArgumentException(members.size() + " members but " + grids.size() + " score grids");
        }
        List<ModelProto> whole = parse(members);
        long classes = outputDims(whole.get(0).getGraph(), members.get(0).output())[1];
        List<Member> cut = new ArrayList<>();
        List<long[]> dims = new ArrayList<>();
        Grid largest = grids.get(0);
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            int position = i + 1;
            UpsamplingTail tail = UpsamplingTail.find(m.onnx(), m.output()).orElseThrow(
                    () -> new IllegalArgumentException("member " + position + " (" + m.width() + "x" + m.height()
                            + ") does not end in an upsampling of its scores, so its scores cannot be averaged before"
                            + " one"));
            cut.add(new Member(tail.cutModel(), m.input(), tail.scoresBefore(), m.width(), m.height()));
            Grid grid = grids.get(i);
            dims.add(new long[] {-1, classes, grid.height(), grid.width()});
            if ((long) grid.width() * grid.height() > (long) largest.width() * largest.height()) {
                largest = grid;
            }
        }
        return build(cut, parse(cut), dims, classes, flip, inputWidth, inputHeight, largest.width(), largest.height(),
                outputWidth, outputHeight);
    }

    private static List<ModelProto> parse(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no model to compose; give at least one");
        }
        List<ModelProto> models = new ArrayList<>();
        for (Member m : members) {
            models.add(QdqQuantizer.parse(m.onnx()));
        }
        long opset = opset(models.get(0));
        for (ModelProto m : models) {
            if (opset(m) != opset) {
                throw new IllegalArgumentException("the models use ONNX opsets " + opset + " and " + opset(m)
                        + "; export them with the same opset");
            }
        }
        return models;
    }

    /**
     * The graph: every member (and its mirror) on the frame resized to its input, its scores ({@code dims}: [N, C, H,
     * W]) resized to {@code meanWidth x meanHeight} and averaged there, the mean resized to the output size.
     */
    private static byte[] build(List<Member> members, List<ModelProto> models, List<long[]> dims, long classes,
            boolean flip, int inputWidth, int inputHeight, int meanWidth, int meanHeight, int outputWidth,
            int outputHeight) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("tta");
        g.addInput(tensor(INPUT, "batch", 3, inputHeight, inputWidth));
        List<String> scores = new ArrayList<>();
        Map<TensorKey, String> shared = new HashMap<>();
        int count = 0;
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            GraphProto member = models.get(i).getGraph();
            String prefix = "m" + i + "_";
            String in = resize(g, INPUT, prefix + "input", m.height(), m.width(), inputHeight, inputWidth);
            Map<String, String> names = addInitializers(g, member, prefix, shared);
            String out = branch(g, member, m, in, prefix, names);
            int branches = 1;
            if (flip) {
                // mirroring commutes with the half-pixel resize, so the smaller tensor is mirrored; the mirrored
                // branch's scores are mirrored back and added at the member's own size, and resized once with the
                // plain ones (resizing is linear)
                String inFlipped = flip(g, in, prefix + "flipped_input");
                String back = flip(g, branch(g, member, m, inFlipped, prefix + "flip_", names),
                        prefix + "flip_scores_unflipped");
                out = node(g, "Add", prefix + "plain_and_mirrored", List.of(out, back));
                branches = 2;
            }
            long[] d = dims.get(i);
            scores.add(resize(g, out, prefix + "scores", meanHeight, meanWidth, (int) d[2], (int) d[3]));
            count += branches;
        }
        String sum = scores.size() == 1 ? scores.get(0) : node(g, "Sum", "tta_sum", scores);
        boolean upsample = meanWidth != outputWidth || meanHeight != outputHeight;
        String mean = upsample ? "tta_mean" : OUTPUT;
        String scale = "tta_mean_scale";
        g.addInitializer(QdqQuantizer.scalar(scale, 1f / count));
        g.addNode(NodeProto.newBuilder().setOpType("Mul").setName(mean).addInput(sum).addInput(scale)
                .addOutput(mean));
        if (upsample) {
            resize(g, mean, OUTPUT, outputHeight, outputWidth, meanHeight, meanWidth);
        }
        g.addOutput(tensor(OUTPUT, "batch", classes, outputHeight, outputWidth));
        return ModelProto.newBuilder().setIrVersion(models.get(0).getIrVersion())
                .setProducerName("segstream-tta").addOpsetImport(OperatorSetIdProto.newBuilder()
                        .setVersion(opset(models.get(0))))
                .setGraph(g).build().toByteArray();
    }

    /** Copies the member's nodes with every tensor renamed: its input to {@code in}, initializers as mapped. */
    private static String branch(GraphProto.Builder g, GraphProto member, Member m, String in, String prefix,
            Map<String, String> initializers) {
        if (member.getInputList().stream().noneMatch(v -> v.getName().equals(m.input()))) {
            throw new IllegalArgumentException("the model has no input '" + m.input() + "'");
        }
        if (member.getOutputList().stream().noneMatch(v -> v.getName().equals(m.output()))) {
            throw new IllegalArgumentException("the model has no output '" + m.output() + "'");
        }
        Map<String, String> names = new HashMap<>(initializers);
        names.put(m.input(), in);
        names.put("", "");
        for (NodeProto n : member.getNodeList()) {
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG() || a.getGraphsCount() > 0) {
                    throw new IllegalArgumentException("operator " + n.getOpType() + " holds a subgraph, which"
                            + " composing does not support");
                }
            }
            NodeProto.Builder b = n.toBuilder().setName(prefix + n.getName()).clearInput().clearOutput();
            for (String x : n.getInputList()) {
                b.addInput(names.computeIfAbsent(x, k -> prefix + k));
            }
            for (String y : n.getOutputList()) {
                b.addOutput(names.computeIfAbsent(y, k -> prefix + k));
            }
            g.addNode(b);
        }
        return names.get(m.output());
    }

    /**
     * Adds the member's initializers under its prefix, except those equal (type, shape, bytes) to one already in the
     * graph, which are shared: one network exported at several sizes holds its weights once.
     */
    private static Map<String, String> addInitializers(GraphProto.Builder g, GraphProto member, String prefix,
            Map<TensorKey, String> present) {
        Map<String, String> names = new HashMap<>();
        for (TensorProto t : member.getInitializerList()) {
            TensorKey key = new TensorKey(t.toBuilder().setName("").build());
            String existing = present.get(key);
            if (existing != null) {
                names.put(t.getName(), existing);
            } else {
                names.put(t.getName(), prefix + t.getName());
                present.put(key, prefix + t.getName());
                g.addInitializer(t.toBuilder().setName(prefix + t.getName()));
            }
        }
        return names;
    }

    /** A tensor without its name, compared by content. */
    private record TensorKey(TensorProto unnamed) {}

    /** {@code x} resized to {@code height x width} (bilinear, half-pixel); {@code x} itself at its own size. */
    private static String resize(GraphProto.Builder g, String x, String out, int height, int width, int fromHeight,
            int fromWidth) {
        if (height == fromHeight && width == fromWidth) {
            return x;
        }
        if (fromHeight == 2 * height && fromWidth == 2 * width) {
            // halving with half-pixel bilinear samples between each 2x2 block's pixels: its mean, which AveragePool
            // computes for less
            g.addNode(NodeProto.newBuilder().setOpType("AveragePool").setName(out).addInput(x).addOutput(out)
                    .addAttribute(OnnxGraphBuilder.ints("kernel_shape", 2, 2))
                    .addAttribute(OnnxGraphBuilder.ints("strides", 2, 2)));
            return out;
        }
        // Resize (opset < 18) needs the full output shape: the batch and channel counts come from x
        String shape = node(g, "Shape", out + "_shape", List.of(x));
        String lead = out + "_lead";
        g.addNode(NodeProto.newBuilder().setOpType("Slice").setName(lead).addInput(shape)
                .addInput(int64s(g, out + "_lead_start", 0)).addInput(int64s(g, out + "_lead_end", 2))
                .addOutput(lead));
        String sizes = out + "_sizes";
        g.addNode(NodeProto.newBuilder().setOpType("Concat").setName(sizes).addInput(lead)
                .addInput(int64s(g, out + "_size", height, width)).addOutput(sizes)
                .addAttribute(OnnxGraphBuilder.attr("axis", 0L)));
        g.addNode(NodeProto.newBuilder().setOpType("Resize").setName(out).addInput(x).addInput("").addInput("")
                .addInput(sizes).addOutput(out)
                .addAttribute(OnnxGraphBuilder.attr("mode", "linear"))
                .addAttribute(OnnxGraphBuilder.attr("coordinate_transformation_mode", "half_pixel")));
        return out;
    }

    /** {@code x} mirrored along its last axis (width). */
    private static String flip(GraphProto.Builder g, String x, String out) {
        g.addNode(NodeProto.newBuilder().setOpType("Slice").setName(out).addInput(x)
                .addInput(int64s(g, out + "_start", -1)).addInput(int64s(g, out + "_end", Long.MIN_VALUE))
                .addInput(int64s(g, out + "_axis", 3)).addInput(int64s(g, out + "_step", -1)).addOutput(out));
        return out;
    }

    private static String node(GraphProto.Builder g, String op, String out, List<String> inputs) {
        g.addNode(NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(inputs).addOutput(out));
        return out;
    }

    private static String int64s(GraphProto.Builder g, String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(DataType.INT64_VALUE)
                .addDims(values.length).setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    private static ValueInfoProto tensor(String name, String batch, long channels, long height, long width) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (long d : new long[] {channels, height, width}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static long opset(ModelProto m) {
        return m.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()).mapToLong(
                OperatorSetIdProto::getVersion).findFirst().orElse(0);
    }

    /** The dimensions of the member's output [N, C, H, W], -1 where not fixed; the class count must be. */
    private static long[] outputDims(GraphProto graph, String output) {
        Set<String> seen = new HashSet<>();
        for (ValueInfoProto v : graph.getOutputList()) {
            seen.add(v.getName());
            if (v.getName().equals(output)) {
                TensorShapeProto s = v.getType().getTensorType().getShape();
                if (s.getDimCount() != 4 || !s.getDim(1).hasDimValue()) {
                    throw new IllegalArgumentException("output '" + output + "' is not [N, C, H, W] with a fixed class"
                            + " count");
                }
                long[] dims = new long[4];
                for (int i = 0; i < 4; i++) {
                    dims[i] = s.getDim(i).hasDimValue() ? s.getDim(i).getDimValue() : -1;
                }
                return dims;
            }
        }
        throw new IllegalArgumentException("the model has no output '" + output + "'; its outputs are " + seen);
    }
}
