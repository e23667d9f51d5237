package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassOffsetsTest {
    private static final int W = 8;
    private static final int H = 4;

    @Test
    void foldsIntoTheLastConvolutionsBiasThroughOperatorsThatCarryConstants() throws Exception {
        byte[] model = SmallConvNet.onnx(W, H, 4);
        float[] offsets = offsets(SmallConvNet.CLASSES);
        ClassOffsets.Applied applied = ClassOffsets.apply(model, "logits", offsets);
        assertTrue(applied.folded(), applied.where());
        assertTrue(applied.where().contains("b3"), applied.where());
        assertEquals(nodes(model), nodes(applied.model()), "folding adds no operator");
        assertScoresMoveByTheOffsets(model, applied.model(), SmallConvNet.CLASSES, offsets);
    }

    @Test
    void addsAnAddWhereTheScoresDoNotComeStraightFromABias() throws Exception {
        // class scores through a ReLU: an offset on the bias would be clipped, so it must be added after
        OnnxGraphBuilder g = OnnxGraphBuilder.create("relu-head");
        String x = g.input("image", DataType.FLOAT, -1, 3, H, W);
        Random r = new Random(2);
        float[] w = new float[4 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        String conv = g.conv(x, g.initializer("w", w, 4, 3, 1, 1), g.initializer("b", new float[4], 4),
                ConvParams.valid());
        g.output(g.named("logits").relu(conv), DataType.FLOAT, -1, 4, H, W);
        byte[] model = g.toByteArray();
        float[] offsets = offsets(4);
        ClassOffsets.Applied applied = ClassOffsets.apply(model, "logits", offsets);
        assertFalse(applied.folded(), applied.where());
        assertEquals(nodes(model) + 1, nodes(applied.model()));
        assertScoresMoveByTheOffsets(model, applied.model(), 4, offsets);
    }

    /** Scores from a Mul (as a composed tta model's are) and then upsampled: the Add goes in before the Resize. */
    @Test
    void addsTheAddBeforeAnUpsamplingSoThatItStaysLast() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("mul-then-resize");
        String x = g.input("image", DataType.FLOAT, -1, 3, H, W);
        String pooled = g.node("AveragePool", java.util.List.of(x), OnnxGraphBuilder.ints("kernel_shape", 2, 2),
                OnnxGraphBuilder.ints("strides", 2, 2));
        Random r = new Random(3);
        float[] w = new float[4 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        String conv = g.conv(pooled, g.initializer("w", w, 4, 3, 1, 1), g.initializer("b", new float[4], 4),
                ConvParams.valid());
        String half = g.node("Mul", java.util.List.of(conv, g.scalar(0.5f)));
        String scales = g.constant(new float[] {1, 1, 2, 2}, 4);
        String up = g.named("logits").node("Resize", java.util.List.of(half, "", scales),
                OnnxGraphBuilder.attr("mode", "linear"),
                OnnxGraphBuilder.attr("coordinate_transformation_mode", "half_pixel"));
        g.output(up, DataType.FLOAT, -1, 4, H, W);
        byte[] model = g.toByteArray();
        float[] offsets = offsets(4);
        ClassOffsets.Applied applied = ClassOffsets.apply(model, "logits", offsets);
        assertFalse(applied.folded(), applied.where());
        assertTrue(applied.where().contains("before the Resize"), applied.where());
        assertScoresMoveByTheOffsets(model, applied.model(), 4, offsets);
        assertEquals(java.util.List.of("Resize"), UpsamplingTail.find(applied.model(), "logits").orElseThrow().nodes(),
                "the upsampling is still the model's last operator");
    }

    @Test
    void refusesAMissingOutput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassOffsets.apply(SmallConvNet.onnx(W, H, 4), "scores", new float[SmallConvNet.CLASSES]));
        assertTrue(e.getMessage().contains("no output 'scores'"), e.getMessage());
    }

    private static float[] offsets(int classes) {
        float[] o = new float[classes];
        for (int c = 0; c < classes; c++) {
            o[c] = (c % 3 - 1) * 0.75f + c * 0.01f;
        }
        return o;
    }

    private static int nodes(byte[] onnx) throws Exception {
        return ModelProto.parseFrom(onnx).getGraph().getNodeCount();
    }

    private static void assertScoresMoveByTheOffsets(byte[] before, byte[] after, int classes, float[] offsets)
            throws Exception {
        float[] input = new float[3 * H * W];
        Random r = new Random(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        float[] a = run(before, input);
        float[] b = run(after, input);
        assertEquals(a.length, b.length);
        int plane = H * W;
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + offsets[i / plane], b[i], 1e-5, "score " + i);
        }
        assertEquals(classes * plane, a.length);
    }

    private static float[] run(byte[] onnx, float[] input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, H, W});
                OrtSession.Result res = s.run(Map.of("image", x))) {
            FloatBuffer f = ((OnnxTensor) res.get("logits").orElseThrow()).getFloatBuffer();
            float[] v = new float[f.remaining()];
            f.get(v);
            return v;
        }
    }
}
