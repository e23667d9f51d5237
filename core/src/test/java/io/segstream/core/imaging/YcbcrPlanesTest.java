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

    /** libjpeg's "fancy" upsampling, worked out by hand from jdsample.c's weights and rounding. */
    @Test
    void chromaIsInterpolatedAsLibjpegDoes() {
        // 4:2:2, 4 pixels from samples 100 and 200: the edges take their sample, inside 3/4 and 1/4
        YcbcrPlanes h2v1 = new YcbcrPlanes(4, 1, new byte[4], new byte[] {100, (byte) 200},
                new byte[] {100, (byte) 200}, 1, 0);
        int[] row = new int[4];
        h2v1.chromaRow(h2v1.cb(), 0, row);
        assertArrayEquals(new int[] {100, (300 + 200 + 2) / 4, (600 + 100 + 1) / 4, 200}, row);
        // 4:2:0, 4x4 pixels from 2x2 samples: columns [100 200] over [20 60]
        byte[] c = {100, (byte) 200, 20, 60};
        YcbcrPlanes h2v2 = new YcbcrPlanes(4, 4, new byte[16], c, c, 1, 1);
        // output row 0: nearer row is row 0 itself (the edge), column sums 4 * 100 = 400 and 4 * 200 = 800
        h2v2.chromaRow(c, 0, row);
        assertArrayEquals(new int[] {(4 * 400 + 8) >> 4, (3 * 400 + 800 + 7) >> 4, (3 * 800 + 400 + 8) >> 4,
                (4 * 800 + 7) >> 4}, row);
        // output row 1: sample row 0 with row 1 below: 3 * 100 + 20 = 320 and 3 * 200 + 60 = 660
        h2v2.chromaRow(c, 1, row);
        assertArrayEquals(new int[] {(4 * 320 + 8) >> 4, (3 * 320 + 660 + 7) >> 4, (3 * 660 + 320 + 8) >> 4,
                (4 * 660 + 7) >> 4}, row);
        // output row 2: sample row 1 with row 0 above: 3 * 20 + 100 = 160 and 3 * 60 + 200 = 380
        h2v2.chromaRow(c, 2, row);
        assertArrayEquals(new int[] {(4 * 160 + 8) >> 4, (3 * 160 + 380 + 7) >> 4, (3 * 380 + 160 + 8) >> 4,
                (4 * 380 + 7) >> 4}, row);
    }

    @Test
    void oddSizesTakeTheRoundedUpChromaPlanes() {
        byte[] y = new byte[9];
        java.util.Arrays.fill(y, (byte) 100);
        byte[] neutral = {(byte) 128, (byte) 128, (byte) 128, (byte) 128};
        YcbcrPlanes planes = new YcbcrPlanes(3, 3, y, neutral, neutral, 1, 1);
        assertEquals(2, planes.chromaWidth());
        assertEquals(2, planes.chromaHeight());
        byte[] rgb = planes.toRgb();
        for (byte v : rgb) {
            assertEquals(100, v & 0xFF);
        }
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
