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
}
