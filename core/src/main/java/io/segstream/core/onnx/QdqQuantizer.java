package io.segstream.core.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.OperatorSetIdProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rewrites a float ONNX model as an INT8 QDQ model that ONNX Runtime runs with integer kernels: every {@code Conv} and
 * {@code ConvTranspose} weight initializer becomes int8, symmetric, one scale per output channel, read through
 * {@code DequantizeLinear}; every convolution's data input gets {@code QuantizeLinear -> DequantizeLinear} (uint8,
 * asymmetric, from a calibrated {@link ActivationRange}). Biases stay float. A {@code BatchNormalization} right after
 * a {@code Conv} is folded into it first. ONNX Runtime fuses the QDQ groups into {@code QLinearConv} when it optimises
 * the session.
 *
 * <pre>{@code
 * List<String> tensors = QdqQuantizer.activationTensors(onnx);          // what to calibrate
 * byte[] int8 = QdqQuantizer.quantize(onnx, calibrator.ranges());
 * }</pre>
 */
public final class QdqQuantizer {
    /** The default-domain opset the per-channel {@code DequantizeLinear} (its {@code axis}) needs. */
    public static final long MIN_OPSET = 13;

    /**
     * Operators whose signature and meaning are the same from opset 11 to 13 (13 only added types), so that a model
     * of opset 11 or 12 made of them alone can be raised to 13.
     */
    private static final Set<String> SAME_FROM_11_TO_13 = Set.of("Conv", "ConvTranspose", "Relu", "LeakyRelu",
            "Sigmoid", "Tanh", "HardSigmoid", "Add", "Sub", "Mul", "Div", "Concat", "MaxPool", "AveragePool",
            "GlobalAveragePool", "BatchNormalization", "Identity", "Transpose", "Reshape", "Resize", "Cast",
            "ArgMax", "Flatten", "Gemm", "MatMul", "Shape", "Gather", "Constant", "Clip", "Upsample");

    private QdqQuantizer() {}

