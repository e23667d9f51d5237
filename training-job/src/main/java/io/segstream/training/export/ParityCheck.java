package io.segstream.training.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a DL4J graph and its ONNX conversion (ONNX Runtime, all graph optimisations on) on the same inputs and
 * compares the logits; on a mismatch it converts again with every vertex exposed as an output and names the first
 * vertex, in topological order, whose activation diverges.
 *
 * <pre>{@code
 * ParityCheck.Result r = ParityCheck.compare(graph, converted, List.of(randomInput, sceneInput));
 * if (!r.passed()) throw new ExportException(r.describe());
 * }</pre>
 */
public final class ParityCheck {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParityCheck.class);
    /** Largest allowed absolute difference of any logit. */
    public static final double MAX_ABS_DIFF = 1e-4;
    /** Smallest allowed fraction of pixels whose argmax class agrees. */
    public static final double MIN_ARGMAX_AGREEMENT = 0.9999;

    private ParityCheck() {
    }

    /**
     * The comparison over all inputs.
     *
     * @param maxAbsDiff      largest absolute logit difference
     * @param argmaxAgreement fraction of pixels with the same argmax class
     * @param divergence      where the activations first diverge, when the check failed
     */
    public record Result(double maxAbsDiff, double argmaxAgreement, Optional<String> divergence) {
        public boolean passed() {
            return maxAbsDiff <= MAX_ABS_DIFF && argmaxAgreement >= MIN_ARGMAX_AGREEMENT;
        }

        /** One sentence with the figures and, on failure, the diverging vertex. */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "max abs difference %.3g (limit %.0e), argmax agreement"
                    + " %.4f%% (limit %.2f%%)%s", maxAbsDiff, MAX_ABS_DIFF, argmaxAgreement * 100,
                    MIN_ARGMAX_AGREEMENT * 100, divergence.map(d -> "; " + d).orElse(""));
        }
    }

    /** Opens an ONNX Runtime session on {@code onnx} with every graph optimisation on. */
    public static OrtSession open(OrtEnvironment env, byte[] onnx) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return env.createSession(onnx, o);
        }
    }

    /** Compares DL4J and ONNX Runtime on every input (each N×3×H×W). */
    public static Result compare(ComputationGraph graph, GraphConverter.Converted converted, List<INDArray> inputs,
            String name, int width, int height) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        double maxDiff = 0;
        long agree = 0;
        long pixels = 0;
        try (OrtSession session = open(env, converted.onnx())) {
            for (INDArray x : inputs) {
                float[] expected = floats(graph.output(false, x)[0]);
                float[] actual = run(env, session, x, GraphConverter.OUTPUT);
                maxDiff = Math.max(maxDiff, maxAbsDiff(expected, actual));
                long[] s = x.shape();
                long hw = s[2] * s[3];
                int classes = converted.classes();
                for (int n = 0; n < s[0]; n++) {
                    int base = (int) (n * classes * hw);
                    for (int i = 0; i < hw; i++) {
                        if (argmax(expected, base, i, hw, classes) == argmax(actual, base, i, hw, classes)) {
                            agree++;
                        }
                        pixels++;
                    }
                }
            }
        }
        Result r = new Result(maxDiff, agree / (double) pixels, Optional.empty());
        if (r.passed()) {
            return r;
        }
        return new Result(maxDiff, r.argmaxAgreement(), Optional.of(locate(graph, inputs.get(0), name, width, height)));
    }

    /** The first vertex whose ONNX activation differs from DL4J's by more than the tolerance. */
    static String locate(ComputationGraph graph, INDArray x, String name, int width, int height)
            throws OrtException {
        GraphConverter.Converted debug = GraphConverter.convert(graph, name, width, height, true);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, INDArray> activations = graph.feedForward(new INDArray[] {x}, false);
        Map<String, float[]> onnx = new LinkedHashMap<>();
        try (OrtSession session = open(env, debug.onnx());
                OnnxTensor in = tensor(env, x);
                OrtSession.Result result = session.run(Map.of(GraphConverter.INPUT, in))) {
            for (Map.Entry<String, OnnxValue> e : result) {
                if (e.getValue() instanceof OnnxTensor t) {
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] f = new float[fb.remaining()];
                    fb.get(f);
                    onnx.put(e.getKey(), f);
                }
            }
        }
        for (Map.Entry<String, String> v : debug.vertexTensors().entrySet()) {
            INDArray expected = activations.get(v.getKey());
            float[] actual = onnx.get(v.getValue());
            if (expected == null || actual == null || v.getValue().equals(GraphConverter.INPUT)
                    || overwrittenInPlace(graph, v.getKey())) {
                continue;
            }
            float[] e = floats(expected);
            if (e.length != actual.length) {
                return "vertex '" + v.getKey() + "' has " + e.length + " values in DL4J but " + actual.length
                        + " in ONNX";
            }
            double diff = maxAbsDiff(e, actual);
            double scale = Math.max(1, maxAbs(e));
            LOG.debug("vertex {}: max abs difference {} at activation scale {}", v.getKey(), diff, scale);
            if (diff > MAX_ABS_DIFF * scale) {
                return String.format(java.util.Locale.ROOT, "the first diverging vertex is '%s' (%s, max abs"
                        + " difference %.3g)", v.getKey(), graph.getVertex(v.getKey()).getClass().getSimpleName()
                        + layerType(graph, v.getKey()), diff);
            }
        }
        return "no single vertex exceeds the tolerance; the difference accumulates over the whole graph";
    }

    /**
     * True when every consumer of {@code vertex} is an activation layer: DL4J applies those in place, so the
     * activation that feedForward reports for the vertex already holds its consumer's result.
     */
    private static boolean overwrittenInPlace(ComputationGraph graph, String vertex) {
        boolean consumed = false;
        for (Map.Entry<String, List<String>> e : graph.getConfiguration().getVertexInputs().entrySet()) {
            if (e.getValue().contains(vertex)) {
                consumed = true;
                var consumer = graph.getVertex(e.getKey());
                if (!consumer.hasLayer() || !(consumer.getLayer().conf().getLayer()
                        instanceof org.deeplearning4j.nn.conf.layers.ActivationLayer)) {
                    return false;
                }
            }
        }
        return consumed;
    }

    private static String layerType(ComputationGraph graph, String vertex) {
        var v = graph.getVertex(vertex);
        return v.hasLayer() ? " " + v.getLayer().conf().getLayer().getClass().getSimpleName() : "";
    }

    /** Runs {@code session} on {@code x} and returns output {@code output} as floats. */
    public static float[] run(OrtEnvironment env, OrtSession session, INDArray x, String output) throws OrtException {
        try (OnnxTensor in = tensor(env, x);
                OrtSession.Result result = session.run(Map.of(GraphConverter.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
            FloatBuffer fb = out.getFloatBuffer();
            float[] f = new float[fb.remaining()];
            fb.get(f);
            return f;
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, INDArray x) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(floats(x)), x.shape());
    }

    private static float[] floats(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    private static int argmax(float[] v, int base, int pixel, long hw, int classes) {
        int best = 0;
        float bestValue = v[base + pixel];
        for (int c = 1; c < classes; c++) {
            float f = v[(int) (base + c * hw + pixel)];
            if (f > bestValue) {
                bestValue = f;
                best = c;
            }
        }
        return best;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) {
                m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            }
        }
        return m;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float f : a) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }
}
