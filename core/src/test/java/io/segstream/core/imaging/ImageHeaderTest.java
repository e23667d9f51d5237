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
    void completeFramesPassAndCutOnesAreNamed() throws Exception {
        byte[] jpeg = encode(64, 32, "jpeg");
        byte[] png = encode(64, 32, "png");
        ImageHeader.checkComplete(ImageEncoding.JPEG, jpeg, "j");
        ImageHeader.checkComplete(ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length + 16), "padded after EOI");
        ImageHeader.checkComplete(ImageEncoding.PNG, png, "p");
        assertEquals("cam-1 seq 1: the JPEG image is truncated (it has no end-of-image marker)",
                assertThrows(ImageFormatException.class, () -> ImageHeader.checkComplete(ImageEncoding.JPEG,
                        Arrays.copyOf(jpeg, jpeg.length - 1), "cam-1 seq 1")).getMessage());
        assertEquals("cam-1 seq 2: the PNG image is truncated (it does not end with IEND)",
                assertThrows(ImageFormatException.class, () -> ImageHeader.checkComplete(ImageEncoding.PNG,
                        Arrays.copyOf(png, png.length - 1), "cam-1 seq 2")).getMessage());
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

    /** The decompression-bomb guard also holds on the ImageIO path: the header is read before any pixel. */
    @Test
    void frameDecoderRefusesAHeaderThatLiesBeforeDecoding() throws Exception {
        byte[] png = encode(64, 32, "png");
        ByteBuffer.wrap(png).putInt(16, 60_000).putInt(20, 60_000);
        assertEquals("cam-3 seq 1: the frame header says 64x32 but the PNG image is 60000x60000",
                assertThrows(ImageFormatException.class, () -> FrameDecoder.imageIo().decode(ImageEncoding.PNG, png,
                        64, 32, "cam-3 seq 1")).getMessage());
    }
}
