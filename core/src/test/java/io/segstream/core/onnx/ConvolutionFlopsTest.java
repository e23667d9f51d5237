package io.segstream.core.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import org.junit.jupiter.api.Test;

class ConvolutionFlopsTest {

    /**
     * image [1,3,32,64] -> 3x3 stride-2 conv to 8 channels (16x32 out) -> depthwise 3x3 (group 8) -> transposed
     * 2x2 stride-2 conv to 4 channels (32x64 out) -> relu.
     */
    private static byte[] model() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("flops");
        String x = g.input("image", DataType.FLOAT, 1, 3, 32, 64);
        String w1 = g.initializer("w1", new float[8 * 3 * 3 * 3], 8, 3, 3, 3);
        String c1 = g.conv(x, w1, null, ConvParams.of(2, 1).withGroup(1));
        String w2 = g.initializer("w2", new float[8 * 1 * 3 * 3], 8, 1, 3, 3);
        String c2 = g.conv(c1, w2, null, ConvParams.same(3).withGroup(8));
        String w3 = g.initializer("w3", new float[8 * 4 * 2 * 2], 8, 4, 2, 2);
        String c3 = g.convTranspose(c2, w3, null, ConvParams.of(2, 0), 0);
        String out = g.relu(c3);
        g.output(out, DataType.FLOAT, 1, 4, 32, 64);
        return g.toByteArray();
    }

    @Test
    void countsEveryConvolutionsMultiplyAddsTwice() throws Exception {
        double expected = 2.0 * (8 * 16 * 32) * (3 * 3 * 3)   // stride-2 conv: per output element, 3 in x 3x3
                + 2.0 * (8 * 16 * 32) * (1 * 3 * 3)           // depthwise: 1 input channel per output
                + 2.0 * (8 * 16 * 32) * (4 * 2 * 2);          // transposed: per input element, 4 out x 2x2
        assertEquals(expected, ConvolutionFlops.count(model(), "image", new long[] {1, 3, 32, 64}), 1e-6);
    }

    @Test
    void countsPerImageWhateverTheBatchAndScalesWithThePixels() throws Exception {
        OnnxGraphBuilder dynamic = OnnxGraphBuilder.create("flops");
        // the same graph with a dynamic shape is what exporters write; run it at batch 2 and twice the width
        String x = dynamic.input("image", DataType.FLOAT, -1, 3, -1, -1);
        String w1 = dynamic.initializer("w1", new float[8 * 3 * 3 * 3], 8, 3, 3, 3);
        String c1 = dynamic.conv(x, w1, null, ConvParams.of(2, 1));
        dynamic.outputUnshaped(c1, DataType.FLOAT);
        double batched = ConvolutionFlops.count(dynamic.toByteArray(), "image", new long[] {2, 3, 32, 128});
        assertEquals(2.0 * (8 * 16 * 64) * 27, batched, 1e-6);
        double single = ConvolutionFlops.count(dynamic.toByteArray(), "image", new long[] {1, 3, 32, 64});
        assertEquals(2 * single, batched, 1e-6);
    }

    @Test
    void aModelThatDoesNotParseIsNamedAsSuch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvolutionFlops.count(new byte[] {1, 2, 3}, "image", new long[] {1, 3, 8, 8}));
        assertEquals(true, e.getMessage().startsWith("not an ONNX model"), e.getMessage());
    }
}
