package io.segstream.connectors.models;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.ConvParams;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A tiny rail-20 model directory written by the project's graph writer: every pixel is road. */
final class Fixtures {
    static final int WIDTH = 16;
    static final int HEIGHT = 8;

    private Fixtures() {}

    static Path model(Path dir, String version) throws IOException {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("road");
        String x = g.input("image", DataType.FLOAT, -1, 3, HEIGHT, WIDTH);
        float[] b = new float[20];
        for (int c = 1; c < 20; c++) {
            b[c] = -1f;
        }
        String logits = g.conv(x, g.initializer("w", new float[20 * 3], 20, 3, 1, 1), g.initializer("b", b, 20),
                ConvParams.valid());
        g.output(g.named("logits").identity(logits), DataType.FLOAT, -1, 20, HEIGHT, WIDTH);
        ModelManifest manifest = ModelManifest.builder()
                .setName("road").setVersion(version).setLabelSet("rail-20")
                .setInput("image", WIDTH, HEIGHT, Layout.NCHW)
                .setNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .optMetrics(Map.of("miou", 0.125))
                .optDescription("test fixture: everything is road")
                .build();
        return ModelDirectory.write(dir, g.toByteArray(), manifest).dir();
    }
}
