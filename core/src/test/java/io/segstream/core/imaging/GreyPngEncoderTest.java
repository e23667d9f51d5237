package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** {@link GreyPngEncoder}'s PNGs read back by ImageIO, for every filter and the deflate levels used. */
class GreyPngEncoderTest {
    /** Blocks of classes with a noisy border, and one row of pure noise: every filter meets a change. */
    private static byte[] mask(int w, int h, long seed) {
        Random rnd = new Random(seed);
        byte[] ids = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int id = (x * 5 / w) + 5 * (y * 3 / h);
                if (y == h / 2 || rnd.nextInt(50) == 0) {
                    id = rnd.nextInt(256);
                }
                ids[y * w + x] = (byte) id;
            }
        }
        return ids;
    }

    @Test
    void imageIoReadsBackEveryPixel() throws Exception {
        for (int[] size : new int[][] {{1, 1}, {7, 3}, {1024, 512}, {333, 77}}) {
            byte[] ids = mask(size[0], size[1], size[0]);
            for (GreyPngEncoder.Filter filter : GreyPngEncoder.Filter.values()) {
                for (int level : new int[] {0, 1, 6, 9}) {
                    byte[] png = GreyPngEncoder.encode(ids, size[0], size[1], filter, level);
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
                    assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
                    assertEquals(size[0], img.getWidth());
                    assertEquals(size[1], img.getHeight());
                    assertArrayEquals(ids, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(),
                            size[0] + "x" + size[1] + " " + filter + " level " + level);
                }
            }
        }
    }

    @Test
    void wrongSizesAndLevelsAreRefused() {
        assertEquals("a 4x4 image needs 16 bytes, got 15", assertThrows(IllegalArgumentException.class,
                () -> GreyPngEncoder.encode(new byte[15], 4, 4, GreyPngEncoder.Filter.UP, 1)).getMessage());
        assertEquals("deflate level must be 0..9, got 10", assertThrows(IllegalArgumentException.class,
                () -> GreyPngEncoder.encode(new byte[16], 4, 4, GreyPngEncoder.Filter.UP, 10)).getMessage());
    }
}
