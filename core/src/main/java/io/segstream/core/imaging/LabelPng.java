package io.segstream.core.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads and writes the single-channel PNGs of Cityscapes: 8-bit labelIds/trainIds and 16-bit instanceIds.
 *
 * <p>Writing is deterministic (same pixels, same bytes). Reading rejects colour images and wrong bit depths
 * with an {@link ImageFormatException} naming the file.
 */
public final class LabelPng {
    private LabelPng() {}

    /** Reads an 8-bit single-channel PNG. */
    public static LabelImage read8(Path file) throws ImageFormatException {
        return read8(readRaster(file), file.toString());
    }

    /** Reads an 8-bit single-channel PNG held in memory; {@code source} names it in errors. */
    public static LabelImage read8(byte[] png, String source) throws ImageFormatException {
        return read8(decode(png, source), source);
    }

    private static LabelImage read8(BufferedImage img, String source) throws ImageFormatException {
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new ImageFormatException(source + ": expected a single-channel label PNG but it has "
                    + r.getNumBands() + " channels");
        }
        int bits = img.getColorModel().getComponentSize(0);
        if (bits != 8 || !(r.getDataBuffer() instanceof DataBufferByte)) {
            throw new ImageFormatException(source + ": expected an 8-bit label PNG but it has " + bits + "-bit pixels");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] px = new byte[w * h];
        r.getDataElements(0, 0, w, h, px);
        return LabelImage.of8(w, h, px);
    }

    /** Reads a 16-bit single-channel PNG (Cityscapes instanceIds). */
    public static LabelImage read16(Path file) throws ImageFormatException {
        BufferedImage img = readRaster(file);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new ImageFormatException(file + ": expected a single-channel 16-bit instanceIds PNG but it has "
                    + r.getNumBands() + " channels");
        }
        if (!(r.getDataBuffer() instanceof DataBufferUShort)) {
            throw new ImageFormatException(file + ": expected a 16-bit instanceIds PNG but it has "
                    + img.getColorModel().getComponentSize(0) + "-bit pixels");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        short[] px = new short[w * h];
        r.getDataElements(0, 0, w, h, px);
        int[] values = new int[w * h];
        for (int i = 0; i < values.length; i++) {
            values[i] = px[i] & 0xFFFF;
        }
        return new LabelImage(w, h, values);
    }

    /** Writes {@code image} as an 8-bit grey PNG; every value must be 0..255. */
    public static void write8(LabelImage image, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            write8(image, out);
        }
    }

    /** Encodes {@code image} as an 8-bit grey PNG. */
    public static byte[] encode8(LabelImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write8(image, out);
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding into memory failed", e);
        }
        return out.toByteArray();
    }

    private static void write8(LabelImage image, OutputStream out) throws IOException {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int[] v = image.values();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 255) {
                throw new IllegalArgumentException("pixel " + i + " holds " + v[i] + ", which an 8-bit PNG cannot store");
            }
            dst[i] = (byte) v[i];
        }
        ImageIO.write(img, "png", out);
    }

    /** Writes {@code image} as a 16-bit grey PNG; every value must be 0..65535. */
    public static void write16(LabelImage image, Path file) throws IOException {
        BufferedImage img = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_USHORT_GRAY);
        short[] dst = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
        int[] v = image.values();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > 65535) {
                throw new IllegalArgumentException("pixel " + i + " holds " + v[i] + ", which a 16-bit PNG cannot store");
            }
            dst[i] = (short) v[i];
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            ImageIO.write(img, "png", out);
        }
    }

    /** Writes an RGB image given as packed 0xRRGGBB pixels as a PNG. */
    public static void writeRgb(int width, int height, int[] rgb, Path file) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, width, height, rgb, 0, width);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            ImageIO.write(img, "png", out);
        }
    }

    private static BufferedImage readRaster(Path file) throws ImageFormatException {
        if (!Files.isRegularFile(file)) {
            throw new ImageFormatException(file + ": no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            BufferedImage img = ImageIO.read(in);
            if (img == null) {
                throw new ImageFormatException(file + ": not a readable PNG image");
            }
            return img;
        } catch (IOException e) {
            throw new ImageFormatException(file + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
    }

    private static BufferedImage decode(byte[] png, String source) throws ImageFormatException {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            if (img == null) {
                throw new ImageFormatException(source + ": not a readable PNG image");
            }
            return img;
        } catch (IOException e) {
            throw new ImageFormatException(source + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
    }
}
