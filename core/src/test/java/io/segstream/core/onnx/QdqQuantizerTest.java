package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.onnx.ActivationCalibrator.Method;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.NodeProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import io.segstream.core.segment.FramePreprocessor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QdqQuantizerTest {
    private static final int W = 48;
    private static final int H = 32;
    private static final long[] SHAPE = {1, 3, H, W};

    @Test
    void perChannelScalesAreTheLargestMagnitudeOver127() {
        // two output channels of four weights each
        float[] w = {0.5f, -1.27f, 0.0f, 1.0f, 0f, 0f, 0f, 0f};
        float[] scales = QdqQuantizer.perChannelScales(w, 2);
        assertArrayEquals(new float[] {0.01f, 1f}, scales, 1e-7f, "an all-zero channel keeps scale 1");
        assertArrayEquals(new byte[] {50, -127, 0, 100, 0, 0, 0, 0}, QdqQuantizer.quantizeSymmetric(w, scales));
        assertThrows(IllegalArgumentException.class, () -> QdqQuantizer.perChannelScales(w, 3));
    }

    @Test
    void activationRangesHoldZeroAndMapItExactly() {
        ActivationRange relu = new ActivationRange(0f, 2.55f);
        assertEquals(0.01f, relu.scale(), 1e-7f);
        assertEquals(0, relu.zeroPoint());
        ActivationRange signed = new ActivationRange(-1f, 0.275f);
        assertEquals(0.005f, signed.scale(), 1e-7f);
        assertEquals(200, signed.zeroPoint());
        assertEquals(1f, new ActivationRange(0f, 0f).scale(), "a tensor that was always 0 keeps a positive scale");
        ActivationRange positive = new ActivationRange(1f, 2.55f);
        assertEquals(0.01f, positive.scale(), 1e-7f, "the range is widened down to 0");
    }

    @Test
    void percentileClipsTheRareLargeValues() {
        ActivationCalibrator.Stats s = new ActivationCalibrator.Stats();
        float[] values = new float[10_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 2 == 0 ? i / 10_000f : -i / 10_000f; // |v| uniform on [0, 1)
        }
        s.add(values);
        s.add(new float[] {100f}); // one outlier widens the bins, merging them
        ActivationRange r = s.clipped(99.0);
        assertEquals(-0.9999f, s.min, 1e-6f);
        assertEquals(100f, s.max);
        assertEquals(s.min, r.min(), "the smallest value lies inside the clipped range");
        // the 99th percentile of |v| is ~0.99; bins are 100/2048 wide after the outlier
        assertTrue(r.max() > 0.98f && r.max() < 0.99f + 100f / 1024, "clipped at " + r);
    }

    @Test
    void quantizedModelAgreesWithTheFloatModelAndRunsOnIntegerKernels() throws Exception {
        byte[] fp32 = SmallConvNet.onnx(W, H, 9);
        List<String> tensors = QdqQuantizer.activationTensors(fp32);
        assertEquals(3, tensors.size(), "the image and both hidden ReLU outputs feed convolutions: " + tensors);
        FramePreprocessor pre = new FramePreprocessor(SmallConvNet.manifest(W, H));
        FloatBuffer input = FloatBuffer.allocate(pre.floatsPerImage());
        byte[] int8;
        try (ActivationCalibrator cal = new ActivationCalibrator(fp32, "image", tensors, Method.MINMAX, 100)) {
            for (int i = 0; i < 6; i++) {
                pre.write(SmallConvNet.picture(W, H, i), input, 0);
                cal.add(input, SHAPE);
            }
            Map<String, ActivationRange> ranges = cal.ranges();
            assertEquals(0f, ranges.get(tensors.get(1)).min(), "a ReLU output never goes below 0");
            int8 = QdqQuantizer.quantize(fp32, ranges);
        }
        ModelProto q = ModelProto.parseFrom(int8);
        List<String> ops = q.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertEquals(3, ops.stream().filter("QuantizeLinear"::equals).count());
        assertEquals(6, ops.stream().filter("DequantizeLinear"::equals).count());
        TensorProto w1 = q.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("w1_quantized"))
                .findFirst().orElseThrow();
        assertEquals(DataType.INT8_VALUE, w1.getDataType());
        assertTrue(q.getGraph().getInitializerList().stream().noneMatch(t -> t.getName().equals("w1")),
                "the float weight is gone");
        assertTrue(int8.length < fp32.length, int8.length + " bytes, float " + fp32.length);

        List<FloatBuffer> heldOut = new ArrayList<>();
        for (int i = 100; i < 106; i++) { // held-out pictures
            FloatBuffer b = FloatBuffer.allocate(input.capacity());
            pre.write(SmallConvNet.picture(W, H, i), b, 0);
            heldOut.add(b);
        }
        QuantizedModelCheck check = new QuantizedModelCheck(fp32, "image", "logits", heldOut, SHAPE);
        assertEquals(1.0, check.agreement(fp32), "the original agrees with itself");
        assertTrue(check.agreement(int8) >= 0.99, "argmax agreement " + check.agreement(int8));
        assertTrue(QuantizedModelCheck.integerKernels(int8) > 0, "ONNX Runtime fuses the QDQ convolutions");
        assertEquals(0, QuantizedModelCheck.integerKernels(fp32), "the float model has no integer kernel");
    }

    @Test
    void weightsOnlyQuantizationKeepsActivationsFloat() throws Exception {
        byte[] fp32 = SmallConvNet.onnx(W, H, 9);
        byte[] int8 = QdqQuantizer.quantize(fp32, Map.of());
        // what the TensorRT provider is told (trt_int8_enable): the float model is not quantized, this one is
        assertFalse(QdqQuantizer.isQuantized(fp32));
        assertTrue(QdqQuantizer.isQuantized(int8));
        ModelProto q = ModelProto.parseFrom(int8);
        List<String> ops = q.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        assertEquals(0, ops.stream().filter("QuantizeLinear"::equals).count());
        assertEquals(3, ops.stream().filter("DequantizeLinear"::equals).count());
        NodeProto dq = q.getGraph().getNode(0);
        assertEquals("axis", dq.getAttribute(0).getName());
        assertEquals(0, dq.getAttribute(0).getI());
    }

    @Test
    void batchNormalizationIsFoldedIntoTheConvolutionBeforeIt() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("conv-bn");
        String x = g.input("image", DataType.FLOAT, 1, 3, 8, 8);
        java.util.Random r = new java.util.Random(3);
        float[] w = new float[4 * 3 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        String conv = g.conv(x, g.initializer("w", w, 4, 3, 3, 3), null, ConvParams.same(3));
        String bn = g.batchNormalization(conv, g.initializer("gamma", new float[] {1f, 2f, 0.5f, -1f}, 4),
                g.initializer("beta", new float[] {0f, 0.5f, -1f, 2f}, 4),
                g.initializer("mean", new float[] {0.1f, -0.2f, 0.3f, 0f}, 4),
                g.initializer("var", new float[] {1f, 4f, 0.25f, 2f}, 4), 1e-5f);
        g.output(g.named("y").relu(bn), DataType.FLOAT, 1, 4, 8, 8);
        byte[] fp32 = g.toByteArray();
        byte[] folded = QdqQuantizer.foldBatchNorms(ModelProto.parseFrom(fp32)).toByteArray();
        List<String> ops = ModelProto.parseFrom(folded).getGraph().getNodeList().stream().map(NodeProto::getOpType)
                .toList();
        assertEquals(List.of("Conv", "Relu"), ops);
        float[] input = new float[3 * 64];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        assertArrayEquals(run(fp32, input), run(folded, input), 1e-4f);
    }

    @Test
    void convTransposeWeightsAreQuantizedPerOutputChannelOfAxis1() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("up");
        String x = g.input("image", DataType.FLOAT, 1, 3, 8, 8);
        // weight [in 3, out 2, 2, 2]: output channel 1 is 100 times channel 0, so one scale for both would
        // round channel 0 to a few levels
        float[] w = new float[3 * 2 * 4];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                w[(i * 2) * 4 + k] = (float) r.nextGaussian() * 0.01f;
                w[(i * 2 + 1) * 4 + k] = (float) r.nextGaussian();
            }
        }
        String up = g.convTranspose(x, g.initializer("w", w, 3, 2, 2, 2), null, ConvParams.valid().withStrides(2, 2),
                0);
        g.output(g.named("y").identity(up), DataType.FLOAT, 1, 2, 16, 16);
        byte[] fp32 = g.toByteArray();
        byte[] int8 = QdqQuantizer.quantize(fp32, Map.of());
        NodeProto dq = ModelProto.parseFrom(int8).getGraph().getNode(0);
        assertEquals("DequantizeLinear", dq.getOpType());
        assertEquals(1, dq.getAttribute(0).getI(), "ConvTranspose's output channels are axis 1");
        float[] input = new float[3 * 64];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        float[] expected = run(fp32, input);
        float[] actual = run(int8, input);
        for (int i = 0; i < 256; i++) { // channel 0, the small one: within 2 % of its largest value
            assertEquals(expected[i], actual[i], 0.02 * 0.03, "pixel " + i);
        }
    }

    private static float[] run(byte[] onnx, float[] input) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(onnx);
                ai.onnxruntime.OnnxTensor x = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
                        new long[] {1, 3, 8, 8});
                ai.onnxruntime.OrtSession.Result out = s.run(Map.of("image", x))) {
            FloatBuffer b = ((ai.onnxruntime.OnnxTensor) out.get(0)).getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
        }
    }

    @Test
    void refusesWhatItCannotQuantize() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("no-conv");
        g.output(g.relu(g.input("image", DataType.FLOAT, 1, 3, 4, 4)), DataType.FLOAT, 1, 3, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QdqQuantizer.quantize(g.toByteArray(), Map.of()));
        assertEquals("the model has no Conv or ConvTranspose with a float weight initializer, so there is nothing to"
                + " quantize", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QdqQuantizer.quantize(new byte[] {1, 2, 3}, Map.of()));
    }

    @Test
    void raisesOpset11To13OnlyWhereTheOperatorsAllow() throws Exception {
        ModelProto m = ModelProto.parseFrom(SmallConvNet.onnx(W, H, 9));
        ModelProto at11 = m.toBuilder().setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(11)).build();
        ModelProto q = ModelProto.parseFrom(QdqQuantizer.quantize(at11.toByteArray(), Map.of()));
        assertEquals(13, q.getOpsetImport(0).getVersion());

        ModelProto softmax = at11.toBuilder().setGraph(at11.getGraph().toBuilder().addNode(NodeProto.newBuilder()
                .setOpType("Softmax").addInput("logits").addOutput("p"))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QdqQuantizer.quantize(softmax.toByteArray(), Map.of()));
        assertEquals("the model uses opset 11, per-channel quantization needs opset 13, and its operators [Softmax]"
                + " may change meaning at 13; export the model at opset 13 or later", e.getMessage());
    }
}