    /**
     * One scale per output channel for symmetric int8: {@code max |w| / 127} over the channel's weights
     * ({@code weights} row-major, {@code channels} equal consecutive blocks); 1 for an all-zero channel.
     */
    public static float[] perChannelScales(float[] weights, int channels) {
        if (channels <= 0 || weights.length % channels != 0) {
            throw new IllegalArgumentException(weights.length + " weights do not split into " + channels
                    + " output channels");
        }
        int per = weights.length / channels;
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float max = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                max = Math.max(max, Math.abs(weights[i]));
            }
            scales[c] = max > 0 ? max / 127f : 1f;
        }
        return scales;
    }

    /** {@code round(w / scale)} per channel, clamped to [-127, 127]. */
    public static byte[] quantizeSymmetric(float[] weights, float[] scales) {
        int per = weights.length / scales.length;
        byte[] q = new byte[weights.length];
        for (int i = 0; i < weights.length; i++) {
            int v = Math.round(weights[i] / scales[i / per]);
            q[i] = (byte) Math.max(-127, Math.min(127, v));
        }
        return q;
    }

    /**
     * Whether {@code onnx} is a QDQ-quantized model (it holds a {@code QuantizeLinear} or {@code DequantizeLinear}
     * node), as {@link #quantize} writes them.
     *
     * @throws IllegalArgumentException when {@code onnx} does not parse
     */
    public static boolean isQuantized(byte[] onnx) {
        for (NodeProto n : parse(onnx).getGraph().getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear") || n.getOpType().equals("DequantizeLinear")) {
                return true;
            }
        }
        return false;
    }

    /** The data inputs of every convolution that are computed or graph inputs (not initializers), in graph order. */
    public static List<String> activationTensors(byte[] onnx) {
        return List.copyOf(activationTensors(parse(onnx).getGraph()));
    }

    private static Set<String> activationTensors(GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(t -> initializers.add(t.getName()));
        Set<String> tensors = new LinkedHashSet<>();
        for (NodeProto n : graph.getNodeList()) {
            if (isConv(n) && !initializers.contains(n.getInput(0))) {
                tensors.add(n.getInput(0));
            }
        }
        return tensors;
    }

    /**
     * The QDQ model: weights quantized per channel, and each convolution data input that {@code ranges} names
     * quantized with its range (an empty map quantizes weights only).
     *
     * @throws IllegalArgumentException when {@code onnx} does not parse, has no convolution with an initializer
     *     weight, or has an opset below 13 with operators that cannot be raised to 13
     */
    public static byte[] quantize(byte[] onnx, Map<String, ActivationRange> ranges) {
        ModelProto model = withOpset13(foldBatchNorms(parse(onnx)));
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new HashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));

        Names names = new Names(graph);
        List<NodeProto> front = new ArrayList<>(); // DequantizeLinear of the weights, and Q/DQ of graph inputs
        List<TensorProto> added = new ArrayList<>();
        Map<String, String> dequantizedWeight = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (!isConv(n) || n.getInputCount() < 2 || dequantizedWeight.containsKey(n.getInput(1))) {
                continue;
            }
            TensorProto w = initializers.get(n.getInput(1));
            if (w == null || w.getDataType() != DataType.FLOAT_VALUE || w.getDimsCount() < 3) {
                continue;
            }
            // Conv weights are [out, in/group, k...]; ConvTranspose weights [in, out/group, k...], per channel of
            // axis 1 only when there is one group
            int axis = n.getOpType().equals("Conv") ? 0 : 1;
            if (axis == 1 && group(n) != 1) {
                continue;
            }
            dequantizedWeight.put(w.getName(), quantizeWeight(w, axis, names, front, added));
        }
        if (dequantizedWeight.isEmpty()) {
            throw new IllegalArgumentException("the model has no Conv or ConvTranspose with a float weight"
                    + " initializer, so there is nothing to quantize");
        }

        Set<String> activations = activationTensors(graph);
        Map<String, String> dequantizedActivation = new HashMap<>();
        Map<String, List<NodeProto>> qdqAfter = new HashMap<>();
        Set<String> graphInputs = new HashSet<>();
        graph.getInputList().forEach(v -> graphInputs.add(v.getName()));
        for (String t : activations) {
            ActivationRange r = ranges.get(t);
            if (r == null) {
                continue;
            }
            String scale = names.fresh(t + "_scale");
            String zero = names.fresh(t + "_zero_point");
            added.add(scalar(scale, r.scale()));
            added.add(TensorProto.newBuilder().setName(zero).setDataType(DataType.UINT8_VALUE)
                    .setRawData(ByteString.copyFrom(new byte[] {(byte) r.zeroPoint()})).build());
            String q = names.fresh(t + "_quantized");
            String dq = names.fresh(t + "_dequantized");
            List<NodeProto> pair = List.of(
                    NodeProto.newBuilder().setOpType("QuantizeLinear").setName(q).addInput(t).addInput(scale)
                            .addInput(zero).addOutput(q).build(),
                    NodeProto.newBuilder().setOpType("DequantizeLinear").setName(dq).addInput(q).addInput(scale)
                            .addInput(zero).addOutput(dq).build());
            if (graphInputs.contains(t)) {
                front.addAll(pair);
            } else {
                qdqAfter.put(t, pair);
            }
            dequantizedActivation.put(t, dq);
        }

        List<NodeProto> nodes = new ArrayList<>(front);
        Set<String> stillRead = new HashSet<>();
        for (NodeProto n : graph.getNodeList()) {
            NodeProto.Builder b = n.toBuilder();
            if (isConv(n)) {
                String dq = dequantizedActivation.get(n.getInput(0));
                if (dq != null) {
                    b.setInput(0, dq);
                }
                String w = n.getInputCount() > 1 ? dequantizedWeight.get(n.getInput(1)) : null;
                if (w != null) {
                    b.setInput(1, w);
                }
            }
            NodeProto rewritten = b.build();
            stillRead.addAll(rewritten.getInputList());
            nodes.add(rewritten);
            for (String out : n.getOutputList()) {
                nodes.addAll(qdqAfter.getOrDefault(out, List.of()));
            }
        }
        graph.getOutputList().forEach(v -> stillRead.add(v.getName()));

        GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        for (TensorProto t : graph.getInitializerList()) {
            // a float weight that only convolutions read is replaced by its int8 copy
            if (!dequantizedWeight.containsKey(t.getName()) || stillRead.contains(t.getName())) {
                g.addInitializer(t);
            }
        }
        g.addAllInitializer(added);
        // IR < 4 lists initializers as inputs too; drop the ones removed
        List<ValueInfoProto> inputs = new ArrayList<>();
        for (ValueInfoProto v : graph.getInputList()) {
            if (!dequantizedWeight.containsKey(v.getName()) || stillRead.contains(v.getName())) {
                inputs.add(v);
            }
        }
        g.clearInput().addAllInput(inputs);
        return model.toBuilder().setGraph(g).build().toByteArray();
    }

    /**
     * The model with every {@code BatchNormalization} that alone reads a {@code Conv}'s output folded into that
     * convolution's weight and bias ({@code w * s}, {@code (b - mean) * s + beta}, {@code s = gamma / sqrt(var +
     * eps)}), so that the quantized weights are the ones the convolution really applies and ONNX Runtime finds
     * {@code Conv -> QuantizeLinear} to fuse (it does not fold a normalisation into a dequantized weight itself).
     */
    static ModelProto foldBatchNorms(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> init = new HashMap<>();
        graph.getInitializerList().forEach(t -> init.put(t.getName(), t));
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            n.getInputList().forEach(i -> readers.merge(i, 1, Integer::sum));
        }
        graph.getOutputList().forEach(v -> readers.merge(v.getName(), 1, Integer::sum));
        Map<String, NodeProto> convByOutput = new HashMap<>();
        for (NodeProto n : graph.getNodeList()) {
            if (n.getDomain().isEmpty() && n.getOpType().equals("Conv") && n.getOutputCount() == 1) {
                convByOutput.put(n.getOutput(0), n);
            }
        }
        Names names = new Names(graph);
        Map<NodeProto, NodeProto> replaced = new HashMap<>(); // conv -> folded conv
        Set<NodeProto> removed = new HashSet<>();
        List<TensorProto> added = new ArrayList<>();
        for (NodeProto bn : graph.getNodeList()) {
            if (!bn.getDomain().isEmpty() || !bn.getOpType().equals("BatchNormalization") || bn.getOutputCount() != 1
                    || bn.getInputCount() != 5) {
                continue;
            }
            NodeProto conv = convByOutput.get(bn.getInput(0));
            if (conv == null || replaced.containsKey(conv) || readers.getOrDefault(bn.getInput(0), 0) != 1) {
                continue;
            }
            TensorProto w = init.get(conv.getInput(1));
            TensorProto b = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty() ? init.get(conv.getInput(2)) : null;
            List<TensorProto> params = new ArrayList<>();
            for (int i = 1; i < 5; i++) {
                params.add(init.get(bn.getInput(i)));
            }
            if (w == null || w.getDataType() != DataType.FLOAT_VALUE || (conv.getInputCount() > 2 && b == null)
                    || params.stream().anyMatch(t -> t == null || t.getDataType() != DataType.FLOAT_VALUE)) {
                continue;
            }
            float eps = (float) bn.getAttributeList().stream().filter(a -> a.getName().equals("epsilon"))
                    .mapToDouble(a -> a.getF()).findFirst().orElse(1e-5);
            float[] gamma = floats(params.get(0));
            float[] beta = floats(params.get(1));
            float[] mean = floats(params.get(2));
            float[] var = floats(params.get(3));
            float[] weights = floats(w);
            int out = (int) w.getDims(0);
            if (gamma.length != out || beta.length != out || mean.length != out || var.length != out) {
                continue;
            }
            float[] bias = b == null ? new float[out] : floats(b);
            int per = weights.length / out;
            float[] fw = new float[weights.length];
            float[] fb = new float[out];
            for (int o = 0; o < out; o++) {
                float scale = (float) (gamma[o] / Math.sqrt(var[o] + eps));
                for (int i = o * per; i < (o + 1) * per; i++) {
                    fw[i] = weights[i] * scale;
                }
                fb[o] = (bias[o] - mean[o]) * scale + beta[o];
            }
            String wName = names.fresh(bn.getOutput(0) + "_folded_weight");
            String bName = names.fresh(bn.getOutput(0) + "_folded_bias");
            added.add(floatTensor(wName, fw, w.getDimsList()));
            added.add(floatTensor(bName, fb, List.of((long) out)));
            NodeProto.Builder folded = conv.toBuilder().setOutput(0, bn.getOutput(0)).setInput(1, wName);
            if (conv.getInputCount() > 2) {
                folded.setInput(2, bName);
            } else {
                folded.addInput(bName);
            }
            replaced.put(conv, folded.build());
            removed.add(bn);
        }
        if (removed.isEmpty()) {
            return model;
        }
        List<NodeProto> nodes = new ArrayList<>();
        for (NodeProto n : graph.getNodeList()) {
            if (!removed.contains(n)) {
                nodes.add(replaced.getOrDefault(n, n));
            }
        }
        Set<String> read = new HashSet<>();
        nodes.forEach(n -> read.addAll(n.getInputList()));
        graph.getOutputList().forEach(v -> read.add(v.getName()));
        GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(nodes).clearInitializer();
        graph.getInitializerList().stream().filter(t -> read.contains(t.getName())).forEach(g::addInitializer);
        g.addAllInitializer(added);
        List<ValueInfoProto> inputs = graph.getInputList().stream()
                .filter(v -> !init.containsKey(v.getName()) || read.contains(v.getName())).toList();
        g.clearInput().addAllInput(inputs);
        return model.toBuilder().setGraph(g).build();
    }

    /** A float tensor {@code name} of {@code values} (raw little-endian data) and shape {@code dims}. */
    static TensorProto floatTensor(String name, float[] values, List<Long> dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT_VALUE).addAllDims(dims)
                .setRawData(ByteString.copyFrom(raw.array())).build();
    }

    /** Adds the int8 weight, its scales and zero points, and its DequantizeLinear; returns the dequantized name. */
    private static String quantizeWeight(TensorProto w, int axis, Names names, List<NodeProto> nodes,
            List<TensorProto> added) {
        float[] values = floats(w);
        int channels = (int) w.getDims(axis);
        float[] scales;
        byte[] q;
        if (axis == 0) {
            scales = perChannelScales(values, channels);
            q = quantizeSymmetric(values, scales);
        } else {
            // axis 1 of [in, out, k...]: transpose the first two axes, quantize, transpose back
            int in = (int) w.getDims(0);
            int k = values.length / (in * channels);
            float[] t = new float[values.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < channels; o++) {
                    System.arraycopy(values, (i * channels + o) * k, t, (o * in + i) * k, k);
                }
            }
            scales = perChannelScales(t, channels);
            byte[] qt = quantizeSymmetric(t, scales);
            q = new byte[qt.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < channels; o++) {
                    System.arraycopy(qt, (o * in + i) * k, q, (i * channels + o) * k, k);
                }
            }
        }
        String name = w.getName();
        String quantized = names.fresh(name + "_quantized");
        String scale = names.fresh(name + "_scale");
        String zero = names.fresh(name + "_zero_point");
        TensorProto.Builder qw = TensorProto.newBuilder().setName(quantized)
                .setDataType(DataType.INT8_VALUE).setRawData(ByteString.copyFrom(q));
        qw.addAllDims(w.getDimsList());
        added.add(qw.build());
        ByteBuffer s = ByteBuffer.allocate(channels * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        s.asFloatBuffer().put(scales);
        added.add(TensorProto.newBuilder().setName(scale).setDataType(DataType.FLOAT_VALUE)
                .addDims(channels).setRawData(ByteString.copyFrom(s.array())).build());
        added.add(TensorProto.newBuilder().setName(zero).setDataType(DataType.INT8_VALUE)
                .addDims(channels).setRawData(ByteString.copyFrom(new byte[channels])).build());
        String dq = names.fresh(name + "_dequantized");
        nodes.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(dq).addInput(quantized)
                .addInput(scale).addInput(zero).addOutput(dq)
                .addAttribute(OnnxGraphBuilder.attr("axis", (long) axis)).build());
        return dq;
    }

    /** The model with its default-domain opset raised to 13 where lower, or a refusal that says why it cannot be. */
    private static ModelProto withOpset13(ModelProto model) {
        ModelProto.Builder m = model.toBuilder();
        for (int i = 0; i < m.getOpsetImportCount(); i++) {
            OperatorSetIdProto op = m.getOpsetImport(i);
            if (!(op.getDomain().isEmpty() || op.getDomain().equals("ai.onnx")) || op.getVersion() >= MIN_OPSET) {
                continue;
            }
            Set<String> unsafe = new TreeSet<>();
            model.getGraph().getNodeList().stream().filter(n -> n.getDomain().isEmpty())
                    .map(NodeProto::getOpType).filter(t -> !SAME_FROM_11_TO_13.contains(t)).forEach(unsafe::add);
            if (op.getVersion() < 11 || !unsafe.isEmpty()) {
                throw new IllegalArgumentException("the model uses opset " + op.getVersion() + ", per-channel"
                        + " quantization needs opset 13, and "
                        + (op.getVersion() < 11 ? "opsets below 11 are not raised" : "its operators " + unsafe
                                + " may change meaning at 13")
                        + "; export the model at opset 13 or later");
            }
            m.setOpsetImport(i, op.toBuilder().setVersion(MIN_OPSET));
        }
        return m.build();
    }

    /** Every tensor and node name of a graph, and new ones that collide with none of them. */
    private static final class Names {
        private final Set<String> taken = new HashSet<>();

        Names(GraphProto graph) {
            graph.getInputList().forEach(v -> taken.add(v.getName()));
            graph.getOutputList().forEach(v -> taken.add(v.getName()));
            graph.getInitializerList().forEach(t -> taken.add(t.getName()));
            for (NodeProto n : graph.getNodeList()) {
                taken.addAll(n.getOutputList());
                taken.add(n.getName());
            }
        }

        /** {@code base}, or {@code base_2}, {@code base_3}... whichever is still free; it is taken from now on. */
        String fresh(String base) {
            String name = base;
            for (int i = 2; !taken.add(name); i++) {
                name = base + "_" + i;
            }
            return name;
        }
    }

    private static boolean isConv(NodeProto n) {
        return n.getDomain().isEmpty() && (n.getOpType().equals("Conv") || n.getOpType().equals("ConvTranspose"));
    }

    private static long group(NodeProto n) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals("group")).mapToLong(a -> a.getI())
                .findFirst().orElse(1);
    }

    /** The values of a float tensor, stored as raw little-endian bytes or as {@code float_data}. */
    public static float[] floats(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            float[] v = new float[t.getRawData().size() / Float.BYTES];
            t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            return v;
        }
        float[] v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getFloatData(i);
        }
        return v;
    }

    /** A float scalar tensor {@code name}. */
    static TensorProto scalar(String name, float value) {
        ByteBuffer b = ByteBuffer.allocate(Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, value);
        return TensorProto.newBuilder().setName(name).setDataType(DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    static ModelProto parse(byte[] onnx) {
        try {
            return ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model (" + e.getMessage() + ")", e);
        }
    }
}
