package io.segstream.training.export;

import io.segstream.core.onnx.ConvParams;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.training.graph.BilinearUpsampleVertex;
import io.segstream.training.graph.MaxUnpoolVertex;
import io.segstream.training.graph.McDropoutVertex;
import io.segstream.training.model.ModelBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Converts a DL4J {@link ComputationGraph} with one N×3×H×W input into an ONNX opset-17 graph: it walks the vertices
 * in topological order and writes each as standard ONNX nodes, with the weights in ONNX layouts. Every vertex's
 * result keeps the vertex's name as ONNX tensor name, so a debug conversion can expose them all as outputs and
 * compare them with DL4J's activations.
 *
 * <pre>{@code
 * GraphConverter.Converted c = GraphConverter.convert(graph, "fastscnn", 512, 256, false);
 * Files.write(Path.of("model.onnx"), c.onnx());
 * }</pre>
 */
public final class GraphConverter {
    /** Name of the ONNX graph's image input. */
    public static final String INPUT = "image";
    /** Name of the ONNX graph's logits output. */
    public static final String OUTPUT = "logits";

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final OnnxGraphBuilder g;
    private final Map<String, String> tensors = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /**
     * The converted graph.
     *
     * @param onnx          serialized ONNX model
     * @param vertexTensors DL4J vertex name to the ONNX tensor holding its activation, in topological order
     * @param classes       channels of the logits
     */
    public record Converted(byte[] onnx, Map<String, String> vertexTensors, int classes) {
    }

