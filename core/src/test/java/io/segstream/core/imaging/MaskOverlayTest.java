package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskOverlayTest {
    private static RgbImage grey(int w, int h, int v) {
        byte[] px = new byte[w * h * 3];
        java.util.Arrays.fill(px, (byte) v);
        return RgbImage.ofRgb(w, h, px);
    }

    @Test
    void blendsEachPixelWithItsClassColour() {
        int[] palette = new int[256];
        palette[1] = 0xFF0000;
        byte[] ids = {0, 1, 1, 0};
        BufferedImage img = MaskOverlay.blend(grey(2, 2, 100), ids, palette, 0.5f);
        // class 0 is black in this palette: (100 * 128 + 0 * 128) >> 8 = 50
        assertEquals(0x323232, img.getRGB(0, 0) & 0xFFFFFF);
        // class 1 red: r = (100 * 128 + 255 * 128) >> 8 = 177 (0xB1), g = b = 50
        assertEquals(0xB13232, img.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0xB13232, img.getRGB(0, 1) & 0xFFFFFF);
    }

    @Test
    void alphaZeroKeepsTheFrame() {
        BufferedImage img = MaskOverlay.blend(grey(2, 1, 77), new byte[] {3, 4}, new int[256], 0f);
        assertEquals(0x4D4D4D, img.getRGB(1, 0) & 0xFFFFFF);
    }

    @Test
    void zonesAndTextChangePixels() {
        BufferedImage img = MaskOverlay.blend(grey(100, 60, 0), new byte[6000], new int[256], 0f);
        MaskOverlay.drawZone(img, new double[] {0.1, 0.9, 0.9, 0.1}, new double[] {0.5, 0.5, 0.9, 0.9}, "z", true);
        MaskOverlay.drawText(img, List.of("ALERT person"));
        assertNotEquals(0, img.getRGB(13, 30) & 0xFF0000, "the first dash of the top edge is red");
    }

    @Test
    void rejectsAMaskOfTheWrongSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskOverlay.blend(grey(2, 2, 0), new byte[3], new int[256], 0.5f));
        assertEquals("a 2x2 frame needs 4 class ids, got 3", e.getMessage());
    }
}
