package io.segstream.core.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.segstream.core.onnx.proto.Onnx.GraphProto;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TypeProto;
import io.segstream.core.onnx.proto.Onnx.ValueInfoProto;
import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calibrates the ranges of activation tensors of a float model: every tensor to quantize is exposed as an extra graph
 * output, the model runs on each calibration input, and per tensor either the min and max ({@link Method#MINMAX}) or
 * a percentile of |values| from a fixed-size histogram ({@link Method#PERCENTILE}, memory bounded whatever the number
 * of frames) is kept.
 *
 * <pre>{@code
 * try (ActivationCalibrator cal = new ActivationCalibrator(onnx, "image", QdqQuantizer.activationTensors(onnx),
 *         ActivationCalibrator.Method.PERCENTILE, 99.99)) {
 *     cal.add(input, new long[] {1, 3, 256, 512});   // once per frame
 *     byte[] int8 = QdqQuantizer.quantize(onnx, cal.ranges());
 * }
 * }</pre>
 */
public final class ActivationCalibrator implements AutoCloseable {
    /** How a tensor's range is taken from what calibration saw. */
    public enum Method {
        /** the smallest and largest value seen. */
        MINMAX,
        /** |values| clipped at a percentile, the min and max kept where they are inside it. */
        PERCENTILE
    }

    static final int BINS = 2048;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final Method method;
    private final double percentile;
    private final Map<String, Stats> stats = new LinkedHashMap<>();
    private final Set<String> fetched = new HashSet<>();
    private int frames;

    /**
     * A calibrator of {@code tensors} of {@code onnx}, fed through the input {@code inputName}.
     *
     * @param percentile in (0, 100], used by {@link Method#PERCENTILE}
     * @throws OrtException when ONNX Runtime cannot load the probed model
     */
    public ActivationCalibrator(byte[] onnx, String inputName, List<String> tensors, Method method, double percentile)
            throws OrtException {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile " + percentile + " is outside (0, 100]; use e.g. 99.99");
        }
        this.inputName = inputName;
        this.method = method;
        this.percentile = percentile;
        ModelProto model = QdqQuantizer.parse(onnx);
        GraphProto graph = model.getGraph();
        Set<String> outputs = new HashSet<>();
        graph.getInputList().forEach(v -> outputs.add(v.getName()));
        graph.getOutputList().forEach(v -> outputs.add(v.getName()));
        GraphProto.Builder probed = graph.toBuilder();
        for (String t : tensors) {
            stats.put(t, new Stats());
            if (!t.equals(inputName)) {
                fetched.add(t);
            }
            if (outputs.add(t)) {
                probed.addOutput(ValueInfoProto.newBuilder().setName(t).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            // fusions could remove the tensors asked for; basic optimisation keeps every node's output
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
            this.session = env.createSession(model.toBuilder().setGraph(probed).build().toByteArray(), so);
        }
    }

    /** Runs the model on one preprocessed input and adds every calibrated tensor's values. */
    public void add(FloatBuffer input, long[] shape) throws OrtException {
        Stats in = stats.get(inputName);
        if (in != null) {
            FloatBuffer b = input.duplicate();
            b.rewind();
            float[] v = new float[b.remaining()];
            b.get(v);
            in.add(v);
        }
        try (OnnxTensor x = OnnxTensor.createTensor(env, input, shape);
                OrtSession.Result r = session.run(Map.of(inputName, x), fetched)) {
            for (Map.Entry<String, OnnxValue> e : r) {
                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                stats.get(e.getKey()).add(v);
            }
        }
        frames++;
    }

    /** Frames added so far. */
    public int frames() {
        return frames;
    }

    /** The range of every calibrated tensor. */
    public Map<String, ActivationRange> ranges() {
        if (frames == 0) {
            throw new IllegalStateException("no calibration frame was added; add at least one");
        }
        Map<String, ActivationRange> out = new LinkedHashMap<>();
        stats.forEach((t, s) -> out.put(t, method == Method.MINMAX ? new ActivationRange(s.min, s.max)
                : s.clipped(percentile)));
        return out;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /** Min, max and a histogram of |values| whose bins widen (pairs merged) as larger values arrive. */
    static final class Stats {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        final long[] counts = new long[BINS];
        double width; // of one bin; 0 until a non-zero value is seen
        long total;

        void add(float[] values) {
            float batchMax = 0;
            for (float v : values) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                batchMax = Math.max(batchMax, Math.abs(v));
            }
            if (width == 0 && batchMax > 0) {
                width = batchMax * 1.000001 / BINS;
            }
            while (batchMax >= width * BINS && width > 0) {
                for (int i = 0; i < BINS / 2; i++) {
                    counts[i] = counts[2 * i] + counts[2 * i + 1];
                }
                java.util.Arrays.fill(counts, BINS / 2, BINS, 0);
                width *= 2;
            }
            for (float v : values) {
                int bin = width == 0 ? 0 : (int) Math.min(BINS - 1, Math.abs(v) / width);
                counts[bin]++;
            }
            total += values.length;
        }

        /** [min, max] clipped to +-(the percentile of |values|, the upper edge of its bin). */
        ActivationRange clipped(double percentile) {
            long target = (long) Math.ceil(percentile / 100 * total);
            long seen = 0;
            double limit = Math.max(Math.abs(min), Math.abs(max));
            for (int i = 0; i < BINS; i++) {
                seen += counts[i];
                if (seen >= target) {
                    limit = Math.min(limit, (i + 1) * width);
                    break;
                }
            }
            float t = (float) limit;
            float hi = Math.min(max, t);
            return new ActivationRange(Math.min(Math.max(min, -t), hi), hi);
        }
    }
}
