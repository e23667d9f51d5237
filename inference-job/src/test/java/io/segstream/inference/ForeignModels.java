package io.segstream.inference;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Models made with the project's graph writer as other frameworks export them, plus the broken ones a release
 * must never let serve.
 */
final class ForeignModels {
    /** Input size of the foreign model: not the colour model's. */
    static final int WIDTH = 40;
    static final int HEIGHT = 20;
    /** ImageNet statistics in BGR order, as the foreign model's manifest states them. */
    private static final float[] MEAN_BGR = {0.406f, 0.456f, 0.485f};
    private static final float[] STD_BGR = {0.225f, 0.224f, 0.229f};

    private ForeignModels() {}

    /**
     * The colour model as a TensorFlow-style export: input {@code input_1}, NHWC, BGR planes normalised with
     * ImageNet mean/std, 40x20 pixels, int64 class ids out of an ArgMax. The normalisation is folded into the
     * weights, so it gives the colour model's classes only when the runtime reads its manifest right.
     */
    static Path nhwcClassIds(Path dir, String version) throws IOException {
        float[] w = ColourModel.weights();
        float[] b = ColourModel.biases();
        int classes = ColourModel.CLASSES;
        float[] wf = new float[classes * 3];
        float[] bf = b.clone();
        for (int c = 0; c < classes; c++) {
            for (int plane = 0; plane < 3; plane++) {
                int rgb = 2 - plane; // BGR plane -> RGB channel of the colour model
                // colour model input rgb = x * std + mean, so w * rgb = (w * std) * x + w * mean
                wf[c * 3 + plane] = w[c * 3 + rgb] * STD_BGR[plane];
                bf[c] += w[c * 3 + rgb] * MEAN_BGR[plane];
            }
        }
        byte[] onnx = OneByOneConvModel.of("foreign-colour", classes, WIDTH, HEIGHT).weights(wf).biases(bf)
                .input("input_1", Layout.NHWC).output("class_ids").classIds(DataType.INT64).onnx();
        ModelManifest manifest = ModelManifest.builder()
                .setName("colour").setVersion(version).setLabelSet("rail-20")
                .setInput("input_1", WIDTH, HEIGHT, Layout.NHWC).optChannelOrder(ChannelOrder.BGR)
                .setNormalization(MEAN_BGR, STD_BGR)
                .setOutput("class_ids", OutputKind.CLASS_IDS_NHW)
                .optDescription("test fixture: the colour model exported NHWC/BGR/ImageNet with class ids")
                .build();
        return ModelDirectory.write(dir, onnx, manifest).dir();
    }

    /** A colour graph whose manifest claims a 48x24 input: its shapes contradict the manifest. */
    static Path wrongInputShape(Path dir, String version) throws IOException, ModelException {
        Path model = ColourModel.write(dir, version);
        ColourModel.manifest(version).toBuilder().setInput("image", 48, 24, Layout.NCHW)
                .optSha256(ModelDirectory.at(model).readManifest().sha256().orElseThrow())
                .build().write(model.resolve(ModelDirectory.MANIFEST_FILE));
        return model;
    }

    /** A sound model that labels pixels with cityscapes-19, not the job's rail-20. */
    static Path otherLabelSet(Path dir, String version) throws IOException {
        ModelManifest manifest = ColourModel.manifest(version).toBuilder().setLabelSet("cityscapes-19").build();
        return OneByOneConvModel.of("city", 19, ColourModel.WIDTH, ColourModel.HEIGHT).write(dir, manifest);
    }
}
