package io.segstream.core.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.schemas.ImageEncoding;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OnnxSegmenter} on real ONNX Runtime sessions of tiny models made by the graph writer. */
class OnnxSegmenterTest {
    private static final int RED = 0xFF2010;
    private static final int GREEN = 0x10E020;
    private static final int BLUE = 0x2010F0;

    @TempDir
    Path dir;

    /** A 16x8 frame of four 4-pixel-wide stripes: red, green, blue, red. */
    private static RgbImage stripes(int... colours) {
        int[] px = new int[16 * 8];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 16; x++) {
                px[y * 16 + x] = colours[x / 4];
            }
        }
        return RgbImage.ofPackedRgb(16, 8, px);
    }

    /** Class of every pixel of a 16x8 stripes frame: the stripe's class. */
    private static byte[] expected(int... classes) {
        byte[] out = new byte[16 * 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) classes[(i % 16) / 4];
        }
        return out;
    }

    @Test
    void segmentsColourStripesAtFrameSize() throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir), SegmenterOptions.defaults())) {
            assertEquals(ExecutionProvider.CPU, seg.provider());
            assertEquals(8, seg.inputWidth());
            assertEquals(4, seg.inputHeight());
            assertEquals("rail-20", seg.labelSet().name());
            Segmentation s = seg.segment(stripes(RED, GREEN, BLUE, RED));
            assertEquals(16, s.width());
            assertEquals(8, s.height());
            assertArrayEquals(expected(0, 1, 2, 0), s.classIds());
            assertEquals(0.5f, s.classFractions().fraction("road"), 1e-6);
            assertEquals(0.25f, s.classFractions().fraction("building"), 1e-6);
            assertTrue(s.timings().inferMs() > 0);
        }
    }

    @Test
    void everyLayoutOrderAndOutputKindGivesTheSameMask() throws Exception {
        List<TestModels.Spec> specs = List.of(
                new TestModels.Spec().kind(OutputKind.CLASS_IDS_NHW),
                new TestModels.Spec().layout(Layout.NHWC),
                new TestModels.Spec().order(ChannelOrder.BGR),
                new TestModels.Spec().layout(Layout.NHWC).order(ChannelOrder.BGR).kind(OutputKind.CLASS_IDS_NHW));
        RgbImage frame = stripes(BLUE, RED, GREEN, BLUE);
        for (int i = 0; i < specs.size(); i++) {
            Path model = TestModels.write(dir, "variant" + i, specs.get(i));
            try (OnnxSegmenter seg = OnnxSegmenter.open(model, SegmenterOptions.defaults())) {
                assertArrayEquals(expected(2, 0, 1, 2), seg.segment(frame).classIds(), "variant " + i);
            }
        }
    }

    @Test
    void batchesGiveTheSameMasksAsSingleFrames() throws Exception {
        List<RgbImage> frames = List.of(stripes(RED, GREEN, BLUE, RED), stripes(GREEN, GREEN, RED, BLUE),
                stripes(BLUE, BLUE, BLUE, GREEN), stripes(RED, RED, RED, RED), stripes(GREEN, BLUE, RED, GREEN));
        SegmenterOptions batched = SegmenterOptions.builder().optBatchSize(2).build();
        try (OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir), batched)) {
            assertEquals(2, seg.maxBatch());
            List<Segmentation> all = seg.segment(frames);
            assertEquals(5, all.size());
            assertArrayEquals(expected(0, 1, 2, 0), all.get(0).classIds());
            assertArrayEquals(expected(1, 1, 0, 2), all.get(1).classIds());
            assertArrayEquals(expected(2, 2, 2, 1), all.get(2).classIds());
            assertArrayEquals(expected(0, 0, 0, 0), all.get(3).classIds());
            assertArrayEquals(expected(1, 2, 0, 1), all.get(4).classIds());
            // the reused buffers must not leak one call into the next
            assertArrayEquals(expected(1, 1, 0, 2), seg.segment(frames.get(1)).classIds());
        }
    }

    @Test
    void fixedBatchModelRunsPartialBatches() throws Exception {
        Path model = TestModels.write(dir, "fixed", new TestModels.Spec().batch(3));
        try (OnnxSegmenter seg = OnnxSegmenter.open(model, SegmenterOptions.defaults())) {
            assertEquals(3, seg.maxBatch());
            List<Segmentation> two = seg.segment(List.of(stripes(RED, RED, GREEN, GREEN), stripes(BLUE, RED, BLUE, RED)));
            assertArrayEquals(expected(0, 0, 1, 1), two.get(0).classIds());
            assertArrayEquals(expected(2, 0, 2, 0), two.get(1).classIds());
        }
    }

    @Test
    void decodesEncodedFramesAndTimesTheDecode() throws Exception {
        RgbImage frame = stripes(RED, GREEN, BLUE, RED);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(frame.toBufferedImage(), "png", png);
        try (OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir), SegmenterOptions.defaults())) {
            Segmentation fromPng = seg.segment(ImageEncoding.PNG, png.toByteArray(), 16, 8, "cam-1 seq 1");
            assertArrayEquals(expected(0, 1, 2, 0), fromPng.classIds());
            assertTrue(fromPng.timings().decodeMs() > 0);
            Segmentation fromRaw = seg.segment(ImageEncoding.RAW_RGB24, frame.toRgbBytes(), 16, 8, "cam-1 seq 2");
            assertArrayEquals(expected(0, 1, 2, 0), fromRaw.classIds());
            ImageFormatException e = assertThrows(ImageFormatException.class,
                    () -> seg.segment(ImageEncoding.PNG, png.toByteArray(), 32, 8, "cam-1 seq 3"));
            assertEquals("cam-1 seq 3: the frame header says 32x8 but the PNG image is 16x8", e.getMessage());
        }
    }

    /**
     * Encoded frames in batches of three, a broken and a mis-sized one among them: every frame gets its own outcome in
     * order, the broken ones their decoder's message, and the good ones after a broken one in its batch (moved down
     * over it in the model input) their own masks.
     */
    @Test
    void segmentsEncodedFramesEachWithItsOwnOutcome() throws Exception {
        byte[][] png = new byte[3][];
        int[][] colours = {{RED, GREEN, BLUE, RED}, {BLUE, BLUE, RED, GREEN}, {GREEN, RED, RED, BLUE}};
        for (int k = 0; k < png.length; k++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(stripes(colours[k]).toBufferedImage(), "png", out);
            png[k] = out.toByteArray();
        }
        Path model = TestModels.write(dir, "fixed", new TestModels.Spec().batch(3));
        try (OnnxSegmenter seg = OnnxSegmenter.open(model, SegmenterOptions.defaults())) {
            List<EncodedFrame> frames = List.of(new EncodedFrame(ImageEncoding.PNG, png[0], 16, 8),
                    new EncodedFrame(ImageEncoding.PNG, java.util.Arrays.copyOf(png[1], 20), 16, 8),
                    new EncodedFrame(ImageEncoding.RAW_RGB24, stripes(colours[1]).toRgbBytes(), 16, 8),
                    new EncodedFrame(ImageEncoding.PNG, png[2], 16, 8),
                    new EncodedFrame(ImageEncoding.PNG, png[2], 32, 8));
            List<OnnxSegmenter.EncodedOutcome> out = seg.segmentEncoded(frames,
                    List.of("cam-1 seq 1", "cam-1 seq 2", "cam-1 seq 3", "cam-1 seq 4", "cam-1 seq 5"));
            assertEquals(5, out.size());
            assertArrayEquals(expected(0, 1, 2, 0), out.get(0).segmentation().classIds());
            assertTrue(out.get(1).imageFailure().getMessage().startsWith("cam-1 seq 2: "),
                    out.get(1).imageFailure().getMessage());
            assertArrayEquals(expected(2, 2, 0, 1), out.get(2).segmentation().classIds());
            assertArrayEquals(expected(1, 0, 0, 2), out.get(3).segmentation().classIds());
            assertEquals("cam-1 seq 5: the frame header says 32x8 but the PNG image is 16x8",
                    out.get(4).imageFailure().getMessage());
            for (int i : new int[] {0, 2, 3}) {
                assertTrue(out.get(i).segmented() && out.get(i).imageFailure() == null
                        && out.get(i).batchFailure() == null, "frame " + i);
                assertTrue(out.get(i).segmentation().timings().decodeMs() > 0, "frame " + i + " decode time");
            }
            assertTrue(!out.get(1).segmented() && out.get(1).batchFailure() == null);
            assertThrows(IllegalArgumentException.class, () -> seg.segmentEncoded(frames, List.of("one name")));
        }
    }

    @Test
    void useAfterCloseThrows() throws Exception {
        OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir), SegmenterOptions.defaults());
        seg.close();
        seg.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> seg.segment(stripes(RED, RED, RED, RED)));
        assertTrue(e.getMessage().startsWith("the segmenter of model brightest:1"), e.getMessage());
        assertTrue(e.getMessage().endsWith("is closed; open a new one"), e.getMessage());
    }

    @Test
    void unavailableGpuProvidersFallBackToCpuWithOneWarning() throws Exception {
        Path model = TestModels.write(dir);
        for (ExecutionProvider gpu : List.of(ExecutionProvider.CUDA, ExecutionProvider.TENSORRT)) {
            SegmenterOptions options = SegmenterOptions.builder().optProvider(gpu)
                    .optTensorRtEngineCache(dir.resolve("trt-cache")).build();
            try (LogCapture log = LogCapture.of(OnnxSegmenter.class);
                    OnnxSegmenter seg = OnnxSegmenter.open(model, options)) {
                assertEquals(ExecutionProvider.CPU, seg.provider());
                assertTrue(seg.fallbackReason().isPresent());
                List<String> warnings = log.at(Level.WARN);
                assertEquals(1, warnings.size(), warnings.toString());
                assertTrue(warnings.get(0).contains("execution provider " + gpu.name().toLowerCase()
                        + " is unavailable, running on CPU instead"), warnings.get(0));
                assertArrayEquals(expected(0, 1, 2, 0), seg.segment(stripes(RED, GREEN, BLUE, RED)).classIds());
            }
        }
    }

    @Test
    void modelsThatContradictTheirManifestAreRejectedBeforeAnyFrame() throws Exception {
        TestModels.Spec plain = new TestModels.Spec();
        byte[] onnx = TestModels.onnx(plain);
        ModelManifest good = TestModels.manifest(plain);

        assertRejected(write("no-input", onnx, good.toBuilder().setInput("pixels", 8, 4, Layout.NCHW).build()),
                "the manifest's inputName 'pixels' is not an input of model.onnx; its inputs are [image]");
        assertRejected(write("kind", onnx, good.toBuilder().setOutput("out", OutputKind.CLASS_IDS_NHW).build()),
                "which looks like class scores, but the manifest says CLASS_IDS_NHW; set outputKind LOGITS_NCHW");
        assertRejected(write("ids", TestModels.onnx(new TestModels.Spec().kind(OutputKind.CLASS_IDS_NHW)), good),
                "which looks like class ids, but the manifest says LOGITS_NCHW; set outputKind CLASS_IDS_NHW");
        assertRejected(write("labels", onnx, good.toBuilder().setLabelSet("cityscapes-19").build()),
                "scores 20 classes but label set cityscapes-19 has 19");
        assertRejected(write("size", onnx, good.toBuilder().setInput("image", 16, 4, Layout.NCHW).build()),
                "has shape [-1, 3, 4, 8] but the manifest describes NCHW 16x4 RGB");
        assertRejected(write("layout", onnx, good.toBuilder().setInput("image", 8, 4, Layout.NHWC).build()),
                "fix inputWidth, inputHeight or layout");
        assertRejected(write("nan", TestModels.onnx(new TestModels.Spec().nan()), good),
                "a smoke run on a grey image gave the non-finite score NaN; the model is broken");

        Path tampered = TestModels.write(dir, "tampered", plain);
        byte[] bytes = Files.readAllBytes(tampered.resolve(ModelDirectory.MODEL_FILE));
        bytes[bytes.length - 1] ^= 1;
        Files.write(tampered.resolve(ModelDirectory.MODEL_FILE), bytes);
        assertRejected(tampered, "does not match the manifest's");

        Path bare = dir.resolve("bare");
        Files.createDirectories(bare);
        Files.write(bare.resolve(ModelDirectory.MODEL_FILE), onnx);
        assertRejected(bare, "the model manifest is missing");
    }

    private Path write(String name, byte[] onnx, ModelManifest manifest) throws Exception {
        return ModelDirectory.write(dir.resolve(name), onnx, manifest).dir();
    }

    private static void assertRejected(Path model, String fragment) {
        ModelException e = assertThrows(ModelException.class,
                () -> OnnxSegmenter.open(model, SegmenterOptions.defaults()).close());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(e.getMessage().contains(model.toString()), e.getMessage());
    }

    @Test
    void differentFramesGiveDifferentMasks() throws Exception {
        try (OnnxSegmenter seg = OnnxSegmenter.open(TestModels.write(dir), SegmenterOptions.defaults())) {
            byte[] a = seg.segment(stripes(RED, RED, RED, RED)).classIds();
            byte[] b = seg.segment(stripes(GREEN, GREEN, GREEN, GREEN)).classIds();
            assertNotEquals(a[0], b[0]);
        }
    }
}
