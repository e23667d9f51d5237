package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.segstream.core.onnx.proto.Onnx.ModelProto;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestTimeAugmentationTest {
    private static final int C = SmallConvNet.CLASSES;

    @Test
    void oneMemberAtItsOwnSizeGivesItsOwnScores() throws Exception {
        byte[] net = SmallConvNet.onnx(16, 8, 9);
        byte[] tta = TestTimeAugmentation.compose(List.of(member(net, 16, 8)), false, 16, 8, 16, 8);
        float[] x = picture(16, 8);
        assertClose(run(net, "image", "logits", x, 16, 8), run(tta, x, 16, 8), 1e-6);
    }

    @Test
    void theMirroredBranchIsMirroredBackAndAveraged() throws Exception {
        // 3x3 convolutions with random weights are not mirror-symmetric: the mean differs from the plain scores
        byte[] net = SmallConvNet.onnx(16, 8, 9);
        byte[] tta = TestTimeAugmentation.compose(List.of(member(net, 16, 8)), true, 16, 8, 16, 8);
        float[] x = picture(16, 8);
        float[] plain = run(net, "image", "logits", x, 16, 8);
        float[] mirrored = mirror(run(net, "image", "logits", mirror(x, 3, 8, 16), 16, 8), C, 8, 16);
        float[] expected = new float[plain.length];
        double apart = 0;
        for (int i = 0; i < plain.length; i++) {
            expected[i] = (plain[i] + mirrored[i]) / 2;
            apart = Math.max(apart, Math.abs(plain[i] - mirrored[i]));
        }
        assertTrue(apart > 1e-3, "the test needs a network whose mirrored scores differ");
        assertClose(expected, run(tta, x, 16, 8), 1e-5);
    }

    @Test
    void membersAtTwoSizesSeeTheFrameResizedAndTheirScoresMeet() throws Exception {
        byte[] small = SmallConvNet.onnx(16, 8, 9);
        byte[] large = SmallConvNet.onnx(32, 16, 9);
        byte[] tta = TestTimeAugmentation.compose(List.of(member(small, 16, 8), member(large, 32, 16)), false, 32, 16,
                16, 8);
        float[] x = picture(32, 16);
        // halving with half-pixel bilinear is the mean of each 2x2 block, for the frame and for the large scores
        float[] a = run(small, "image", "logits", halve(x, 3, 16, 32), 16, 8);
        float[] b = halve(run(large, "image", "logits", x, 32, 16), C, 16, 32);
        float[] expected = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            expected[i] = (a[i] + b[i]) / 2;
        }
        assertClose(expected, run(tta, x, 32, 16), 1e-5);
        // the same network at two sizes holds its weights once
        assertEquals(ModelProto.parseFrom(small).getGraph().getInitializerList().stream()
                        .filter(t -> t.getName().startsWith("w") || t.getName().startsWith("b")).count(),
                ModelProto.parseFrom(tta).getGraph().getInitializerList().stream()
                        .filter(t -> t.getName().matches("m\\d_[wb]\\d")).count());
    }

    @Test
    void refusesWhatItCannotCompose() {
        assertThrows(IllegalArgumentException.class, () -> TestTimeAugmentation.compose(List.of(), false, 8, 8, 8, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TestTimeAugmentation.compose(
                List.of(new TestTimeAugmentation.Member(SmallConvNet.onnx(16, 8, 9), "image", "scores", 16, 8)),
                false, 16, 8, 16, 8));
        assertTrue(e.getMessage().contains("no output 'scores'"), e.getMessage());
    }

    // ---- averaging before the members' upsampling ({@link SmallConvNet#upsampled}: scores at a quarter, Resize by 4)

    private static TestTimeAugmentation.Grid quarter(int w, int h) {
        return new TestTimeAugmentation.Grid(w / 4, h / 4);
    }

    @Test
    void oneMemberAveragedBeforeItsUpsamplingIsItself() throws Exception {
        byte[] net = SmallConvNet.upsampled(32, 16, 3);
        byte[] tta = TestTimeAugmentation.composeBeforeUpsampling(List.of(member(net, 32, 16)),
                List.of(quarter(32, 16)), false, 32, 16, 32, 16);
        float[] x = picture(32, 16);
        assertClose(run(net, "image", "logits", x, 32, 16), run(tta, x, 32, 16), 1e-5);
        assertEquals(List.of("Resize"), UpsamplingTail.find(tta, TestTimeAugmentation.OUTPUT).orElseThrow().nodes(),
                "one upsampling at the end, for the segmenter to fuse");
    }

    @Test
    void mirroredScoresMeetBeforeTheUpsamplingAsAfterIt() throws Exception {
        // bilinear upsampling with half-pixel centres commutes with mirroring: both orders give the same mean
        byte[] net = SmallConvNet.upsampled(32, 16, 4);
        float[] x = picture(32, 16);
        float[] before = run(TestTimeAugmentation.composeBeforeUpsampling(List.of(member(net, 32, 16)),
                List.of(quarter(32, 16)), true, 32, 16, 32, 16), x, 32, 16);
        float[] after = run(TestTimeAugmentation.compose(List.of(member(net, 32, 16)), true, 32, 16, 32, 16), x, 32,
                16);
        float[] plain = run(net, "image", "logits", x, 32, 16);
        double apart = 0;
        for (int i = 0; i < plain.length; i++) {
            apart = Math.max(apart, Math.abs(plain[i] - after[i]));
        }
        assertTrue(apart > 1e-3, "the test needs a network whose mirrored scores differ");
        assertClose(after, before, 1e-5);
    }

    @Test
    void membersOnTwoGridsMeetOnTheLargerAndAreUpsampledOnce() throws Exception {
        byte[] small = SmallConvNet.upsampled(32, 16, 5);
        byte[] large = SmallConvNet.upsampled(64, 32, 5);
        byte[] tta = TestTimeAugmentation.composeBeforeUpsampling(
                List.of(member(small, 32, 16), member(large, 64, 32)), List.of(quarter(32, 16), quarter(64, 32)),
                false, 64, 32, 32, 16);
        float[] x = picture(64, 32);
        // each member's scores before its Resize: the small one on the halved frame (8x4), the large one (16x8)
        float[] a = run(UpsamplingTail.find(small, "logits").orElseThrow().cutModel(), "image",
                UpsamplingTail.find(small, "logits").orElseThrow().scoresBefore(), halve(x, 3, 32, 64), 32, 16);
        float[] b = run(UpsamplingTail.find(large, "logits").orElseThrow().cutModel(), "image",
                UpsamplingTail.find(large, "logits").orElseThrow().scoresBefore(), x, 64, 32);
        float[] aOnB = io.segstream.core.segment.MaskPostprocessor.upsampling(C, 8, 16, 4, 8)
                .upsampledScores(FloatBuffer.wrap(a), 0);
        float[] mean = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            mean[i] = (aOnB[i] + b[i]) / 2;
        }
        float[] expected = io.segstream.core.segment.MaskPostprocessor.upsampling(C, 16, 32, 8, 16)
                .upsampledScores(FloatBuffer.wrap(mean), 0);
        assertClose(expected, run(tta, x, 64, 32), 1e-4);
    }

    @Test
    void aMemberWithoutAnUpsamplingCannotBeAveragedBeforeOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TestTimeAugmentation.composeBeforeUpsampling(List.of(member(SmallConvNet.onnx(16, 8, 9), 16, 8)),
                        List.of(new TestTimeAugmentation.Grid(16, 8)), false, 16, 8, 16, 8));
        assertTrue(e.getMessage().contains("member 1 (16x8) does not end in an upsampling"), e.getMessage());
    }

    private static TestTimeAugmentation.Member member(byte[] onnx, int w, int h) {
        return new TestTimeAugmentation.Member(onnx, "image", "logits", w, h);
    }

    private static float[] picture(int w, int h) {
        Random r = new Random(w * 31L + h);
        float[] x = new float[3 * w * h];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static float[] mirror(float[] x, int channels, int h, int w) {
        float[] y = new float[x.length];
        for (int c = 0; c < channels; c++) {
            for (int row = 0; row < h; row++) {
                for (int col = 0; col < w; col++) {
                    y[(c * h + row) * w + col] = x[(c * h + row) * w + (w - 1 - col)];
                }
            }
        }
        return y;
    }

    private static float[] halve(float[] x, int channels, int h, int w) {
        float[] y = new float[channels * (h / 2) * (w / 2)];
        for (int c = 0; c < channels; c++) {
            for (int row = 0; row < h / 2; row++) {
                for (int col = 0; col < w / 2; col++) {
                    int at = (c * h + 2 * row) * w + 2 * col;
                    y[(c * (h / 2) + row) * (w / 2) + col] = (x[at] + x[at + 1] + x[at + w] + x[at + w + 1]) / 4;
                }
            }
        }
        return y;
    }

    private static float[] run(byte[] tta, float[] x, int w, int h) throws Exception {
        return run(tta, TestTimeAugmentation.INPUT, TestTimeAugmentation.OUTPUT, x, w, h);
    }

    private static float[] run(byte[] onnx, String input, String output, float[] x, int w, int h) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, h, w});
                OrtSession.Result r = s.run(Map.of(input, t))) {
            FloatBuffer f = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
            float[] v = new float[f.remaining()];
            f.get(v);
            return v;
        }
    }

    private static void assertClose(float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "score count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "score " + i);
        }
    }
}
