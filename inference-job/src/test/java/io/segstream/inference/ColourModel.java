package io.segstream.inference;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.ConvParams;
import io.segstream.core.onnx.OnnxGraphBuilder;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A rail-20 model written by the project's graph writer whose answer a test can predict: a 1x1 convolution
 * that calls saturated red pixels {@code person} (11), saturated green ones {@code vegetation} (8) and
 * everything else {@code road} (0).
 */
final class ColourModel {
    static final int PERSON = 11;
    static final int VEGETATION = 8;
    static final int ROAD = 0;
    static final int WIDTH = 64;
    static final int HEIGHT = 32;
    private static final int CLASSES = 20;

    private ColourModel() {}

    static Path write(Path dir, String version) throws IOException {
        OnnxGraphBuilder g = OnnxGraphBuilder.create("colour");
        String x = g.input("image", DataType.FLOAT, -1, 3, HEIGHT, WIDTH);
        float[] w = new float[CLASSES * 3];
        float[] b = new float[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            b[c] = -10f;
        }
        b[ROAD] = 0f;
        // person: 4r - 2g - 2b - 1 > 0 only for strongly red pixels; vegetation likewise for green
        w[PERSON * 3] = 4f;
        w[PERSON * 3 + 1] = -2f;
        w[PERSON * 3 + 2] = -2f;
        b[PERSON] = -1f;
        w[VEGETATION * 3] = -2f;
        w[VEGETATION * 3 + 1] = 4f;
        w[VEGETATION * 3 + 2] = -2f;
        b[VEGETATION] = -1f;
        String logits = g.conv(x, g.initializer("w", w, CLASSES, 3, 1, 1), g.initializer("b", b, CLASSES),
                ConvParams.valid());
        g.output(g.named("logits").identity(logits), DataType.FLOAT, -1, CLASSES, HEIGHT, WIDTH);
        ModelManifest manifest = ModelManifest.builder()
                .setName("colour").setVersion(version).setLabelSet("rail-20")
                .setInput("image", WIDTH, HEIGHT, Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .optDescription("test fixture: red is person, green is vegetation, the rest is road")
                .build();
        return ModelDirectory.write(dir, g.toByteArray(), manifest).dir();
    }
}
