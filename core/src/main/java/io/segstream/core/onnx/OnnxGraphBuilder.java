package io.segstream.core.onnx;

import com.google.protobuf.ByteString;
import io.segstream.core.onnx.proto.Onnx.AttributeProto;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.OperatorSetIdProto;
import io.segstream.core.onnx.proto.Onnx.StringStringEntryProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.onnx.proto.Onnx.TensorShapeProto;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes standard ONNX models (IR version 8, default-domain opset 17) from graph inputs, float
 * initializers and nodes, so that segstream makes real models without a Python tool chain.
 *
 * <p>Every node method returns the name of the tensor it produces; by default names are generated
 * ({@code conv_3}), {@link #named(String)} names the next one. Nodes must be added in topological order.
 * {@link #build()} checks the whole graph in one place (every input defined, no name produced twice,
 * declared outputs exist, initializer sizes match their shapes) and says what to fix.
 *
 * <pre>{@code
 * OnnxGraphBuilder g = OnnxGraphBuilder.create("tiny");
 * String x = g.input("image", DataType.FLOAT, -1, 3, 64, 64);          // -1: symbolic batch dimension
 * String w = g.initializer("w", weights, 8, 3, 3, 3);
 * String b = g.initializer("b", bias, 8);
 * String y = g.relu(g.conv(x, w, b, ConvParams.same(3)));
 * g.output(g.named("logits").conv(y, w2, b2, ConvParams.valid()), DataType.FLOAT, -1, 20, 64, 64);
 * g.write(Path.of("model.onnx"));
 * }</pre>
 *
 * <p>Not thread-safe; build one model per instance.
 */
public final class OnnxGraphBuilder {
    /** The ONNX IR version of written models. */
    public static final long IR_VERSION = 8;
    /** The default-domain operator set version of written models. */
    public static final long OPSET = 17;

    private final String graphName;
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<ValueInfoProto> outputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final Map<String, long[]> initializerDims = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private String producerName = "segstream";
    private String producerVersion = "";
    private String docString = "";
    private long modelVersion = 0;
    private String nextName;

    private OnnxGraphBuilder(String graphName) {
        if (graphName == null || graphName.isBlank()) {
            throw new IllegalArgumentException("graph name must not be empty");
        }
        this.graphName = graphName;
    }

    /** A builder for a graph called {@code graphName}. */
    public static OnnxGraphBuilder create(String graphName) {
        return new OnnxGraphBuilder(graphName);
    }

    /** Sets ModelProto.producer_name and producer_version (default {@code segstream}, empty). */
    public OnnxGraphBuilder optProducer(String name, String version) {
        this.producerName = name;
        this.producerVersion = version;
        return this;
    }

    /** Sets the model's human-readable documentation. */
    public OnnxGraphBuilder optDocString(String doc) {
        this.docString = doc;
        return this;
    }

    /** Sets ModelProto.model_version. */
    public OnnxGraphBuilder optModelVersion(long version) {
        this.modelVersion = version;
        return this;
    }

    /** Adds a metadata_props entry; ONNX Runtime exposes these as custom model metadata. */
    public OnnxGraphBuilder optMetadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /**
     * Names the tensor that the next node method produces. Java evaluates arguments first, so call it right
     * before a method whose inputs are already made: {@code g.named("y").relu(x)}, not
     * {@code g.named("y").relu(g.conv(...))} (there the conv would take the name).
     */
    public OnnxGraphBuilder named(String tensorName) {
        if (tensorName == null || tensorName.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        this.nextName = tensorName;
        return this;
    }

    // ---------------------------------------------------------------- inputs, outputs, initializers

    /**
     * Declares a graph input. A negative dimension is symbolic: {@code batch} on axis 0, {@code d<axis>}
     * elsewhere.
     *
     * @return {@code name}
     */
    public String input(String name, DataType type, long... dims) {
        inputs.add(valueInfo(name, type, dims));
        return name;
    }

    /** Declares {@code tensor} a graph output of the given type and shape (negative dimensions are symbolic). */
    public OnnxGraphBuilder output(String tensor, DataType type, long... dims) {
        outputs.add(valueInfo(tensor, type, dims));
        return this;
    }

    /** Declares {@code tensor} a graph output of the given type and unknown shape. */
    public OnnxGraphBuilder outputUnshaped(String tensor, DataType type) {
        outputs.add(ValueInfoProto.newBuilder().setName(tensor)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber())))
                .build());
        return this;
    }

    /**
     * Adds a float32 initializer (a constant the graph reads by name), stored as little-endian raw data.
     *
     * @param values row-major values; copied
     * @return {@code name}
     */
    public String initializer(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        addInitializer(name, DataType.FLOAT, values.length, raw.array(), dims);
        return name;
    }

    /** Adds an int64 initializer; see {@link #initializer(String, float[], long...)}. */
    public String initializerInt64(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        addInitializer(name, DataType.INT64, values.length, raw.array(), dims);
        return name;
    }

    /** Adds a float32 initializer with a generated name. */
    public String constant(float[] values, long... dims) {
        return initializer(fresh("const"), values, dims);
    }

    /** Adds a float32 scalar (rank 0) initializer with a generated name. */
    public String scalar(float value) {
        return initializer(fresh("scalar"), new float[] {value});
    }

    private void addInitializer(String name, DataType type, int count, byte[] raw, long[] dims) {
        if (initializerDims.containsKey(name)) {
            throw new IllegalArgumentException("initializer '" + name + "' is already defined; give each one its own name");
        }
        long expected = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("initializer '" + name + "' has negative dimension in "
                        + Arrays.toString(dims));
            }
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalArgumentException("initializer '" + name + "' has " + count + " values but shape "
                    + Arrays.toString(dims) + " holds " + expected);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(raw));
        for (long d : dims) {
            t.addDims(d);
        }
        initializers.add(t.build());
        initializerDims.put(name, dims.clone());
    }

    // ---------------------------------------------------------------- generic nodes and attributes

    /**
     * Adds a node of the default domain with one output.
     *
     * @param inputs input tensor names; {@code ""} leaves an optional input out
     * @return the output tensor's name
     */
    public String node(String opType, List<String> inputs, AttributeProto... attributes) {
        String out = nextName != null ? nextName : fresh(opType.toLowerCase());
        nextName = null;
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(out + "_node").addOutput(out);
        n.addAllInput(inputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        return out;
    }

    /**
     * Adds a node of the default domain with several outputs (e.g. MaxPool's values and indices), named
     * {@code <first output>_node}.
     *
     * @param outputs names of the output tensors, in the operator's output order
     * @return {@code outputs}
     */
    public List<String> nodeWithOutputs(String opType, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException(opType + " node needs at least one output name");
        }
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(outputs.get(0) + "_node")
                .addAllOutput(outputs).addAllInput(inputs);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        return outputs;
    }

    /** A name no tensor of this graph has yet, starting with {@code prefix}. */
    public String freshName(String prefix) {
        return fresh(prefix);
    }

    /** An INT attribute. */
    public static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** A FLOAT attribute. */
    public static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    /** A STRING attribute. */
    public static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    /** An INTS attribute. */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** A FLOATS attribute. */
    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    // ---------------------------------------------------------------- convolution and normalisation

    /**
     * Conv: {@code x} is N x C x H x W, {@code w} is M x C/group x kH x kW.
     *
     * @param bias name of a length-M initializer, or {@code null} for none
     */
    public String conv(String x, String w, String bias, ConvParams p) {
        List<AttributeProto> attrs = new ArrayList<>(List.of(
                ints("strides", p.strides()), ints("pads", p.pads()), ints("dilations", p.dilations()),
                attr("group", p.group())));
        long[] wDims = initializerDims.get(w);
        if (wDims != null && wDims.length == 4) {
            attrs.add(ints("kernel_shape", wDims[2], wDims[3]));
        }
        return node("Conv", bias == null ? List.of(x, w) : List.of(x, w, bias), attrs.toArray(AttributeProto[]::new));
    }

    /**
     * ConvTranspose: {@code w} is C x M/group x kH x kW.
     *
     * @param outputPadding extra rows and columns added at the bottom and right (ONNX output_padding)
     */
    public String convTranspose(String x, String w, String bias, ConvParams p, int outputPadding) {
        List<AttributeProto> attrs = new ArrayList<>(List.of(
                ints("strides", p.strides()), ints("pads", p.pads()), ints("dilations", p.dilations()),
                attr("group", p.group()), ints("output_padding", outputPadding, outputPadding)));
        long[] wDims = initializerDims.get(w);
        if (wDims != null && wDims.length == 4) {
            attrs.add(ints("kernel_shape", wDims[2], wDims[3]));
        }
        return node("ConvTranspose", bias == null ? List.of(x, w) : List.of(x, w, bias),
                attrs.toArray(AttributeProto[]::new));
    }

    /** BatchNormalization in inference mode: {@code (x - mean) / sqrt(var + epsilon) * scale + bias} per channel. */
    public String batchNormalization(String x, String scale, String bias, String mean, String var, float epsilon) {
        return node("BatchNormalization", List.of(x, scale, bias, mean, var), attr("epsilon", epsilon));
    }

    // ---------------------------------------------------------------- element-wise

    public String relu(String x) {
        return node("Relu", List.of(x));
    }

    public String sigmoid(String x) {
        return node("Sigmoid", List.of(x));
    }

    public String tanh(String x) {
        return node("Tanh", List.of(x));
    }

    public String abs(String x) {
        return node("Abs", List.of(x));
    }

    public String sqrt(String x) {
        return node("Sqrt", List.of(x));
    }

    public String identity(String x) {
        return node("Identity", List.of(x));
    }

    /** Clip to [min, max]; the bounds become scalar initializers (opset 11+ takes them as inputs). */
    public String clip(String x, float min, float max) {
        String out = takeName("clip");
        String lo = scalar(min);
        String hi = scalar(max);
        return named(out).node("Clip", List.of(x, lo, hi));
    }

    /** Element-wise sum with numpy-style broadcasting. */
    public String add(String a, String b) {
        return node("Add", List.of(a, b));
    }

    public String sub(String a, String b) {
        return node("Sub", List.of(a, b));
    }

    public String mul(String a, String b) {
        return node("Mul", List.of(a, b));
    }

    public String div(String a, String b) {
        return node("Div", List.of(a, b));
    }

    /** Cast to another element type. */
    public String cast(String x, DataType to) {
        return node("Cast", List.of(x), attr("to", (long) to.getNumber()));
    }

    // ---------------------------------------------------------------- shape

    /** Concatenation along {@code axis}. */
    public String concat(int axis, String... xs) {
        return node("Concat", List.of(xs), attr("axis", (long) axis));
    }

    /** Transpose with permutation {@code perm}. */
    public String transpose(String x, long... perm) {
        return node("Transpose", List.of(x), ints("perm", perm));
    }

    /** Reshape to {@code shape} (0 copies the input dimension, -1 infers one dimension). */
    public String reshape(String x, long... shape) {
        String out = takeName("reshape");
        String s = initializerInt64(fresh("shape"), shape, shape.length);
        return named(out).node("Reshape", List.of(x, s));
    }

    /**
     * Resize by per-axis {@code scales} with nearest-neighbour sampling in PyTorch's convention
     * (asymmetric coordinates, floor), so an integer upscale repeats each pixel.
     */
    public String resizeNearest(String x, float... scales) {
        String out = takeName("resize");
        String s = constant(scales, scales.length);
        return named(out).node("Resize", List.of(x, "", s), attr("mode", "nearest"),
                attr("coordinate_transformation_mode", "asymmetric"), attr("nearest_mode", "floor"));
    }

    /**
     * Resize by per-axis {@code scales} with bilinear interpolation.
     *
     * @param alignCorners true for align_corners coordinates, false for half_pixel (OpenCV, PyTorch default)
     */
    public String resizeLinear(String x, boolean alignCorners, float... scales) {
        String out = takeName("resize");
        String s = constant(scales, scales.length);
        return named(out).node("Resize", List.of(x, "", s), attr("mode", "linear"),
                attr("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"));
    }

    /** Resize to the absolute size {@code sizes} (one entry per axis) with bilinear, half-pixel interpolation. */
    public String resizeLinearTo(String x, long... sizes) {
        String out = takeName("resize");
        String s = initializerInt64(fresh("sizes"), sizes, sizes.length);
        return named(out).node("Resize", List.of(x, "", "", s), attr("mode", "linear"),
                attr("coordinate_transformation_mode", "half_pixel"));
    }

    // ---------------------------------------------------------------- pooling and reductions

    /** MaxPool over a square window of side {@code kernel}. */
    public String maxPool(String x, int kernel, ConvParams p) {
        return node("MaxPool", List.of(x), ints("kernel_shape", kernel, kernel), ints("strides", p.strides()),
                ints("pads", p.pads()), ints("dilations", p.dilations()));
    }

    /**
     * AveragePool over a square window of side {@code kernel} (opset 17 has no dilations for it).
     *
     * @param countIncludePad whether padded zeros count in the divisor at the borders
     */
    public String averagePool(String x, int kernel, ConvParams p, boolean countIncludePad) {
        return node("AveragePool", List.of(x), ints("kernel_shape", kernel, kernel), ints("strides", p.strides()),
                ints("pads", p.pads()), attr("count_include_pad", countIncludePad ? 1L : 0L));
    }

    /** Mean over each channel's spatial extent: N x C x H x W to N x C x 1 x 1. */
    public String globalAveragePool(String x) {
        return node("GlobalAveragePool", List.of(x));
    }

    /** Mean over {@code axes} (opset 17 takes the axes as an attribute). */
    public String reduceMean(String x, boolean keepDims, long... axes) {
        return node("ReduceMean", List.of(x), ints("axes", axes), attr("keepdims", keepDims ? 1L : 0L));
    }

    /** Maximum over {@code axes} (opset 17 takes the axes as an attribute). */
    public String reduceMax(String x, boolean keepDims, long... axes) {
        return node("ReduceMax", List.of(x), ints("axes", axes), attr("keepdims", keepDims ? 1L : 0L));
    }

    /** Minimum over {@code axes} (opset 17 takes the axes as an attribute). */
    public String reduceMin(String x, boolean keepDims, long... axes) {
        return node("ReduceMin", List.of(x), ints("axes", axes), attr("keepdims", keepDims ? 1L : 0L));
    }

    /** Index of the largest value along {@code axis} (int64; ties give the first index). */
    public String argMax(String x, int axis, boolean keepDims) {
        return node("ArgMax", List.of(x), attr("axis", (long) axis), attr("keepdims", keepDims ? 1L : 0L));
    }

    /** Softmax along {@code axis}. */
    public String softmax(String x, int axis) {
        return node("Softmax", List.of(x), attr("axis", (long) axis));
    }

    // ---------------------------------------------------------------- building

    /** Checks the graph and returns the model; the builder stays usable. */
    public ModelProto build() {
        sanityCheck();
        GraphProto.Builder g = GraphProto.newBuilder().setName(graphName)
                .addAllInput(inputs).addAllOutput(outputs).addAllInitializer(initializers).addAllNode(nodes);
        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(producerName)
                .setProducerVersion(producerVersion)
                .setModelVersion(modelVersion)
                .setDocString(docString)
                .setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** The serialized model. */
    public byte[] toByteArray() {
        return build().toByteArray();
    }

    /** Writes the serialized model to {@code file}, creating parent directories. */
    public void write(Path file) throws IOException {
        ModelProto model = build();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    private void sanityCheck() {
        List<String> problems = new ArrayList<>();
        if (inputs.isEmpty()) {
            problems.add("the graph has no input: declare one with input(name, type, dims)");
        }
        if (outputs.isEmpty()) {
            problems.add("the graph has no output: declare one with output(tensor, type, dims)");
        }
        Set<String> defined = new HashSet<>();
        for (ValueInfoProto in : inputs) {
            if (!defined.add(in.getName())) {
                problems.add("input '" + in.getName() + "' is declared twice");
            }
        }
        for (TensorProto t : initializers) {
            if (!defined.add(t.getName())) {
                problems.add("initializer '" + t.getName() + "' has the name of a graph input; rename one of them");
            }
        }
        for (NodeProto n : nodes) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty() && !defined.contains(in)) {
                    problems.add(n.getOpType() + " node '" + n.getName() + "' reads '" + in
                            + "', which no input, initializer or earlier node defines; add nodes in topological order");
                }
            }
            for (String out : n.getOutputList()) {
                if (!defined.add(out)) {
                    problems.add(n.getOpType() + " node '" + n.getName() + "' writes '" + out
                            + "', which is already defined; name each tensor once");
                }
            }
        }
        Set<String> declared = new HashSet<>();
        for (ValueInfoProto out : outputs) {
            if (!defined.contains(out.getName())) {
                problems.add("output '" + out.getName() + "' is not produced by any node");
            }
            if (!declared.add(out.getName())) {
                problems.add("output '" + out.getName() + "' is declared twice");
            }
        }
        if (nextName != null) {
            problems.add("named('" + nextName + "') was called but no node followed it");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("ONNX graph '" + graphName + "' is not valid: " + String.join("; ", problems));
        }
    }

    // ---------------------------------------------------------------- helpers

    private ValueInfoProto valueInfo(String name, DataType type, long[] dims) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("value name must not be empty");
        }
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dims[i] < 0) {
                d.setDimParam(i == 0 ? "batch" : "d" + i);
            } else {
                d.setDimValue(dims[i]);
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** The pending {@link #named} name, or a fresh one; clears the pending name so helpers can add initializers. */
    private String takeName(String prefix) {
        String out = nextName != null ? nextName : fresh(prefix);
        nextName = null;
        return out;
    }

    private String fresh(String prefix) {
        int n = counters.merge(prefix, 1, Integer::sum);
        return prefix + "_" + n;
    }
}
