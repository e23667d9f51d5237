package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class YcbcrPlanesTest {
    /** JFIF's conversion, rounded and clamped, against values worked out by hand. */
    @Test
    void convertsFullRangeYcbcrAsJfifDoes() {
        // one 4:4:4 pixel each: grey, red, a clipped blue, a dark green
        byte[] y = {(byte) 128, 76, (byte) 200, 50};
        byte[] cb = {(byte) 128, 85, (byte) 255, 100};
        byte[] cr = {(byte) 128, (byte) 255, (byte) 128, 90};
        byte[] rgb = new YcbcrPlanes(4, 1, y, cb, cr, 0, 0).toRgb();
        // red: 76 + 1.402 * 127 = 254.05; green: 76 - 0.344136 * -43 - 0.714136 * 127 = 0.10; blue: 76 - 76.2 = 0
        // clipped blue: 200 + 1.772 * 127 = 425 -> 255; green 200 - 43.7 = 156.3
        // dark green: red 50 - 53.3 = 0 (clamped), green 50 + 9.6 + 27.1 = 86.8, blue 50 - 49.6 = 0.4
        int[] expected = {128, 128, 128, 254, 0, 0, 200, 156, 255, 0, 87, 0};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], rgb[i] & 0xFF, "byte " + i);
        }
    }

    @Test
    void eachPixelTakesTheChromaSampleCoveringIt() {
        // 4:2:0, 3x3 frame: chroma planes 2x2 (rounded up), neutral but for the bottom-right sample
        byte[] y = new byte[9];
        java.util.Arrays.fill(y, (byte) 100);
        byte[] cb = {(byte) 128, (byte) 128, (byte) 128, (byte) 128};
        byte[] cr = {(byte) 128, (byte) 128, (byte) 128, (byte) 228};
        YcbcrPlanes planes = new YcbcrPlanes(3, 3, y, cb, cr, 1, 1);
        assertEquals(2, planes.chromaWidth());
        assertEquals(2, planes.chromaHeight());
        byte[] rgb = planes.toRgb();
        assertEquals(100, rgb[(1 * 3 + 1) * 3] & 0xFF, "pixel 1,1 lies in the top-left sample");
        assertEquals(240, rgb[(2 * 3 + 2) * 3] & 0xFF, "pixel 2,2 in the bottom-right: 100 + 1.402 * 100");
        assertEquals(100, rgb[(2 * 3 + 1) * 3] & 0xFF, "pixel 1,2 in the bottom-left");
    }

    @Test
    void anImageOfPlanesConvertsOnceWhenItsPixelsAreRead() {
        byte[] y = {10, 20, 30, 40};
        RgbImage img = RgbImage.ofYcbcr(new YcbcrPlanes(2, 2, y, null, null, 0, 0));
        assertEquals(RgbImage.PixelLayout.RGB, img.layout());
        byte[] first = img.pixels();
        assertSame(first, img.pixels());
        assertArrayEquals(new byte[] {10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40}, first);
        assertEquals(0x282828, img.rgb(1, 1));
        assertNull(RgbImage.ofRgb(1, 1, new byte[3]).ycbcr());
    }

    @Test
    void planesOfTheWrongSizeAreRefused() {
        byte[] y = new byte[16];
        IllegalArgumentException chroma = assertThrows(IllegalArgumentException.class,
                () -> new YcbcrPlanes(4, 4, y, new byte[16], new byte[16], 1, 1));
        assertEquals("chroma planes of a 4x4 frame with shifts 1,1 need 4 bytes each, got 16 and 16",
                chroma.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new YcbcrPlanes(4, 4, new byte[15], null, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new YcbcrPlanes(4, 4, y, new byte[4], null, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new YcbcrPlanes(4, 4, y, null, null, 2, 0));
    }
}
