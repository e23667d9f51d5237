package io.segstream.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.segstream.core.metrics.Median;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks quantized models against their float original the way a release is checked: each runs in ONNX Runtime (full
 * optimisation, as the segmenter runs them) on the same inputs, and the fraction of pixels whose argmax class agrees
 * with the original's is counted. The original runs once, when the check is made; every candidate (mixed precision
 * tries dozens) runs only itself. Also counts the integer kernels ONNX Runtime's optimised graph holds and times a
 * session.
 *
 * <pre>{@code
 * QuantizedModelCheck check = new QuantizedModelCheck(fp32, "image", "logits", inputs, shape);
 * double agreement = check.agreement(int8);
 * }</pre>
 */
public final class QuantizedModelCheck {
    /** Operators of an optimised graph that compute with 8-bit integers. */
    public static final Set<String> INTEGER_KERNELS = Set.of("QLinearConv", "ConvInteger", "QLinearConvTranspose",
            "QLinearMatMul", "MatMulInteger", "QLinearAdd", "QLinearConcat", "QLinearSigmoid",
            "QLinearGlobalAveragePool", "QLinearAveragePool", "QLinearLeakyRelu", "QLinearMul");

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final String inputName;
    private final String outputName;
    private final List<FloatBuffer> inputs;
    private final long[] shape;
    private final List<int[]> referenceClasses = new ArrayList<>();

    /**
     * Runs the original on every input once.
     *
     * @param reference  the float model
     * @param outputName holds class scores [N, C, H, W] or class ids [N, H, W]
     * @param inputs     the inputs, each of {@code shape}
     */
    public QuantizedModelCheck(byte[] reference, String inputName, String outputName, List<FloatBuffer> inputs,
            long[] shape) throws OrtException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("no input to check on; give at least one frame");
        }
        this.inputName = inputName;
        this.outputName = outputName;
        this.inputs = List.copyOf(inputs);
        this.shape = shape.clone();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(reference, so)) {
            for (FloatBuffer in : this.inputs) {
                referenceClasses.add(classes(s, in));
            }
        }
    }

    /** The fraction of pixels, over every input, where {@code candidate} chose the original's class. */
    public double agreement(byte[] candidate) throws OrtException {
        long pixels = 0;
        long agreeing = 0;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(candidate, so)) {
            for (int k = 0; k < inputs.size(); k++) {
                int[] a = referenceClasses.get(k);
                int[] b = classes(s, inputs.get(k));
                if (a.length != b.length) {
                    throw new IllegalArgumentException("the candidate gives " + b.length + " class ids for an input"
                            + " where the original gives " + a.length);
                }
                for (int i = 0; i < a.length; i++) {
                    if (a[i] == b[i]) {
                        agreeing++;
                    }
                }
                pixels += a.length;
            }
        }
        return (double) agreeing / pixels;
    }

    private int[] classes(OrtSession s, FloatBuffer input) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, input.duplicate().rewind(), shape);
                OrtSession.Result r = s.run(Map.of(inputName, x), Set.of(outputName))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            long[] dims = ((TensorInfo) out.getInfo()).getShape();
            return switch (((TensorInfo) out.getInfo()).type) {
                case FLOAT -> argmax(out.getFloatBuffer(), dims);
                case INT64 -> {
                    LongBuffer l = out.getLongBuffer();
                    int[] c = new int[l.remaining()];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = (int) l.get(i);
                    }
                    yield c;
                }
                case UINT8, INT8 -> {
                    ByteBuffer l = out.getByteBuffer();
                    int[] c = new int[l.remaining()];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = l.get(i) & 0xFF;
                    }
                    yield c;
                }
                default -> throw new IllegalArgumentException("output '" + outputName + "' holds "
                        + ((TensorInfo) out.getInfo()).type + ", neither float class scores nor integer class ids");
            };
        }
    }

    /** Argmax over axis 1 of [N, C, H, W] (the first of equal maxima wins, as ONNX ArgMax). */
    static int[] argmax(FloatBuffer scores, long[] dims) {
        if (dims.length != 4) {
            throw new IllegalArgumentException("class scores must be [N, C, H, W], got " + Arrays.toString(dims));
        }
        int n = (int) dims[0];
        int c = (int) dims[1];
        int plane = (int) (dims[2] * dims[3]);
        int[] ids = new int[n * plane];
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < plane; p++) {
                int base = b * c * plane + p;
                float best = scores.get(base);
                int arg = 0;
                for (int k = 1; k < c; k++) {
                    float v = scores.get(base + k * plane);
                    if (v > best) {
                        best = v;
                        arg = k;
                    }
                }
                ids[b * plane + p] = arg;
            }
        }
        return ids;
    }

    /**
     * How many integer kernels ({@link #INTEGER_KERNELS}) ONNX Runtime's optimised graph (extended level, where the
     * QDQ fusions run) of {@code onnx} holds, read from the optimised model it saves.
     */
    public static int integerKernels(byte[] onnx) throws OrtException, IOException {
        Path file = Files.createTempFile("segstream-optimized", ".onnx");
        try {
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                // the QDQ fusions are extended-level; a saved ALL-level graph would hold CPU-specific NCHWc layouts
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                so.setOptimizedModelFilePath(file.toString());
                OrtEnvironment.getEnvironment().createSession(onnx, so).close();
            }
            int count = 0;
            for (NodeProto n : ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getNodeList()) {
                if (INTEGER_KERNELS.contains(n.getOpType())) {
                    count++;
                }
            }
            return count;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Median milliseconds of {@code runs} runs of {@code onnx} on {@code input} (one ONNX Runtime session with full
     * optimisation, after {@code warmup} unmeasured runs).
     */
    public static double medianMillis(byte[] onnx, String inputName, FloatBuffer input, long[] shape, int warmup,
            int runs) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double[] ms = new double[runs];
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
                OrtSession s = env.createSession(onnx, so);
                OnnxTensor x = OnnxTensor.createTensor(env, input.duplicate().rewind(), shape)) {
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                try (OrtSession.Result r = s.run(Map.of(inputName, x))) {
                    if (i >= warmup) {
                        ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
        }
        return Median.of(ms);
    }
}
