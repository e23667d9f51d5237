package io.segstream.core.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.Segmentation;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.core.imaging.RgbImage;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.MaskEncoding;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FrameSegmenter} on a real ONNX Runtime session of a model that gives NaN scores on black pixels only. */
class FrameSegmenterTest {
    private static final int CLASSES = 20;

    @TempDir
    Path dir;

    private Path nanOnBlackModel() throws Exception {
        float[] biases = new float[CLASSES];
        Arrays.fill(biases, -10f);
        biases[0] = 0f;
        ModelManifest manifest = ModelManifest.builder()
                .setName("dark").setVersion("3").setLabelSet("rail-20")
                .setInput("image", 8, 4, Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW)
                .build();
        return OneByOneConvModel.of("dark", CLASSES, 8, 4).biases(biases).nanOnBlack()
                .write(dir.resolve("dark"), manifest);
    }

    /** A 16x8 RAW_RGB24 frame of one grey level. */
    private static CameraFrame frame(long seq, int level) {
        byte[] rgb = new byte[16 * 8 * 3];
        Arrays.fill(rgb, (byte) level);
        return CameraFrame.newBuilder().setCameraId("cam-n").setSeq(seq).setCaptureTime(Instant.EPOCH)
                .setIngestTime(Instant.EPOCH).setWidth(16).setHeight(8).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(rgb)).setAttributes(Map.of()).build();
    }

    @Test
    void theSegmenterCountsNaNScoresPerFrame() throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(nanOnBlackModel(), SegmenterOptions.defaults())) {
            byte[] black = new byte[16 * 8 * 3];
            byte[] grey = new byte[16 * 8 * 3];
            Arrays.fill(grey, (byte) 128);
            List<Segmentation> out = seg.segment(List.of(RgbImage.ofRgb(16, 8, grey), RgbImage.ofRgb(16, 8, black)));
            assertFalse(out.get(0).hasNonFiniteScores());
            // every one of the 8x4 input pixels is black, and the NaN reaches all 20 class scores
            assertEquals(8 * 4 * CLASSES, out.get(1).nanScores());
            assertEquals(0, out.get(1).infiniteScores());
            assertTrue(out.get(1).withDecodeMs(1f).hasNonFiniteScores(), "the counts survive a copy");
        }
    }

    @Test
    void aFrameWithNaNScoresFailsAtStageModelAndTheOthersOfItsBatchGetMasks() throws Exception {
        SegmenterOptions batch3 = SegmenterOptions.builder().optBatchSize(3).build();
        try (OnnxSegmenter seg = OnnxSegmenter.open(nanOnBlackModel(), batch3)) {
            FrameSegmenter fs = new FrameSegmenter(seg, null, MaskEncoding.PNG_CLASS_IDS);
            List<FrameOutcome> out = fs.segment(List.of(frame(1, 128), frame(2, 0), frame(3, 200)));
            assertTrue(out.get(0).succeeded());
            assertTrue(out.get(2).succeeded());
            assertEquals(3L, out.get(2).mask().getSeq());
            FrameOutcome bad = out.get(1);
            assertFalse(bad.succeeded());
            assertNull(bad.mask());
            assertEquals(FrameFailure.STAGE_MODEL, bad.failure().stage());
            assertEquals("camera cam-n seq 2: model dark:3 gave 640 NaN and 0 infinite class scores for this frame,"
                    + " so no mask is made from them; a model that does this on real frames needs retraining or a"
                    + " fixed export", bad.failure().reason());
        }
    }
}
