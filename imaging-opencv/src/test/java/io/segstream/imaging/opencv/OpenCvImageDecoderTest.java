package io.segstream.imaging.opencv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageDecoder;
import io.segstream.core.imaging.ImageDecoders;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.schemas.ImageEncoding;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libjpeg-turbo and libpng through OpenCV against ImageIO, on rendered rail scenes. */
class OpenCvImageDecoderTest {
    private static final int W = 1024;
    private static final int H = 512;
    private static BufferedImage scene;

    private final OpenCvImageDecoder opencv = new OpenCvImageDecoder();
    private final FrameDecoder nativeFrames = FrameDecoder.with(opencv);
    private final FrameDecoder imageIoFrames = FrameDecoder.imageIo();

    @BeforeAll
    static void render() {
        scene = SceneGenerator.builder().setSize(W, H).optKind(SceneKind.RAIL).optSeed(3).build().render(0).toImage();
    }

    @Test
    void theServiceLoaderFindsIt() {
        ImageDecoder found = ImageDecoders.preferred().orElseThrow();
        assertInstanceOf(OpenCvImageDecoder.class, found);
        assertTrue(new FrameDecoder().decoderName().startsWith("OpenCV 4."), new FrameDecoder().decoderName());
        assertEquals("ImageIO", FrameDecoder.imageIo().decoderName());
    }

