package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.ImageEncoding;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder();

    private static RgbImage gradient(int w, int h) {
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[y * w + x] = (x * 255 / (w - 1)) << 16 | (y * 255 / (h - 1)) << 8 | 0x40;
            }
        }
        return RgbImage.ofPackedRgb(w, h, px);
    }

    private static byte[] encode(RgbImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img.toBufferedImage(), format, out);
        return out.toByteArray();
    }

    @Test
    void decodesPngExactlyAndJpegClosely() throws Exception {
        RgbImage img = gradient(64, 32);
        RgbImage png = decoder.decode(ImageEncoding.PNG, encode(img, "png"), 64, 32, "png");
        assertTrue(Arrays.equals(img.toRgbBytes(), png.toRgbBytes()));
        RgbImage jpeg = decoder.decode(ImageEncoding.JPEG, encode(img, "jpeg"), 64, 32, "jpeg");
        byte[] a = img.toRgbBytes();
        byte[] b = jpeg.toRgbBytes();
        double err = 0;
        for (int i = 0; i < a.length; i++) {
            err += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        assertTrue(err / a.length < 4, "mean JPEG error " + err / a.length);
        RgbImage raw = decoder.decode(ImageEncoding.RAW_RGB24, img.toRgbBytes(), 64, 32, "raw");
        assertEquals(img.rgb(63, 31), raw.rgb(63, 31));
    }

    @Test
    void brokenFramesNameTheFrameAndTheProblem() throws Exception {
        byte[] jpeg = encode(gradient(64, 32), "jpeg");
        ImageFormatException truncated = assertThrows(ImageFormatException.class,
                () -> decoder.decode(ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2), 64, 32, "cam-1 seq 5"));
        assertTrue(truncated.getMessage().startsWith("cam-1 seq 5: "), truncated.getMessage());
        ImageFormatException size = assertThrows(ImageFormatException.class,
                () -> decoder.decode(ImageEncoding.JPEG, jpeg, 1920, 1080, "cam-1 seq 6"));
        assertEquals("cam-1 seq 6: the frame header says 1920x1080 but the JPEG image is 64x32", size.getMessage());
        ImageFormatException garbage = assertThrows(ImageFormatException.class,
                () -> decoder.decode(ImageEncoding.PNG, new byte[] {1, 2, 3, 4, 5}, 64, 32, "cam-1 seq 7"));
        assertTrue(garbage.getMessage().startsWith("cam-1 seq 7: not a readable PNG image"), garbage.getMessage());
        ImageFormatException empty = assertThrows(ImageFormatException.class,
                () -> decoder.decode(ImageEncoding.JPEG, new byte[0], 64, 32, "cam-1 seq 8"));
        assertEquals("cam-1 seq 8: the JPEG frame is empty", empty.getMessage());
        ImageFormatException raw = assertThrows(ImageFormatException.class,
                () -> decoder.decode(ImageEncoding.RAW_RGB24, new byte[10], 2, 2, "cam-1 seq 9"));
        assertEquals("cam-1 seq 9: a 2x2 RAW_RGB24 frame needs 12 bytes but has 10", raw.getMessage());
        // the decoder keeps working after failures
        assertEquals(64, decoder.decode(ImageEncoding.JPEG, jpeg, 64, 32, "again").width());
    }

    /** PNG's IHDR holds 32-bit sizes: the header and the record both claim 100000x100000. */
    static byte[] pngBomb(int w, int h) throws Exception {
        byte[] png = encode(gradient(64, 32), "png");
        java.nio.ByteBuffer.wrap(png).putInt(16, w).putInt(20, h);
        return png;
    }

    /** JPEG's frame header holds 16-bit sizes: 65535x65535 is the largest a JPEG can claim. */
    static byte[] jpegBomb(int w, int h) throws Exception {
        byte[] jpeg = encode(gradient(64, 32), "jpeg");
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                java.nio.ByteBuffer.wrap(jpeg).putShort(i + 5, (short) h).putShort(i + 7, (short) w);
                return jpeg;
            }
        }
        throw new AssertionError("no baseline frame header in the test JPEG");
    }

    @Test
    void decompressionBombsWhoseRecordAndHeaderAgreeAreRefusedBeforeDecoding() throws Exception {
        ImageFormatException png = assertThrows(ImageFormatException.class, () -> decoder.decode(ImageEncoding.PNG,
                pngBomb(100_000, 100_000), 100_000, 100_000, "cam-1 seq 10"));
        assertEquals("cam-1 seq 10: the frame is 100000x100000 (10000000000 pixels), more than the limit of 67108864"
                + " pixels; refused before decoding (a decompression bomb or a misconfigured camera; raise"
                + " max-frame-pixels if such frames are real)", png.getMessage());
        ImageFormatException jpeg = assertThrows(ImageFormatException.class, () -> decoder.decode(ImageEncoding.JPEG,
                jpegBomb(65_535, 65_535), 65_535, 65_535, "cam-1 seq 11"));
        assertTrue(jpeg.getMessage().startsWith("cam-1 seq 11: the frame is 65535x65535 (4294836225 pixels)"),
                jpeg.getMessage());
        ImageFormatException raw = assertThrows(ImageFormatException.class, () -> decoder.decode(
                ImageEncoding.RAW_RGB24, new byte[3], 100_000, 100_000, "cam-1 seq 12"));
        assertTrue(raw.getMessage().contains("100000x100000"), raw.getMessage());
        // exactly at the limit is allowed: 64x32 with a limit of 2048 pixels, one pixel less is not
        byte[] small = encode(gradient(64, 32), "png");
        assertEquals(64, new FrameDecoder(64 * 32).decode(ImageEncoding.PNG, small, 64, 32, "at limit").width());
        ImageFormatException over = assertThrows(ImageFormatException.class,
                () -> new FrameDecoder(64 * 32 - 1).decode(ImageEncoding.PNG, small, 64, 32, "cam-2 seq 1"));
        assertTrue(over.getMessage().contains("more than the limit of 2047 pixels"), over.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(0));
    }

    /** A frame within the limit whose image header claims a bomb is refused on the header, before any pixel. */
    @Test
    void anImageHeaderOverTheLimitIsRefusedEvenWhenTheRecordIsSmall() throws Exception {
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> new FrameDecoder(64 * 32)
                .decode(ImageEncoding.PNG, pngBomb(100_000, 100_000), 64, 32, "cam-1 seq 13"));
        assertEquals("cam-1 seq 13: the frame header says 64x32 but the PNG image is 100000x100000", e.getMessage());
    }
}