    private GraphConverter(ComputationGraph graph, String name) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        this.g = OnnxGraphBuilder.create(name).optProducer("segstream-export", "1");
    }

    /**
     * Converts {@code graph} for inputs of {@code width}×{@code height}.
     *
     * @param debug also declare every vertex's tensor a graph output (for locating a divergence)
     * @throws UnsupportedLayerException when a vertex has no ONNX mapping
     */
    public static Converted convert(ComputationGraph graph, String name, int width, int height, boolean debug) {
        return new GraphConverter(graph, name).run(width, height, debug);
    }

    private Converted run(int width, int height, boolean debug) {
        if (conf.getNetworkInputs().size() != 1) {
            throw new UnsupportedLayerException("the graph has " + conf.getNetworkInputs().size() + " inputs; export"
                    + " takes one image input");
        }
        // the main output and what it needs: auxiliary heads (deep supervision) are training-only
        Set<String> inference = ModelBuilder.inferenceVertices(conf);
        String in = conf.getNetworkInputs().get(0);
        tensors.put(in, g.input(INPUT, DataType.FLOAT, -1, 3, height, width));
        shapes.put(in, new long[] {3, height, width});
        for (int idx : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[idx].getVertexName();
            if (tensors.containsKey(name) || !inference.contains(name)) {
                continue;
            }
            convertVertex(name, conf.getVertices().get(name), conf.getVertexInputs().get(name));
        }
        String outVertex = conf.getNetworkOutputs().get(0);
        long[] outShape = shapes.get(outVertex);
        g.output(g.named(OUTPUT).identity(tensors.get(outVertex)), DataType.FLOAT, -1, outShape[0], outShape[1],
                outShape[2]);
        if (debug) {
            java.util.Set<String> declared = new java.util.HashSet<>(List.of(INPUT, OUTPUT));
            for (String t : tensors.values()) {
                if (declared.add(t)) {
                    g.outputUnshaped(t, DataType.FLOAT);
                }
            }
        }
        return new Converted(g.toByteArray(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors)),
                (int) outShape[0]);
    }

    private void convertVertex(String name, GraphVertex vertex, List<String> inputs) {
        List<String> ins = new ArrayList<>();
        for (String i : inputs) {
            ins.add(tensors.get(i));
        }
        long[] s0 = shapes.get(inputs.get(0));
        if (vertex instanceof LayerVertex lv) {
            convertLayer(name, lv.getLayerConf().getLayer(), ins.get(0), s0);
        } else if (vertex instanceof ElementWiseVertex ew && ew.getOp() == ElementWiseVertex.Op.Add) {
            String x = ins.get(0);
            for (int i = 1; i < ins.size(); i++) {
                x = i == ins.size() - 1 ? g.named(tensorName(name)).add(x, ins.get(i)) : g.add(x, ins.get(i));
            }
            put(name, x, s0);
        } else if (vertex instanceof MergeVertex) {
            long channels = 0;
            for (String i : inputs) {
                channels += shapes.get(i)[0];
            }
            put(name, g.named(tensorName(name)).concat(1, ins.toArray(String[]::new)), new long[] {channels, s0[1], s0[2]});
        } else if (vertex instanceof BilinearUpsampleVertex up) {
            String y = g.named(tensorName(name)).resizeLinear(ins.get(0), false, 1, 1, up.factorH(), up.factorW());
            put(name, y, new long[] {s0[0], s0[1] * up.factorH(), s0[2] * up.factorW()});
        } else if (vertex instanceof McDropoutVertex) {
            // Monte-Carlo dropout is the identity unless sampling is switched on, which an export never is
            put(name, ins.get(0), s0);
        } else if (vertex instanceof MaxUnpoolVertex) {
            long[] enc = shapes.get(inputs.get(1));
            String indices = g.freshName(name + "_indices");
            List<String> pooled = g.nodeWithOutputs("MaxPool", List.of(ins.get(1)),
                    List.of(g.freshName(name + "_pooled"), indices),
                    OnnxGraphBuilder.ints("kernel_shape", 2, 2), OnnxGraphBuilder.ints("strides", 2, 2));
            String out = g.named(tensorName(name)).node("MaxUnpool", List.of(ins.get(0), pooled.get(1)),
                    OnnxGraphBuilder.ints("kernel_shape", 2, 2), OnnxGraphBuilder.ints("strides", 2, 2));
            put(name, out, enc);
        } else {
            throw unsupported(name, vertex.getClass().getSimpleName()
                    + (vertex instanceof ElementWiseVertex ew ? " (" + ew.getOp() + ")" : ""));
        }
    }

    private void convertLayer(String name, Layer layer, String x, long[] s) {
        Map<String, INDArray> p = graph.getLayer(name).paramTable();
        if (layer instanceof SeparableConvolution2D sep) {
            convertSeparable(name, sep, x, s, p);
        } else if (layer instanceof DepthwiseConvolution2D dw) {
            convertDepthwise(name, dw, x, s, p);
        } else if (layer instanceof Deconvolution2D de) {
            convertDeconvolution(name, de, x, s, p);
        } else if (layer instanceof ConvolutionLayer c) {
            INDArray w = p.get("W");
            long[] ws = w.shape();
            int[] pads = pads(name, c.getConvolutionMode(), s, c.getKernelSize(), c.getStride(), c.getDilation(),
                    c.getPadding());
            String wt = g.initializer(name + "_W", floats(w), ws);
            String b = c.hasBias() ? g.initializer(name + "_b", floats(p.get("b")), ws[0]) : null;
            ConvParams cp = convParams(c.getStride()[0], c.getStride()[1], pads, c.getDilation()[0],
                    c.getDilation()[1], 1);
            long[] out = {ws[0], outSize(s[1], pads[0] + pads[2], c.getKernelSize()[0], c.getStride()[0],
                    c.getDilation()[0]), outSize(s[2], pads[1] + pads[3], c.getKernelSize()[1], c.getStride()[1],
                    c.getDilation()[1])};
            finish(name, c.getActivationFn(), cp, wt, b, x, out);
        } else if (layer instanceof BatchNormalization bn) {
            convertBatchNorm(name, bn, x, s, p);
        } else if (layer instanceof ActivationLayer a) {
            put(name, activation(name, a.getActivationFn(), x, false), s);
        } else if (layer instanceof CnnLossLayer loss) {
            put(name, activation(name, loss.getActivationFn(), x, true), s);
        } else if (layer instanceof DropoutLayer) {
            // dropout only acts while training; at inference it passes its input on unchanged
            put(name, x, s);
        } else if (layer instanceof Upsampling2D up) {
            int[] f = up.getSize();
            String y = g.named(tensorName(name)).resizeNearest(x, 1, 1, f[0], f[1]);
            put(name, y, new long[] {s[0], s[1] * f[0], s[2] * f[1]});
        } else if (layer instanceof SubsamplingLayer pool) {
            convertPooling(name, pool, x, s);
        } else {
            throw unsupported(name, layer.getClass().getSimpleName());
        }
    }

    private void finish(String name, IActivation act, ConvParams cp, String w, String b, String x, long[] out) {
        if (act instanceof ActivationIdentity) {
            put(name, g.named(tensorName(name)).conv(x, w, b, cp), out);
        } else {
            put(name, activation(name, act, g.conv(x, w, b, cp), false), out);
        }
    }

    private void convertDepthwise(String name, DepthwiseConvolution2D dw, String x, long[] s,
            Map<String, INDArray> p) {
        // DL4J keeps depthwise weights as [kH, kW, channels, multiplier]; ONNX wants [channels * multiplier, 1, kH, kW]
        INDArray w = p.get("W");
        long[] ws = w.shape();
        long c = ws[2];
        long m = ws[3];
        String wt = g.initializer(name + "_W", floats(w.permute(2, 3, 0, 1)), c * m, 1, ws[0], ws[1]);
        String b = dw.hasBias() ? g.initializer(name + "_b", floats(p.get("b")), c * m) : null;
        int[] pads = pads(name, dw.getConvolutionMode(), s, dw.getKernelSize(), dw.getStride(), dw.getDilation(),
                dw.getPadding());
        ConvParams cp = convParams(dw.getStride()[0], dw.getStride()[1], pads, dw.getDilation()[0],
                dw.getDilation()[1], (int) c);
        long[] out = {c * m, outSize(s[1], pads[0] + pads[2], dw.getKernelSize()[0], dw.getStride()[0],
                dw.getDilation()[0]), outSize(s[2], pads[1] + pads[3], dw.getKernelSize()[1], dw.getStride()[1],
                dw.getDilation()[1])};
        finish(name, dw.getActivationFn(), cp, wt, b, x, out);
    }

    private void convertSeparable(String name, SeparableConvolution2D sep, String x, long[] s,
            Map<String, INDArray> p) {
        // DL4J: depthwise "W" [multiplier, channels, kH, kW], pointwise "pW" [out, channels * multiplier, 1, 1]
        INDArray w = p.get("W");
        long[] ws = w.shape();
        long m = ws[0];
        long c = ws[1];
        String dwt = g.initializer(name + "_dW", floats(w.permute(1, 0, 2, 3)), c * m, 1, ws[2], ws[3]);
        int[] pads = pads(name, sep.getConvolutionMode(), s, sep.getKernelSize(), sep.getStride(), sep.getDilation(),
                sep.getPadding());
        ConvParams cp = convParams(sep.getStride()[0], sep.getStride()[1], pads, sep.getDilation()[0],
                sep.getDilation()[1], (int) c);
        String depthwise = g.conv(x, dwt, null, cp);
        INDArray pw = p.get("pW");
        String pwt = g.initializer(name + "_pW", floats(pw), pw.shape());
        String b = sep.hasBias() ? g.initializer(name + "_b", floats(p.get("b")), pw.shape()[0]) : null;
        long[] out = {pw.shape()[0], outSize(s[1], pads[0] + pads[2], sep.getKernelSize()[0], sep.getStride()[0],
                sep.getDilation()[0]), outSize(s[2], pads[1] + pads[3], sep.getKernelSize()[1], sep.getStride()[1],
                sep.getDilation()[1])};
        finish(name, sep.getActivationFn(), ConvParams.valid(), pwt, b, depthwise, out);
    }

    private void convertDeconvolution(String name, Deconvolution2D de, String x, long[] s, Map<String, INDArray> p) {
        // DL4J keeps transposed-convolution weights as [in, out, kH, kW], which is ONNX ConvTranspose's layout
        INDArray w = p.get("W");
        long[] ws = w.shape();
        int[] k = de.getKernelSize();
        int[] st = de.getStride();
        int[] d = de.getDilation();
        int[] pads;
        int outputPadding = 0;
        long[] out;
        if (de.getConvolutionMode() == ConvolutionMode.Same) {
            // the output is exactly stride × input; ONNX reaches it by trimming effK - stride cells
            int th = (k[0] - 1) * d[0] + 1 - st[0];
            int tw = (k[1] - 1) * d[1] + 1 - st[1];
            if (th < 0 || tw < 0) {
                throw unsupported(name, "Deconvolution2D with a kernel smaller than its stride in Same mode");
            }
            pads = new int[] {th / 2, tw / 2, th - th / 2, tw - tw / 2};
            out = new long[] {ws[1], s[1] * st[0], s[2] * st[1]};
        } else {
            int[] pd = de.getPadding();
            pads = new int[] {pd[0], pd[1], pd[0], pd[1]};
            out = new long[] {ws[1], (s[1] - 1) * st[0] + (k[0] - 1) * d[0] + 1 - 2L * pd[0],
                (s[2] - 1) * st[1] + (k[1] - 1) * d[1] + 1 - 2L * pd[1]};
        }
        String wt = g.initializer(name + "_W", floats(w), ws);
        String b = de.hasBias() ? g.initializer(name + "_b", floats(p.get("b")), ws[1]) : null;
        ConvParams cp = convParams(st[0], st[1], pads, d[0], d[1], 1);
        if (de.getActivationFn() instanceof ActivationIdentity) {
            put(name, g.named(tensorName(name)).convTranspose(x, wt, b, cp, outputPadding), out);
        } else {
            put(name, activation(name, de.getActivationFn(), g.convTranspose(x, wt, b, cp, outputPadding), false),
                    out);
        }
    }

    private void convertBatchNorm(String name, BatchNormalization bn, String x, long[] s, Map<String, INDArray> p) {
        int c = (int) s[0];
        double eps = bn.getEps();
        float[] mean = floats(p.get("mean"));
        float[] var;
        if (p.containsKey("log10stdev")) {
            // DL4J stores log10 of the standard deviation and at inference divides by sqrt(std² + eps), which is
            // ONNX's formula with var = std² (measured: subtracting eps here leaves a 1e-5 relative error per layer)
            float[] log10std = floats(p.get("log10stdev"));
            var = new float[c];
            for (int i = 0; i < c; i++) {
                double std = Math.pow(10, log10std[i]);
                var[i] = (float) (std * std);
            }
        } else {
            var = floats(p.get("var"));
        }
        float[] gamma = p.containsKey("gamma") ? floats(p.get("gamma")) : filled(c, bn.getGamma());
        float[] beta = p.containsKey("beta") ? floats(p.get("beta")) : filled(c, bn.getBeta());
        String sc = g.initializer(name + "_gamma", gamma, c);
        String bi = g.initializer(name + "_beta", beta, c);
        String mn = g.initializer(name + "_mean", mean, c);
        String vr = g.initializer(name + "_var", var, c);
        if (bn.getActivationFn() instanceof ActivationIdentity) {
            put(name, g.named(tensorName(name)).batchNormalization(x, sc, bi, mn, vr, (float) eps), s);
        } else {
            put(name, activation(name, bn.getActivationFn(), g.batchNormalization(x, sc, bi, mn, vr, (float) eps),
                    false), s);
        }
    }

    private void convertPooling(String name, SubsamplingLayer pool, String x, long[] s) {
        int[] k = pool.getKernelSize();
        int[] st = pool.getStride();
        int[] d = pool.getDilation();
        if (d[0] != 1 || d[1] != 1) {
            throw unsupported(name, "SubsamplingLayer with dilation " + d[0] + "x" + d[1]);
        }
        int[] pads = pads(name, pool.getConvolutionMode(), s, k, st, d, pool.getPadding());
        long[] out = {s[0], outSize(s[1], pads[0] + pads[2], k[0], st[0], 1),
            outSize(s[2], pads[1] + pads[3], k[1], st[1], 1)};
        String y;
        if (pool.getPoolingType() == PoolingType.MAX) {
            y = g.named(tensorName(name)).node("MaxPool", List.of(x), OnnxGraphBuilder.ints("kernel_shape", k[0], k[1]),
                    OnnxGraphBuilder.ints("strides", st[0], st[1]),
                    OnnxGraphBuilder.ints("pads", pads[0], pads[1], pads[2], pads[3]));
        } else if (pool.getPoolingType() == PoolingType.AVG) {
            boolean padded = pads[0] + pads[1] + pads[2] + pads[3] > 0;
            if (padded && pool.getConvolutionMode() == ConvolutionMode.Same) {
                throw unsupported(name, "average SubsamplingLayer in Same mode with padding");
            }
            long includePad = pool.isAvgPoolIncludePadInDivisor() ? 1 : 0;
            y = g.named(tensorName(name)).node("AveragePool", List.of(x), OnnxGraphBuilder.ints("kernel_shape", k[0], k[1]),
                    OnnxGraphBuilder.ints("strides", st[0], st[1]),
                    OnnxGraphBuilder.ints("pads", pads[0], pads[1], pads[2], pads[3]),
                    OnnxGraphBuilder.attr("count_include_pad", includePad));
        } else {
            throw unsupported(name, "SubsamplingLayer with pooling type " + pool.getPoolingType());
        }
        put(name, y, out);
    }

    private String activation(String name, IActivation act, String x, boolean channelSoftmax) {
        if (act == null || act instanceof ActivationIdentity) {
            return x;
        }
        g.named(tensorName(name));
        if (act instanceof ActivationReLU6) {
            return g.clip(x, 0f, 6f);
        }
        if (act instanceof ActivationReLU relu) {
            if (relu.toString().equals(new ActivationReLU().toString())) {
                return g.relu(x);
            }
            throw unsupported(name, "ReLU with threshold or slope (" + relu + ")");
        }
        if (act instanceof ActivationLReLU lrelu) {
            return g.node("LeakyRelu", List.of(x), OnnxGraphBuilder.attr("alpha", (float) lrelu.getAlpha()));
        }
        if (act instanceof ActivationSigmoid) {
            return g.sigmoid(x);
        }
        if (act instanceof ActivationTanH) {
            return g.tanh(x);
        }
        if (act instanceof ActivationSoftmax && channelSoftmax) {
            return g.softmax(x, 1);
        }
        throw unsupported(name, "activation " + act);
    }

    /** The ONNX tensor name of a vertex: its own, unless the graph's input or output already has that name. */
    private static String tensorName(String vertex) {
        return vertex.equals(INPUT) || vertex.equals(OUTPUT) ? vertex + "_vertex" : vertex;
    }

    private void put(String name, String tensor, long[] shape) {
        tensors.put(name, tensor);
        shapes.put(name, shape);
    }

    private int[] pads(String name, ConvolutionMode mode, long[] s, int[] k, int[] st, int[] d, int[] padding) {
        if (mode == ConvolutionMode.Same) {
            // as DL4J and TensorFlow: output ceil(in / stride), the odd padded cell goes to the bottom/right
            int[] out = new int[4];
            for (int a = 0; a < 2; a++) {
                long in = s[1 + a];
                long o = (in + st[a] - 1) / st[a];
                long eff = (long) (k[a] - 1) * d[a] + 1;
                long total = Math.max(0, (o - 1) * st[a] + eff - in);
                out[a] = (int) (total / 2);
                out[a + 2] = (int) (total - total / 2);
            }
            return out;
        }
        if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            return new int[] {padding[0], padding[1], padding[0], padding[1]};
        }
        throw unsupported(name, "convolution mode " + mode);
    }

    private static ConvParams convParams(int strideH, int strideW, int[] pads, int dilationH, int dilationW,
            int group) {
        if (dilationH != dilationW) {
            throw new UnsupportedLayerException("a convolution with dilation " + dilationH + "x" + dilationW
                    + " (different per axis) is not supported by the ONNX export");
        }
        return ConvParams.of(1, 0).withStrides(strideH, strideW).withPads(pads[0], pads[1], pads[2], pads[3])
                .withDilation(dilationH).withGroup(group);
    }

    private static long outSize(long in, long padTotal, int k, int stride, int dilation) {
        long eff = (long) (k - 1) * dilation + 1;
        return (in + padTotal - eff) / stride + 1;
    }

    private static float[] floats(INDArray a) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    }

    private static float[] filled(int n, double v) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, (float) v);
        return out;
    }

    private UnsupportedLayerException unsupported(String vertex, String what) {
        return new UnsupportedLayerException("vertex '" + vertex + "' is a " + what
                + ", which the ONNX export does not convert; export supports convolution, depthwise, separable and"
                + " transposed convolution, batch normalisation, activations, pooling, upsampling, add, concatenation,"
                + " dropout and SegNet unpooling");
    }
}
