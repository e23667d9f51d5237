package io.segstream.jpeg.ffmpeg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.YcbcrPlanes;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.EncodedFrame;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.OnnxSegmenter.EncodedOutcome;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * FFmpeg's MJPEG decoder behind core's {@link FrameDecoder}: the same pictures as ImageIO within JPEG's rounding, every
 * chroma subsampling a camera sends, the same verdict and message on broken frames, and the bundled model's masks.
 */
class FfmpegJpegDecoderTest {
    private static final FrameDecoder FFMPEG = FrameDecoder.open(FrameDecoder.DEFAULT_MAX_PIXELS, "ffmpeg");
    private static final FrameDecoder IMAGEIO = FrameDecoder.open(FrameDecoder.DEFAULT_MAX_PIXELS, "imageio");

    @TempDir
    static Path tmp;

    @AfterAll
    static void close() {
        FFMPEG.close();
        IMAGEIO.close();
    }

    private static BufferedImage scene(int w, int h, int index) {
        return SceneGenerator.builder().setSize(w, h).optKind(SceneKind.RAIL).optSeed(77).build().render(index)
                .toImage();
    }

    /** {@code img} as JPEG at quality 90, with the luma sampling factors {@code h} x {@code v} (2x2 is 4:2:0). */
    static byte[] jpeg(BufferedImage img, int h, int v) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
        Element tree = (Element) meta.getAsTree("javax_imageio_jpeg_image_1.0");
        NodeList components = tree.getElementsByTagName("componentSpec");
        if (components.getLength() == 3) {
            for (int i = 0; i < 3; i++) {
                Element c = (Element) components.item(i);
                c.setAttribute("HsamplingFactor", String.valueOf(i == 0 ? h : 1));
                c.setAttribute("VsamplingFactor", String.valueOf(i == 0 ? v : 1));
            }
            meta.setFromTree("javax_imageio_jpeg_image_1.0", tree);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, meta), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static double meanAbsDiff(RgbImage a, RgbImage b) {
        byte[] x = a.toRgbBytes();
        byte[] y = b.toRgbBytes();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xFF) - (y[i] & 0xFF));
        }
        return sum / x.length;
    }

    @Test
    void theProviderIsFoundAndChosenByName() {
        assertEquals("FFmpeg MJPEG", FFMPEG.jpegDecoderName());
        assertEquals("ImageIO", IMAGEIO.jpegDecoderName());
        try (FrameDecoder auto = FrameDecoder.open(100, FrameDecoder.AUTO)) {
            assertEquals("FFmpeg MJPEG", auto.jpegDecoderName());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> FrameDecoder.open(100, "turbo"));
        assertEquals("no JPEG decoder named 'turbo' on the class path; choose imageio, auto or one of [ffmpeg]",
                unknown.getMessage());
    }

    @Test
    void everySubsamplingDecodesToPlanesLikeImageIo() throws Exception {
        BufferedImage img = scene(320, 160, 0);
        long fallbacks = FFMPEG.jpegFallbacks();
        int[][] factors = {{2, 2}, {2, 1}, {1, 2}, {1, 1}};
        int[][] shifts = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
        for (int k = 0; k < factors.length; k++) {
            byte[] data = jpeg(img, factors[k][0], factors[k][1]);
            RgbImage f = FFMPEG.decode(ImageEncoding.JPEG, data, 320, 160, "frame " + k);
            RgbImage i = IMAGEIO.decode(ImageEncoding.JPEG, data, 320, 160, "frame " + k);
            YcbcrPlanes planes = f.ycbcr();
            assertNotNull(planes, "sampling " + Arrays.toString(factors[k]) + " left as planes");
            assertEquals(shifts[k][0], planes.chromaShiftX(), "sampling " + Arrays.toString(factors[k]));
            assertEquals(shifts[k][1], planes.chromaShiftY(), "sampling " + Arrays.toString(factors[k]));
            // the chroma interpolated as libjpeg does: only the two inverse DCTs' rounding differs; 4:4:0 (rare in
            // cameras) takes the covering sample and came out 0.62 levels from ImageIO on average, the others under 0.5
            double diff = meanAbsDiff(f, i);
            double limit = shifts[k][0] == 0 && shifts[k][1] == 1 ? 1.0 : 0.5;
            assertTrue(diff < limit, "sampling " + Arrays.toString(factors[k]) + ": mean difference " + diff);
        }
        BufferedImage grey = new BufferedImage(320, 160, BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(img, 0, 0, null);
        byte[] data = jpeg(grey, 1, 1);
        RgbImage f = FFMPEG.decode(ImageEncoding.JPEG, data, 320, 160, "grey frame");
        assertTrue(f.ycbcr().grey());
        double greyDiff = meanAbsDiff(f, IMAGEIO.decode(ImageEncoding.JPEG, data, 320, 160, "grey frame"));
        assertTrue(greyDiff < 1.0, "grey: mean difference " + greyDiff);
        assertEquals(fallbacks, FFMPEG.jpegFallbacks(), "every frame decoded by FFmpeg");
    }

    @Test
    void brokenFramesGetImageIosVerdictAndMessage() throws Exception {
        byte[] good = jpeg(scene(320, 160, 1), 2, 2);
        byte[][] broken = {
            Arrays.copyOf(good, good.length / 2),
            Arrays.copyOf(good, good.length - 2),
            new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9},
        };
        long before = FFMPEG.jpegFallbacks();
        for (int k = 0; k < broken.length; k++) {
            byte[] data = broken[k];
            String source = "cam-1 seq " + k;
            ImageFormatException expected = assertThrows(ImageFormatException.class,
                    () -> IMAGEIO.decode(ImageEncoding.JPEG, data, 320, 160, source), "broken frame " + k);
            ImageFormatException actual = assertThrows(ImageFormatException.class,
                    () -> FFMPEG.decode(ImageEncoding.JPEG, data, 320, 160, source), "broken frame " + k);
            assertEquals(expected.getMessage(), actual.getMessage());
        }
        // the truncated two reached FFmpeg and went on to ImageIO; the third has no frame header to check its size by
        assertEquals(before + 2, FFMPEG.jpegFallbacks());
        // damage inside the entropy-coded data: whichever decoder reads it, the verdict is the same
        for (int at = good.length / 4; at < good.length - 8; at += good.length / 7) {
            byte[] data = good.clone();
            for (int j = 0; j < 6; j++) {
                data[at + j] = (byte) 0xFF;
            }
            String source = "damaged at " + at;
            boolean imageIoRefuses = refuses(IMAGEIO, data, source);
            assertEquals(imageIoRefuses, refuses(FFMPEG, data, source), source);
        }
        // the decoder stays usable after all of them
        assertNotNull(FFMPEG.decode(ImageEncoding.JPEG, good, 320, 160, "good frame").ycbcr());
    }

    private static boolean refuses(FrameDecoder decoder, byte[] data, String source) {
        try {
            decoder.decode(ImageEncoding.JPEG, data, 320, 160, source);
            return false;
        } catch (ImageFormatException e) {
            return true;
        }
    }

    @Test
    void endOfImageMarkerWithCameraPadding() {
        assertTrue(FfmpegJpegDecoder.endsWithEndOfImage(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}));
        assertTrue(FfmpegJpegDecoder.endsWithEndOfImage(
                new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9, 0, 0, 0}));
        assertTrue(!FfmpegJpegDecoder.endsWithEndOfImage(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}));
        assertTrue(!FfmpegJpegDecoder.endsWithEndOfImage(new byte[] {(byte) 0xFF, (byte) 0xD9}));
    }

    @Test
    void aDecoderThatCannotDecodeSaysNull() throws Exception {
        try (FfmpegJpegDecoder decoder = new FfmpegJpegDecoder()) {
            assertNull(decoder.decode(new byte[] {1, 2, 3, (byte) 0xFF, (byte) 0xD9}, 4, 4));
            byte[] good = jpeg(scene(64, 32, 2), 2, 2);
            assertNull(decoder.decode(good, 32, 32), "a size other than the JPEG's");
            assertNotNull(decoder.decode(good, 64, 32));
            // the benchmark's reference decode: the same decoder, the planes left in FFmpeg's frame
            decoder.decodeOnly(good);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> decoder.decodeOnly(new byte[] {1, 2, 3, 4}));
            assertEquals("FFmpeg's MJPEG decoder refused a frame of 4 bytes", refused.getMessage());
            assertNotNull(decoder.decode(good, 64, 32), "usable after a refused frame");
        }
    }

    /**
     * The bundled model on rail scenes as JPEG q90, decoded by FFmpeg against ImageIO: at 1024x512 read from the planes,
     * at 640x320 converted to RGB and resized. The masks agree on 98 % of the pixels or more (99.2-99.5 % measured:
     * both decoders round the inverse DCT their own way; README, Performance, has the mIoU of both on 30 scenes).
     */
    @Test
    void theBundledModelSeesTheSameFrames() throws Exception {
        BootstrapModel.extractBundled(tmp.resolve("model"));
        try (OnnxSegmenter ffmpeg = OnnxSegmenter.open(tmp.resolve("model"),
                        SegmenterOptions.builder().optJpegDecoder("ffmpeg").build());
                OnnxSegmenter imageIo = OnnxSegmenter.open(tmp.resolve("model"),
                        SegmenterOptions.builder().optJpegDecoder("imageio").build())) {
            assertEquals("FFmpeg MJPEG", ffmpeg.decoder().jpegDecoderName());
            // twice the model's input (read from the planes) and another size (converted to RGB, then resized)
            for (int[] size : new int[][] {{1024, 512}, {640, 320}}) {
                long same = 0;
                long total = 0;
                for (int k = 0; k < 3; k++) {
                    byte[] data = jpeg(scene(size[0], size[1], 10 + k), 2, 2);
                    byte[] a = ffmpeg.segment(ImageEncoding.JPEG, data, size[0], size[1], "scene " + k).classIds();
                    byte[] b = imageIo.segment(ImageEncoding.JPEG, data, size[0], size[1], "scene " + k).classIds();
                    for (int i = 0; i < a.length; i++) {
                        same += a[i] == b[i] ? 1 : 0;
                    }
                    total += a.length;
                }
                double agreement = same / (double) total;
                String what = size[0] + "x" + size[1] + ": mask agreement " + agreement;
                assertTrue(agreement >= 0.98, what);
                assertTrue(agreement < 1.0, what + "; the decoders cannot give the same bits: did FFmpeg run?");
            }
        }
    }

    /**
     * Decoding into the decoder's kept arrays: the same planes as a plain decode, in the same arrays frame after frame;
     * and a segmenter that decodes a batch's frames so (one lane, three different frames and a broken one between
     * them) gives the masks it gives frame by frame, so no frame is read after the next one overwrote its planes.
     */
    @Test
    void reusedPlanesGiveTheSameFramesAndMasks() throws Exception {
        byte[][] frames = new byte[3][];
        for (int k = 0; k < frames.length; k++) {
            frames[k] = jpeg(scene(1024, 512, 20 + k), 2, 2);
        }
        YcbcrPlanes first = FFMPEG.decodeReusing(ImageEncoding.JPEG, frames[0], 1024, 512, "scene 0").ycbcr();
        byte[] firstLuma = first.luma().clone();
        for (int k = 0; k < frames.length; k++) {
            YcbcrPlanes reused = FFMPEG.decodeReusing(ImageEncoding.JPEG, frames[k], 1024, 512, "scene " + k).ycbcr();
            YcbcrPlanes fresh = FFMPEG.decode(ImageEncoding.JPEG, frames[k], 1024, 512, "scene " + k).ycbcr();
            assertTrue(reused.luma() == first.luma() && reused.cb() == first.cb() && reused.cr() == first.cr(),
                    "frame " + k + " was decoded into new arrays");
            assertTrue(Arrays.equals(fresh.luma(), reused.luma()) && Arrays.equals(fresh.cb(), reused.cb())
                    && Arrays.equals(fresh.cr(), reused.cr()), "frame " + k + "'s planes differ");
        }
        assertTrue(!Arrays.equals(firstLuma, first.luma()), "the test frames should differ");

        BootstrapModel.extractBundled(tmp.resolve("reuse-model"));
        try (OnnxSegmenter seg = OnnxSegmenter.open(tmp.resolve("reuse-model"), SegmenterOptions.builder()
                .optJpegDecoder("ffmpeg").optBatchSize(4).optFrameThreads(1).build())) {
            byte[] broken = Arrays.copyOf(frames[1], frames[1].length / 2);
            List<EncodedFrame> batch = List.of(new EncodedFrame(ImageEncoding.JPEG, frames[0], 1024, 512),
                    new EncodedFrame(ImageEncoding.JPEG, broken, 1024, 512),
                    new EncodedFrame(ImageEncoding.JPEG, frames[1], 1024, 512),
                    new EncodedFrame(ImageEncoding.JPEG, frames[2], 1024, 512));
            List<EncodedOutcome> out = seg.segmentEncoded(batch, List.of("f0", "broken", "f1", "f2"));
            assertNotNull(out.get(1).imageFailure());
            assertTrue(out.get(1).imageFailure().getMessage().startsWith("broken: "),
                    out.get(1).imageFailure().getMessage());
            int[] frameOf = {0, -1, 1, 2};
            for (int i : new int[] {0, 2, 3}) {
                byte[] alone = seg.segment(ImageEncoding.JPEG, frames[frameOf[i]], 1024, 512, "alone").classIds();
                assertTrue(out.get(i).segmented(), "frame " + i);
                assertTrue(Arrays.equals(alone, out.get(i).segmentation().classIds()), "frame " + i + "'s mask differs");
            }
        }
    }
}
