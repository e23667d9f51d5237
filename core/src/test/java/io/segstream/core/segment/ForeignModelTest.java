package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models exported the way other frameworks do it: a TensorFlow-style input name, NHWC, the model's own mean/std,
 * class ids as int32 or uint8. The manifest alone says how to feed and read them.
 */
class ForeignModelTest {
    private static final float[] MEAN = {0.95f, 0.05f, 0.05f};
    private static final float[] STD = {0.5f, 0.5f, 0.5f};
    private static final String INPUT = "serving_default_input:0";

    @TempDir
    Path dir;

    /**
     * Class c (road, sidewalk, building) scores its RGB channel c as the model saw it before normalisation:
     * {@code x * std + mean}, so the brightest raw channel wins only when the runtime normalised with the manifest's
     * mean and std.
     */
    private static byte[] onnx(DataType ids) {
        float[] w = new float[20 * 3];
        float[] b = new float[20];
        Arrays.fill(b, -10f);
        for (int c = 0; c < 3; c++) {
            w[c * 3 + c] = STD[c];
            b[c] = MEAN[c];
        }
        return OneByOneConvModel.of("tf-export", 20, 8, 4).weights(w).biases(b).input(INPUT, Layout.NHWC)
                .output("predictions").classIds(ids).onnx();
    }

    private Path write(String name, DataType ids, float[] mean) throws Exception {
        ModelManifest m = ModelManifest.builder().setName("tf").setVersion("1").setLabelSet("rail-20")
                .setInput(INPUT, 8, 4, Layout.NHWC)
                .setNormalization(mean, STD)
                .setOutput("predictions", OutputKind.CLASS_IDS_NHW)
                .build();
        return ModelDirectory.write(dir.resolve(name), onnx(ids), m).dir();
    }

    /** A 16x8 frame of four stripes: red, green, blue, red. */
    private static RgbImage stripes() {
        int[] colours = {0xFF2010, 0x10E020, 0x2010F0, 0xFF2010};
        int[] px = new int[16 * 8];
        for (int i = 0; i < px.length; i++) {
            px[i] = colours[(i % 16) / 4];
        }
        return RgbImage.ofPackedRgb(16, 8, px);
    }

    private static byte[] expected() {
        byte[] out = new byte[16 * 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) new int[] {0, 1, 2, 0}[(i % 16) / 4];
        }
        return out;
    }

    private static byte[] segment(Path model) throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(model, SegmenterOptions.defaults())) {
            return seg.segment(stripes()).classIds();
        }
    }

    @Test
    void int32AndUint8ClassIdsFromAnNhwcModelWithItsOwnNormalisation() throws Exception {
        assertArrayEquals(expected(), segment(write("int32", DataType.INT32, MEAN)));
        assertArrayEquals(expected(), segment(write("uint8", DataType.UINT8, MEAN)));
    }

    @Test
    void theManifestsMeanAndStdAreWhatFeedsTheModel() throws Exception {
        // the same graph described with another mean: the green stripe now reads as red
        byte[] wrongMean = segment(write("wrong-mean", DataType.INT32, new float[] {0, 0, 0}));
        assertFalse(Arrays.equals(expected(), wrongMean));
        // fed x = p / std, class c scores p_c + MEAN[c]: road gets r + 0.95, the others at most g or b + 0.05,
        // and no stripe (nor a blend of two) has g - r or b - r above 0.82 < 0.9, so every pixel is road (0)
        assertArrayEquals(new byte[16 * 8], wrongMean);
    }
}
