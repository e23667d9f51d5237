package io.segstream.core.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Objects;

/**
 * An 8-bit colour image as interleaved bytes in one of the layouts decoders produce, so that a decoded
 * {@link BufferedImage} is wrapped without a copy.
 *
 * <pre>{@code
 * RgbImage img = RgbImage.ofRgb(1024, 512, rawRgb24);
 * int rgb = img.rgb(10, 20);   // 0xRRGGBB
 * }</pre>
 */
public final class RgbImage {
    /** Byte layout of one pixel. */
    public enum PixelLayout {
        /** 3 bytes: red, green, blue (RAW_RGB24 frames). */
        RGB(3, 0, 1, 2),
        /** 3 bytes: blue, green, red (what ImageIO decodes JPEG into). */
        BGR(3, 2, 1, 0),
        /** 4 bytes: alpha, blue, green, red (ImageIO's PNGs with alpha); alpha is ignored. */
        ABGR(4, 3, 2, 1);

        private final int bytesPerPixel;
        private final int red;
        private final int green;
        private final int blue;

        PixelLayout(int bytesPerPixel, int red, int green, int blue) {
            this.bytesPerPixel = bytesPerPixel;
            this.red = red;
            this.green = green;
            this.blue = blue;
        }

        public int bytesPerPixel() {
            return bytesPerPixel;
        }

        /** Byte offset of red within a pixel. */
        public int redOffset() {
            return red;
        }

        public int greenOffset() {
            return green;
        }

        public int blueOffset() {
            return blue;
        }
    }

    private final int width;
    private final int height;
    private final byte[] pixels;
    private final PixelLayout layout;

    /**
     * Wraps {@code pixels} (not copied; the caller must not change them while the image is in use).
     *
     * @param pixels {@code width * height * layout.bytesPerPixel()} bytes, row-major
     */
    public RgbImage(int width, int height, byte[] pixels, PixelLayout layout) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(layout, "layout");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        long expected = (long) width * height * layout.bytesPerPixel();
        if (pixels.length != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + " " + layout + " image needs " + expected
                    + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
        this.layout = layout;
    }

    /** Wraps interleaved RGB bytes (RAW_RGB24). */
    public static RgbImage ofRgb(int width, int height, byte[] rgb) {
        return new RgbImage(width, height, rgb, PixelLayout.RGB);
    }

    /** An image from packed 0xRRGGBB ints, row-major. */
    public static RgbImage ofPackedRgb(int width, int height, int[] rgb) {
        if (rgb.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (width * height)
                    + " pixels, got " + rgb.length);
        }
        byte[] px = new byte[rgb.length * 3];
        for (int i = 0, o = 0; i < rgb.length; i++, o += 3) {
            px[o] = (byte) (rgb[i] >> 16);
            px[o + 1] = (byte) (rgb[i] >> 8);
            px[o + 2] = (byte) rgb[i];
        }
        return ofRgb(width, height, px);
    }

    /**
     * Wraps a decoded image: 3-byte BGR and 4-byte ABGR rasters without a copy, every other type converted
     * to RGB.
     */
    public static RgbImage of(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if (img.getRaster().getDataBuffer() instanceof DataBufferByte buf && buf.getNumBanks() == 1
                && img.getRaster().getParent() == null) {
            byte[] data = buf.getData();
            if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && data.length == w * h * 3) {
                return new RgbImage(w, h, data, PixelLayout.BGR);
            }
            if (img.getType() == BufferedImage.TYPE_4BYTE_ABGR && data.length == w * h * 4) {
                return new RgbImage(w, h, data, PixelLayout.ABGR);
            }
        }
        return ofPackedRgb(w, h, img.getRGB(0, 0, w, h, null, 0, w));
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing bytes (not a copy). */
    public byte[] pixels() {
        return pixels;
    }

    public PixelLayout layout() {
        return layout;
    }

    /** The pixel at column {@code x}, row {@code y} as 0xRRGGBB. */
    public int rgb(int x, int y) {
        int o = (y * width + x) * layout.bytesPerPixel;
        return (pixels[o + layout.red] & 0xFF) << 16 | (pixels[o + layout.green] & 0xFF) << 8
                | (pixels[o + layout.blue] & 0xFF);
    }

    /** The pixels as interleaved RGB bytes (a copy, or the backing array when already RGB). */
    public byte[] toRgbBytes() {
        if (layout == PixelLayout.RGB) {
            return pixels;
        }
        byte[] out = new byte[width * height * 3];
        int bpp = layout.bytesPerPixel;
        for (int i = 0, s = 0, o = 0; i < width * height; i++, s += bpp, o += 3) {
            out[o] = pixels[s + layout.red];
            out[o + 1] = pixels[s + layout.green];
            out[o + 2] = pixels[s + layout.blue];
        }
        return out;
    }

    /** A 3-byte BGR {@link BufferedImage} holding a copy of the pixels (for encoding or drawing). */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int bpp = layout.bytesPerPixel;
        for (int i = 0, s = 0, o = 0; i < width * height; i++, s += bpp, o += 3) {
            dst[o] = pixels[s + layout.blue];
            dst[o + 1] = pixels[s + layout.green];
            dst[o + 2] = pixels[s + layout.red];
        }
        return img;
    }

    public String size() {
        return width + "x" + height;
    }

    @Override
    public String toString() {
        return "RgbImage " + size() + " " + layout;
    }
}
