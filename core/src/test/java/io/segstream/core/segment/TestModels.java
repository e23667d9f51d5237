package io.segstream.core.segment;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Tiny model directories made with {@link OneByOneConvModel}: a 1x1 convolution whose class is the
 * brightest colour channel (red: class 0 road, green: 1 sidewalk, blue: 2 building; the other 17 rail-20
 * classes score -10).
 */
final class TestModels {
    static final int CLASSES = 20;
    static final int WIDTH = 8;
    static final int HEIGHT = 4;

    private TestModels() {}

    /** Options of a fixture model; the defaults make the plain NCHW logits model. */
    static final class Spec {
        Layout layout = Layout.NCHW;
        ChannelOrder order = ChannelOrder.RGB;
        OutputKind kind = OutputKind.LOGITS_NCHW;
        String inputName = "image";
        String labelSet = "rail-20";
        long batch = -1;
        boolean nan;
        int classes = CLASSES;

        Spec layout(Layout l) {
            this.layout = l;
            return this;
        }

        Spec order(ChannelOrder o) {
            this.order = o;
            return this;
        }

        Spec kind(OutputKind k) {
            this.kind = k;
            return this;
        }

        Spec batch(long b) {
            this.batch = b;
            return this;
        }

        Spec nan() {
            this.nan = true;
            return this;
        }

        Spec classes(int c) {
            this.classes = c;
            return this;
        }
    }

    /** The ONNX bytes of the model {@code spec} describes. */
    static byte[] onnx(Spec spec) {
        float[] w = new float[spec.classes * 3];
        float[] b = new float[spec.classes];
        for (int c = 0; c < spec.classes; c++) {
            if (c < 3) {
                // planes arrive in the manifest's channel order; class c follows colour c of RGB
                int plane = spec.order == ChannelOrder.BGR ? 2 - c : c;
                w[c * 3 + plane] = 1f;
            } else {
                b[c] = -10f;
            }
        }
        OneByOneConvModel m = OneByOneConvModel.of("brightest-channel", spec.classes, WIDTH, HEIGHT)
                .weights(w).biases(b).input(spec.inputName, spec.layout).batch(spec.batch).output("out");
        if (spec.nan) {
            m.nan();
        }
        if (spec.kind == OutputKind.CLASS_IDS_NHW) {
            m.classIds(DataType.INT64);
        }
        return m.onnx();
    }

    /** The manifest of {@code spec}'s model. */
    static ModelManifest manifest(Spec spec) {
        return ModelManifest.builder()
                .setName("brightest").setVersion("1").setLabelSet(spec.labelSet)
                .setInput(spec.inputName, WIDTH, HEIGHT, spec.layout).optChannelOrder(spec.order)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("out", spec.kind)
                .optDescription("test fixture: the brightest channel wins")
                .build();
    }

    /** Writes {@code spec}'s model directory under {@code root}. */
    static Path write(Path root, String name, Spec spec) throws IOException {
        return ModelDirectory.write(root.resolve(name), onnx(spec), manifest(spec)).dir();
    }

    static Path write(Path root) throws IOException {
        return write(root, "plain", new Spec());
    }
}
