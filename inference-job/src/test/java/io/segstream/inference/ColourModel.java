package io.segstream.inference;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A rail-20 {@link OneByOneConvModel} whose answer a test can predict: a 1x1 convolution
 * that calls saturated red pixels {@code person} (11), saturated green ones {@code vegetation} (8) and
 * everything else {@code road} (0).
 */
public final class ColourModel {
    static final int PERSON = 11;
    static final int VEGETATION = 8;
    static final int ROAD = 0;
    static final int WIDTH = 64;
    static final int HEIGHT = 32;
    static final int CLASSES = 20;

    private ColourModel() {}

    public static Path write(Path dir, String version) throws IOException {
        return ModelDirectory.write(dir, graph(false), manifest(version)).dir();
    }

    /** The same model whose scores are all NaN: it loads, but must never serve. */
    public static Path writeNaN(Path dir, String version) throws IOException {
        return ModelDirectory.write(dir, graph(true), manifest(version)).dir();
    }

    /**
     * The same model whose scores are NaN for black frames only: it passes the smoke run and the warm-up and serves,
     * and a black frame gets NaN scores (see {@link OneByOneConvModel#nanOnBlack()}).
     */
    public static Path writeNaNOnBlack(Path dir, String version) throws IOException {
        byte[] onnx = OneByOneConvModel.of("colour", CLASSES, WIDTH, HEIGHT).weights(weights()).biases(biases())
                .nanOnBlack().onnx();
        return ModelDirectory.write(dir, onnx, manifest(version)).dir();
    }

    /** The colour model's manifest. */
    static ModelManifest manifest(String version) {
        return ModelManifest.builder()
                .setName("colour").setVersion(version).setLabelSet("rail-20")
                .setInput("image", WIDTH, HEIGHT, Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .optDescription("test fixture: red is person, green is vegetation, the rest is road")
                .build();
    }

    /** Weights of class c for channel k (RGB) of the 1x1 convolution: {@code [c * 3 + k]}. */
    static float[] weights() {
        float[] w = new float[CLASSES * 3];
        // person: 4r - 2g - 2b - 1 > 0 only for strongly red pixels; vegetation likewise for green
        w[PERSON * 3] = 4f;
        w[PERSON * 3 + 1] = -2f;
        w[PERSON * 3 + 2] = -2f;
        w[VEGETATION * 3] = -2f;
        w[VEGETATION * 3 + 1] = 4f;
        w[VEGETATION * 3 + 2] = -2f;
        return w;
    }

    /** Biases of the 1x1 convolution. */
    static float[] biases() {
        float[] b = new float[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            b[c] = -10f;
        }
        b[ROAD] = 0f;
        b[PERSON] = -1f;
        b[VEGETATION] = -1f;
        return b;
    }

    private static byte[] graph(boolean nan) {
        OneByOneConvModel m = OneByOneConvModel.of("colour", CLASSES, WIDTH, HEIGHT).weights(weights()).biases(biases());
        return (nan ? m.nan() : m).onnx();
    }
}
