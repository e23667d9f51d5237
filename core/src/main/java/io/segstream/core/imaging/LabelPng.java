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
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

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
        // Grey and palette PNGs of up to 8 bits hold the ids themselves (a palette PNG's indices are the ids,
        // as image libraries that write "P" mode label images intend); getPixels unpacks 1/2/4-bit rows.
        int bits = r.getSampleModel().getSampleSize(0);
        if (bits > 8) {
            throw new ImageFormatException(source + ": expected an 8-bit label PNG but it has " + bits + "-bit pixels");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        return new LabelImage(w, h, r.getPixels(0, 0, w, h, new int[w * h]));
    }

    /** Reads a 16-bit single-channel PNG (Cityscapes instanceIds). */
    public static LabelImage read16(Path file) throws ImageFormatException {
        BufferedImage img = readRaster(file);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new ImageFormatException(file + ": expected a single-channel 16-bit instanceIds PNG but it has "
                    + r.getNumBands() + " channels");
        }
        int bits = r.getSampleModel().getSampleSize(0);
        if (bits != 16 || !(r.getDataBuffer() instanceof DataBufferUShort)) {
            throw new ImageFormatException(file + ": expected a 16-bit instanceIds PNG but it has " + bits
                    + "-bit pixels; instance ids (label id * 1000 + k) do not fit in 8 bits");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        return new LabelImage(w, h, r.getPixels(0, 0, w, h, new int[w * h]));
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
        writePng(img, out);
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
            writePng(img, out);
        }
    }

    /** Writes an RGB image given as packed 0xRRGGBB pixels as an 8-bit RGB PNG. */
    public static void writeRgb(int width, int height, int[] rgb, Path file) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        // straight into the raster: setRGB converts colour models pixel by pixel and is several times slower
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            dst[3 * i] = (byte) p;
            dst[3 * i + 1] = (byte) (p >> 8);
            dst[3 * i + 2] = (byte) (p >> 16);
        }
        write(img, file);
    }

    /** Writes any image (a chart, an overlay) as PNG, creating its folder. */
    public static void write(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            writePng(img, out);
        }
    }

    /** Encodes {@code img} as PNG into {@code out}, buffering in memory rather than in ImageIO's temp files. */
    static void writePng(BufferedImage img, OutputStream out) throws IOException {
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(img, "png", ios)) {
                throw new IOException("no PNG writer for image type " + img.getType());
            }
        }
    }

    private static BufferedImage readRaster(Path file) throws ImageFormatException {
        if (!Files.isRegularFile(file)) {
            throw new ImageFormatException(file + ": no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in, file.toString());
        } catch (IOException e) {
            throw new ImageFormatException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static BufferedImage decode(byte[] png, String source) throws ImageFormatException {
        return decode(new ByteArrayInputStream(png), source);
    }

    /** Decodes a PNG; ImageIO reports some corrupt files with runtime exceptions, so those are caught too. */
    static BufferedImage decode(InputStream in, String source) throws ImageFormatException {
        // ImageIO.read(ImageInputStream) closes the stream itself unless it returns null.
        ImageInputStream iis = new MemoryCacheImageInputStream(in);
        BufferedImage img;
        try {
            img = ImageIO.read(iis);
        } catch (IOException | RuntimeException e) {
            throw new ImageFormatException(source + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            try {
                iis.close();
            } catch (IOException e) {
                // the stream only wraps memory or a file stream its owner closes
            }
            throw new ImageFormatException(source + ": not a readable PNG image");
        }
        return img;
    }
}
