package io.segstream.core.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelPngTest {
    @TempDir
    Path dir;

    @Test
    void eightBitLabelsRoundTripAndEncodeDeterministically() throws Exception {
        LabelImage labels = new LabelImage(3, 2, new int[] {0, 7, 255, 26, 33, 10});
        Path file = dir.resolve("a_gtFine_labelIds.png");
        LabelPng.write8(labels, file);
        LabelImage back = LabelPng.read8(file);
        assertEquals(3, back.width());
        assertEquals(2, back.height());
        assertArrayEquals(labels.values(), back.values());
        assertEquals(26, back.get(0, 1));

        byte[] encoded = LabelPng.encode8(labels);
        assertArrayEquals(Files.readAllBytes(file), encoded, "same pixels, same bytes");
        assertArrayEquals(labels.values(), LabelPng.read8(encoded, "memory").values());
        assertEquals(new PngHeader(3, 2, 8, 0), PngHeader.read(file));
    }

    @Test
    void sixteenBitInstanceIdsRoundTrip() throws Exception {
        LabelImage instances = new LabelImage(2, 2, new int[] {7, 26000, 26001, 65535});
        Path file = dir.resolve("a_gtFine_instanceIds.png");
        LabelPng.write16(instances, file);
        assertArrayEquals(instances.values(), LabelPng.read16(file).values());
        PngHeader header = PngHeader.read(file);
        assertTrue(header.isGrey16());
        assertEquals("2x2", header.size());
    }

    @Test
    void eightBitFileWhereSixteenBitInstanceIdsAreExpectedIsAnError() throws Exception {
        Path file = dir.resolve("x_gtFine_instanceIds.png");
        LabelPng.write8(new LabelImage(2, 1, new int[] {7, 24}), file);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> LabelPng.read16(file));
        assertEquals(file + ": expected a 16-bit instanceIds PNG but it has 8-bit pixels; instance ids"
                + " (label id * 1000 + k) do not fit in 8 bits", e.getMessage());
    }

    @Test
    void sixteenBitFileWhereEightBitLabelsAreExpectedIsAnError() throws Exception {
        Path file = dir.resolve("x.png");
        LabelPng.write16(new LabelImage(1, 1, new int[] {24000}), file);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> LabelPng.read8(file));
        assertEquals(file + ": expected an 8-bit label PNG but it has 16-bit pixels", e.getMessage());
    }

    @Test
    void colourImagesAreRejectedAsLabels() throws Exception {
        Path file = dir.resolve("rgb.png");
        LabelPng.writeRgb(2, 1, new int[] {0x804080, 0x4682B4}, file);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> LabelPng.read8(file));
        assertEquals(file + ": expected a single-channel label PNG but it has 3 channels", e.getMessage());
        e = assertThrows(ImageFormatException.class, () -> LabelPng.read16(file));
        assertEquals(file + ": expected a single-channel 16-bit instanceIds PNG but it has 3 channels", e.getMessage());
        assertEquals(3, PngHeader.read(file).channels());
    }

    @Test
    void paletteImagesYieldTheirIndicesAsIds() throws Exception {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        r[7] = (byte) 128;
        g[7] = 64;
        b[7] = (byte) 128;
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        img.getRaster().setSample(0, 0, 0, 7);
        img.getRaster().setSample(1, 0, 0, 23);
        Path file = dir.resolve("palette.png");
        ImageIO.write(img, "png", file.toFile());
        assertEquals(3, PngHeader.read(file).colorType());
        assertArrayEquals(new int[] {7, 23}, LabelPng.read8(file).values());
    }

    @Test
    void unreadableAndMissingFilesNameTheFile() throws Exception {
        Path garbage = dir.resolve("garbage.png");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5});
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> LabelPng.read8(garbage));
        assertEquals(garbage + ": not a readable PNG image", e.getMessage());
        e = assertThrows(ImageFormatException.class, () -> PngHeader.read(garbage));
        assertEquals(garbage + ": not a readable PNG image (no PNG header)", e.getMessage());

        int[] noise = new int[64 * 64];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (i * 7919) % 251;
        }
        byte[] png = LabelPng.encode8(new LabelImage(64, 64, noise));
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(png, png.length / 2));
        e = assertThrows(ImageFormatException.class, () -> LabelPng.read8(truncated));
        assertTrue(e.getMessage().startsWith(truncated + ": not a readable PNG image"), e.getMessage());

        Path missing = dir.resolve("missing.png");
        e = assertThrows(ImageFormatException.class, () -> LabelPng.read8(missing));
        assertEquals(missing + ": no such file", e.getMessage());
    }

    @Test
    void valuesOutsideTheBitDepthAreRefusedOnWrite() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabelPng.encode8(new LabelImage(2, 1, new int[] {7, 256})));
        assertEquals("pixel 1 holds 256, which an 8-bit PNG cannot store", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabelPng.write16(new LabelImage(1, 1, new int[] {70000}), dir.resolve("big.png")));
        assertEquals("pixel 0 holds 70000, which a 16-bit PNG cannot store", e.getMessage());
    }
}
