package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small graphs written by {@link OnnxGraphBuilder}, run in ONNX Runtime with every graph optimisation, against hand-computed values. */
class OnnxGraphBuilderTest {
    private static final float EPS = 1e-5f;
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void conv1x1MixesChannelsWithKnownWeights() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("conv1x1");
        String x = g.input("x", DataType.FLOAT, 1, 3, 2, 2);
        String w = g.initializer("w", new float[] {1, 2, 3, -1, 0, 0.5f}, 2, 3, 1, 1);
        String b = g.initializer("b", new float[] {0.5f, -1}, 2);
        g.output(g.named("y").conv(x, w, b, ConvParams.valid()), DataType.FLOAT, 1, 2, 2, 2);
        // channel planes: R = 1..4, G = 10..40, B = 100..400
        float[] in = {1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400};
        float[] out = runFloat(g, "x", in, new long[] {1, 3, 2, 2}, "y");
        // y0 = r + 2g + 3b + 0.5 ; y1 = -r + 0.5b - 1
        assertArrayEquals(new float[] {321.5f, 642.5f, 963.5f, 1284.5f, 48, 97, 146, 195}, out, EPS);
    }

    @Test
    void conv3x3WithPaddingMatchesTheHandComputedLaplacian() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("laplace");
        String x = g.input("x", DataType.FLOAT, 1, 1, 3, 3);
        String w = g.initializer("w", new float[] {0, 1, 0, 1, -4, 1, 0, 1, 0}, 1, 1, 3, 3);
        g.output(g.named("y").conv(x, w, null, ConvParams.same(3)), DataType.FLOAT, 1, 1, 3, 3);
        float[] out = runFloat(g, "x", new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 1, 3, 3}, "y");
        // out = up + down + left + right - 4 * centre, zeros outside
        assertArrayEquals(new float[] {2, 1, -4, -3, 0, -7, -16, -11, -22}, out, EPS);
    }

    @Test
    void stridedAndGroupedConvolutions() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("grouped");
        String x = g.input("x", DataType.FLOAT, 1, 2, 4, 4);
        String w = g.initializer("w", new float[] {2, 3}, 2, 1, 1, 1);
        g.output(g.named("y").conv(x, w, null, ConvParams.of(2, 0).withGroup(2)), DataType.FLOAT, 1, 2, 2, 2);
        float[] in = new float[32];
        for (int i = 0; i < in.length; i++) {
            in[i] = i;
        }
        float[] out = runFloat(g, "x", in, new long[] {1, 2, 4, 4}, "y");
        // stride 2 picks (0,0),(0,2),(2,0),(2,2) of each 4x4 plane; channel 0 x2, channel 1 x3
        assertArrayEquals(new float[] {0, 4, 16, 20, 48, 54, 72, 78}, out, EPS);
    }

    @Test
    void batchNormalizationAfterConvThenRelu() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("bn");
        String x = g.input("x", DataType.FLOAT, 1, 2, 1, 2);
        String w = g.initializer("w", new float[] {1, 0, 0, 1}, 2, 2, 1, 1);
        String y = g.conv(x, w, null, ConvParams.valid());
        y = g.batchNormalization(y, g.constant(new float[] {2, 1}, 2), g.constant(new float[] {0.5f, 0}, 2),
                g.constant(new float[] {1, 0}, 2), g.constant(new float[] {4, 1}, 2), 0f);
        g.output(g.named("y").relu(y), DataType.FLOAT, 1, 2, 1, 2);
        float[] out = runFloat(g, "x", new float[] {-1, 3, -2, 5}, new long[] {1, 2, 1, 2}, "y");
        // ch0: (x - 1) / 2 * 2 + 0.5 -> -1.5, 2.5 ; ch1: x -> -2, 5 ; then relu
        assertArrayEquals(new float[] {0, 2.5f, 0, 5}, out, EPS);
    }

    @Test
    void elementwiseArithmeticClipAndConcat() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("arith");
        String x = g.input("x", DataType.FLOAT, 1, 1, 1, 4);
        String two = g.scalar(2f);
        String a = g.div(g.mul(g.sub(g.add(x, two), g.scalar(1f)), two), g.scalar(4f)); // (x + 1) / 2
        String c = g.clip(x, -1f, 1f);
        String s = g.sqrt(g.abs(x));
        g.output(g.named("y").concat(1, a, c, s), DataType.FLOAT, 1, 3, 1, 4);
        float[] out = runFloat(g, "x", new float[] {-4, 0, 0.25f, 9}, new long[] {1, 1, 1, 4}, "y");
        assertArrayEquals(new float[] {-1.5f, 0.5f, 0.625f, 5, -1, 0, 0.25f, 1, 2, 0, 0.5f, 3}, out, EPS);
    }

    @Test
    void resizeNearestRepeatsPixelsAndLinearInterpolatesHalfPixel() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("resize");
        String x = g.input("x", DataType.FLOAT, 1, 1, 2, 2);
        g.output(g.named("near").resizeNearest(x, 1, 1, 2, 2), DataType.FLOAT, 1, 1, 4, 4);
        g.output(g.named("lin").resizeLinear(x, false, 1, 1, 1, 2), DataType.FLOAT, 1, 1, 2, 4);
        Map<String, float[]> out = run(g, "x", new float[] {1, 2, 3, 4}, new long[] {1, 1, 2, 2});
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, out.get("near"), EPS);
        // half-pixel source x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to the row
        assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2, 3, 3.25f, 3.75f, 4}, out.get("lin"), EPS);
    }

    @Test
    void poolingWindows() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("pool");
        String x = g.input("x", DataType.FLOAT, 1, 1, 3, 3);
        g.output(g.named("max").maxPool(x, 2, ConvParams.of(1, 0)), DataType.FLOAT, 1, 1, 2, 2);
        g.output(g.named("avg").averagePool(x, 3, ConvParams.of(1, 1), false), DataType.FLOAT, 1, 1, 3, 3);
        g.output(g.named("avgpad").averagePool(x, 3, ConvParams.of(1, 1), true), DataType.FLOAT, 1, 1, 3, 3);
        g.output(g.named("gap").globalAveragePool(x), DataType.FLOAT, 1, 1, 1, 1);
        Map<String, float[]> out = run(g, "x", new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 1, 3, 3});
        assertArrayEquals(new float[] {5, 6, 8, 9}, out.get("max"), EPS);
        // corners average 4 values, edges 6, the centre all 9
        assertArrayEquals(new float[] {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, out.get("avg"), EPS);
        assertArrayEquals(new float[] {12 / 9f, 21 / 9f, 16 / 9f, 27 / 9f, 5, 33 / 9f, 24 / 9f, 39 / 9f, 28 / 9f},
                out.get("avgpad"), EPS);
        assertArrayEquals(new float[] {5}, out.get("gap"), EPS);
    }

    @Test
    void reduceMeanOverChannels() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("mean");
        String x = g.input("x", DataType.FLOAT, 1, 3, 1, 2);
        g.output(g.named("y").reduceMean(x, true, 1), DataType.FLOAT, 1, 1, 1, 2);
        float[] out = runFloat(g, "x", new float[] {1, 2, 3, 4, 5, 9}, new long[] {1, 3, 1, 2}, "y");
        assertArrayEquals(new float[] {3, 5}, out, EPS);
    }

    @Test
    void softmaxAndArgMaxOverChannels() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("heads");
        String x = g.input("x", DataType.FLOAT, 1, 2, 1, 2);
        g.output(g.named("p").softmax(x, 1), DataType.FLOAT, 1, 2, 1, 2);
        g.output(g.named("ids").argMax(x, 1, false), DataType.INT64, 1, 1, 2);
        float ln3 = (float) Math.log(3);
        try (OrtSession s = session(g);
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[] {0, 5, ln3, 1}),
                        new long[] {1, 2, 1, 2});
                OrtSession.Result r = s.run(Map.of("x", in))) {
            float[] p = floats((OnnxTensor) r.get("p").orElseThrow());
            float e4 = (float) Math.exp(4);
            assertArrayEquals(new float[] {0.25f, e4 / (1 + e4), 0.75f, 1 / (1 + e4)}, p, EPS);
            long[] ids = new long[2];
            ((OnnxTensor) r.get("ids").orElseThrow()).getLongBuffer().get(ids);
            assertArrayEquals(new long[] {1, 0}, ids);
        }
    }

    @Test
    void transposeReshapeAndCast() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("layout");
        String x = g.input("x", DataType.FLOAT, 1, 2, 2, 3);  // NHWC
        String nchw = g.named("nchw").transpose(x, 0, 3, 1, 2);
        g.output(nchw, DataType.FLOAT, 1, 3, 2, 2);
        g.output(g.named("flat").reshape(nchw, 1, -1), DataType.FLOAT, 1, 12);
        float[] in = new float[12];
        for (int i = 0; i < 12; i++) {
            in[i] = i;
        }
        Map<String, float[]> out = run(g, "x", in, new long[] {1, 2, 2, 3});
        float[] expected = {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11};
        assertArrayEquals(expected, out.get("nchw"), EPS);
        assertArrayEquals(expected, out.get("flat"), EPS);
    }

    @Test
    void convTransposeSpreadsEachPixelOverAStride2Block() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("up");
        String x = g.input("x", DataType.FLOAT, 1, 1, 2, 2);
        String w = g.initializer("w", new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        g.output(g.named("y").convTranspose(x, w, g.constant(new float[] {1}, 1), ConvParams.of(2, 0), 0),
                DataType.FLOAT, 1, 1, 4, 4);
        float[] out = runFloat(g, "x", new float[] {1, 10, 100, 0}, new long[] {1, 1, 2, 2}, "y");
        // each input value v writes v * [[1,2],[3,4]] into its own 2x2 block, plus bias 1
        assertArrayEquals(new float[] {2, 3, 11, 21, 4, 5, 31, 41, 101, 201, 1, 1, 301, 401, 1, 1}, out, EPS);
    }

    @Test
    void symbolicBatchRunsSeveralImages() throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("batch");
        String x = g.input("x", DataType.FLOAT, -1, 1, 1, 2);
        g.output(g.named("y").relu(x), DataType.FLOAT, -1, 1, 1, 2);
        float[] out = runFloat(g, "x", new float[] {-1, 1, 2, -2, 3, 3}, new long[] {3, 1, 1, 2}, "y");
        assertArrayEquals(new float[] {0, 1, 2, 0, 3, 3}, out, EPS);
    }

    @Test
    void writesStandardWireFormat(@TempDir Path dir) throws Exception {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("wire").optMetadata("segstream.kind", "test");
        g.output(g.named("y").relu(g.input("x", DataType.FLOAT, 1)), DataType.FLOAT, 1);
        Path file = dir.resolve("m/model.onnx");
        g.write(file);
        byte[] bytes = Files.readAllBytes(file);
        // field 1 (ir_version), varint: tag 0x08 then the value 8
        assertEquals(0x08, bytes[0]);
        assertEquals(8, bytes[1]);
        ModelProto m = ModelProto.parseFrom(bytes);
        assertEquals(8, m.getIrVersion());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        // OperatorSetIdProto {domain = "" (field 1), version = 17 (field 2)}
        assertArrayEquals(new byte[] {0x0A, 0x00, 0x10, 0x11}, m.getOpsetImport(0).toByteArray());
        try (OrtSession s = ENV.createSession(file.toString(), optimisedOptions())) {
            assertEquals("test", s.getMetadata().getCustomMetadata().get("segstream.kind"));
        }
    }

    @Test
    void buildSaysWhatIsWrongWithTheGraph() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("broken");
        String x = g.input("x", DataType.FLOAT, 1);
        g.add(x, "nowhere");
        g.output("missing", DataType.FLOAT, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, g::build);
        assertTrue(e.getMessage().contains("reads 'nowhere', which no input, initializer or earlier node defines"),
                e.getMessage());
        assertTrue(e.getMessage().contains("output 'missing' is not produced by any node"), e.getMessage());

        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> g.initializer("w", new float[5], 2, 3));
        assertEquals("initializer 'w' has 5 values but shape [2, 3] holds 6", size.getMessage());

        OnnxGraphBuilder twice = OnnxGraphBuilder.create("twice");
        String y = twice.input("y", DataType.FLOAT, 1);
        twice.named("z").relu(y);
        twice.named("z").relu(y);
        twice.output("z", DataType.FLOAT, 1);
        IllegalStateException dup = assertThrows(IllegalStateException.class, twice::build);
        assertTrue(dup.getMessage().contains("writes 'z', which is already defined"), dup.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    private static OrtSession.SessionOptions optimisedOptions() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return o;
    }

    private static OrtSession session(OnnxGraphBuilder g) throws OrtException {
        try (OrtSession.SessionOptions o = optimisedOptions()) {
            return ENV.createSession(g.toByteArray(), o);
        }
    }

    private static float[] runFloat(OnnxGraphBuilder g, String input, float[] data, long[] shape, String output)
            throws OrtException {
        return run(g, input, data, shape).get(output);
    }

    private static Map<String, float[]> run(OnnxGraphBuilder g, String input, float[] data, long[] shape)
            throws OrtException {
        try (OrtSession s = session(g);
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(data), shape);
                OrtSession.Result r = s.run(Map.of(input, in))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                out.put(e.getKey(), floats((OnnxTensor) e.getValue()));
            }
            return out;
        }
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }
}