    @Test
    void pngDecodesToTheSameBytesAsImageIo() throws Exception {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB}) {
            byte[] png = encode(convert(scene, type), "png");
            RgbImage expected = imageIoFrames.decode(ImageEncoding.PNG, png, W, H, "png type " + type);
            RgbImage actual = nativeFrames.decode(ImageEncoding.PNG, png, W, H, "png type " + type);
            assertArrayEquals(expected.toRgbBytes(), actual.toRgbBytes(), "PNG of BufferedImage type " + type);
        }
    }

    /**
     * A grey PNG decodes to its stored samples in all three channels. (ImageIO's path does not: Java takes an 8-bit
     * grey image as linear and brightens it on the way to RGB, 63 becomes 136.)
     */
    @Test
    void greyPngDecodesToItsSamples() throws Exception {
        BufferedImage grey = convert(scene, BufferedImage.TYPE_BYTE_GRAY);
        byte[] samples = ((java.awt.image.DataBufferByte) grey.getRaster().getDataBuffer()).getData();
        byte[] rgb = nativeFrames.decode(ImageEncoding.PNG, encode(grey, "png"), W, H, "grey png").toRgbBytes();
        for (int i = 0; i < samples.length; i++) {
            assertEquals(samples[i], rgb[3 * i], "red of pixel " + i);
            assertEquals(samples[i], rgb[3 * i + 1], "green of pixel " + i);
            assertEquals(samples[i], rgb[3 * i + 2], "blue of pixel " + i);
        }
    }

    /**
     * libjpeg-turbo and Java's libjpeg 6b both use the accurate integer IDCT and fancy upsampling; on these scenes
     * they give the same bytes (largest difference 0 when this was written). The bound leaves one level for SIMD
     * builds that round a colour conversion differently.
     */
    @Test
    void jpegDecodesWithinOneLevelOfImageIo() throws Exception {
        for (float quality : new float[] {0.5f, 0.9f, 1.0f}) {
            byte[] jpeg = jpeg(scene, quality);
            byte[] expected = imageIoFrames.decode(ImageEncoding.JPEG, jpeg, W, H, "jpeg").toRgbBytes();
            byte[] actual = nativeFrames.decode(ImageEncoding.JPEG, jpeg, W, H, "jpeg").toRgbBytes();
            int max = 0;
            long sum = 0;
            for (int i = 0; i < expected.length; i++) {
                int d = Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF));
                max = Math.max(max, d);
                sum += d;
            }
            double mean = (double) sum / expected.length;
            assertTrue(max <= 1, "quality " + quality + ": largest difference " + max);
            assertTrue(mean < 0.01, "quality " + quality + ": mean difference " + mean);
        }
    }

    @Test
    void brokenFramesGiveTheDecodersErrors() throws Exception {
        byte[] jpeg = jpeg(scene, 0.9f);
        byte[] png = encode(scene, "png");
        ImageFormatException jpegCut = assertThrows(ImageFormatException.class, () -> nativeFrames.decode(
                ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2), W, H, "cam-1 seq 5"));
        assertEquals("cam-1 seq 5: the JPEG image is truncated (it has no end-of-image marker)", jpegCut.getMessage());
        ImageFormatException pngCut = assertThrows(ImageFormatException.class, () -> nativeFrames.decode(
                ImageEncoding.PNG, Arrays.copyOf(png, png.length - 100), W, H, "cam-1 seq 6"));
        assertEquals("cam-1 seq 6: the PNG image is truncated (it does not end with IEND)", pngCut.getMessage());
        // complete framing around damaged pixel data: libpng's checksum refuses it
        byte[] damaged = png.clone();
        for (int i = 200; i < 400; i++) {
            damaged[i] ^= 0x5A;
        }
        ImageFormatException crc = assertThrows(ImageFormatException.class,
                () -> nativeFrames.decode(ImageEncoding.PNG, damaged, W, H, "cam-1 seq 7"));
        assertEquals("cam-1 seq 7: not a readable PNG image (OpenCV could not decode it)", crc.getMessage());
        ImageFormatException garbage = assertThrows(ImageFormatException.class,
                () -> nativeFrames.decode(ImageEncoding.JPEG, new byte[] {1, 2, 3, 4, 5}, W, H, "cam-1 seq 8"));
        assertEquals("cam-1 seq 8: not a readable JPEG image (no start-of-image marker)", garbage.getMessage());
        // a PNG sent as JPEG
        ImageFormatException wrongFormat = assertThrows(ImageFormatException.class,
                () -> nativeFrames.decode(ImageEncoding.JPEG, png, W, H, "cam-1 seq 9"));
        assertTrue(wrongFormat.getMessage().startsWith("cam-1 seq 9: not a readable JPEG image"),
                wrongFormat.getMessage());
        // the decoder keeps working after failures
        assertEquals(W, nativeFrames.decode(ImageEncoding.JPEG, jpeg, W, H, "again").width());
    }

    /** A payload whose header claims far more pixels than the frame never reaches the decoder. */
    @Test
    void aHeaderThatLiesIsRefusedBeforeDecoding() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ImageDecoder counting = new ImageDecoder() {
            @Override
            public String name() {
                return "counting " + opencv.name();
            }

            @Override
            public RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source)
                    throws ImageFormatException {
                calls.incrementAndGet();
                return opencv.decode(encoding, data, width, height, source);
            }
        };
        FrameDecoder frames = FrameDecoder.with(counting);
        byte[] png = encode(scene, "png");
        ByteBuffer.wrap(png).putInt(16, 60_000).putInt(20, 60_000);   // IHDR width and height
        ImageFormatException bomb = assertThrows(ImageFormatException.class,
                () -> frames.decode(ImageEncoding.PNG, png, W, H, "cam-2 seq 1"));
        assertEquals("cam-2 seq 1: the frame header says 1024x512 but the PNG image is 60000x60000", bomb.getMessage());
        byte[] jpeg = jpeg(scene, 0.9f);
        ImageFormatException size = assertThrows(ImageFormatException.class,
                () -> frames.decode(ImageEncoding.JPEG, jpeg, 1920, 1080, "cam-2 seq 2"));
        assertEquals("cam-2 seq 2: the frame header says 1920x1080 but the JPEG image is 1024x512", size.getMessage());
        assertEquals(0, calls.get(), "the decoder ran on a frame of the wrong size");
        frames.decode(ImageEncoding.JPEG, jpeg, W, H, "cam-2 seq 3");
        assertEquals(1, calls.get());
    }

    private static BufferedImage convert(BufferedImage src, int type) {
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return out;
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage img, float quality) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(convert(img, BufferedImage.TYPE_3BYTE_BGR), null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
