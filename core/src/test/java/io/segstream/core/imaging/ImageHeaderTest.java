package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {
    private static byte[] encode(int w, int h, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), format, out);
        return out.toByteArray();
    }

    @Test
    void readsTheSizeFromJpegAndPngHeaders() throws Exception {
        assertEquals(new ImageHeader(320, 96), ImageHeader.read(ImageEncoding.JPEG, encode(320, 96, "jpeg"), "j"));
        assertEquals(new ImageHeader(321, 97), ImageHeader.read(ImageEncoding.PNG, encode(321, 97, "png"), "p"));
    }

    @Test
    void headersThatAreNotTheFormatOrAreCutOffAreRefused() throws Exception {
        byte[] jpeg = encode(64, 32, "jpeg");
        assertEquals("s: not a readable JPEG image (no start-of-image marker)", assertThrows(
                ImageFormatException.class, () -> ImageHeader.read(ImageEncoding.JPEG, new byte[] {1, 2, 3}, "s"))
                .getMessage());
        assertEquals("s: not a readable JPEG image (no frame header before the image data)", assertThrows(
                ImageFormatException.class, () -> ImageHeader.read(ImageEncoding.JPEG, Arrays.copyOf(jpeg, 40), "s"))
                .getMessage());
        assertEquals("s: not a readable PNG image (no PNG header)", assertThrows(ImageFormatException.class,
                () -> ImageHeader.read(ImageEncoding.PNG, jpeg, "s")).getMessage());
        byte[] png = encode(64, 32, "png");
        ByteBuffer.wrap(png).putInt(16, 0);
        assertEquals("s: not a readable PNG image (its header gives size 0x32)", assertThrows(
                ImageFormatException.class, () -> ImageHeader.read(ImageEncoding.PNG, png, "s")).getMessage());
    }

    /** The decompression-bomb guard: the header is read before any pixel is decoded. */
    @Test
    void frameDecoderRefusesAHeaderThatLiesBeforeDecoding() throws Exception {
        byte[] png = encode(64, 32, "png");
        ByteBuffer.wrap(png).putInt(16, 60_000).putInt(20, 60_000);
        assertEquals("cam-3 seq 1: the frame header says 64x32 but the PNG image is 60000x60000",
                assertThrows(ImageFormatException.class, () -> new FrameDecoder().decode(ImageEncoding.PNG, png,
                        64, 32, "cam-3 seq 1")).getMessage());
    }
}
