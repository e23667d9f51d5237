package io.segstream.connectors.models;

import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A tiny rail-20 {@link OneByOneConvModel} directory: every pixel is road. */
final class Fixtures {
    static final int WIDTH = 16;
    static final int HEIGHT = 8;

    private Fixtures() {}

    static Path model(Path dir, String version) throws IOException {
        float[] b = new float[20];
        for (int c = 1; c < 20; c++) {
            b[c] = -1f;
        }
        ModelManifest manifest = ModelManifest.builder()
                .setName("road").setVersion(version).setLabelSet("rail-20")
                .setInput("image", WIDTH, HEIGHT, Layout.NCHW)
                .setNormalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .optMetrics(Map.of("miou", 0.125))
                .optDescription("test fixture: everything is road")
                .build();
        return OneByOneConvModel.of("road", 20, WIDTH, HEIGHT).biases(b).write(dir, manifest);
    }
}
