package io.segstream.core.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Objects;

/**
 * An 8-bit colour image as interleaved bytes in one of the layouts decoders produce, so that a decoded
 * {@link BufferedImage} is wrapped without a copy; or as the YCbCr planes a JPEG decoder leaves
 * ({@link #ofYcbcr}), converted to interleaved RGB on first use of the pixels, so a preprocessing that reads the
 * planes ({@link #ycbcr()}) never pays for the conversion.
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
    private volatile byte[] pixels;
    private final PixelLayout layout;
    private final YcbcrPlanes ycbcr;

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
        this.ycbcr = null;
    }

    private RgbImage(YcbcrPlanes planes) {
        this.width = planes.width();
        this.height = planes.height();
        this.layout = PixelLayout.RGB;
        this.ycbcr = planes;
    }

    /**
     * Wraps a JPEG decoder's planes (not copied); {@link #pixels()} converts them to RGB once, when first asked.
     */
    public static RgbImage ofYcbcr(YcbcrPlanes planes) {
        return new RgbImage(Objects.requireNonNull(planes, "planes"));
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
     * Wraps a decoded image: 3-byte BGR and 4-byte ABGR rasters without a copy, 8-bit grey as its stored values,
     * every other type converted to RGB.
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
            if (img.getType() == BufferedImage.TYPE_BYTE_GRAY && data.length == w * h) {
                // the bytes as stored: getRGB would treat them as linear grey and brighten them towards sRGB, but a
                // grey camera's JPEG or PNG holds display-encoded luma like any colour frame
                byte[] rgb = new byte[w * h * 3];
                for (int i = 0, o = 0; i < data.length; i++, o += 3) {
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = data[i];
                }
                return ofRgb(w, h, rgb);
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

    /** The backing bytes (not a copy); for an image of YCbCr planes, their RGB conversion, made on the first call. */
    public byte[] pixels() {
        byte[] p = pixels;
        if (p == null) {
            p = ycbcr.toRgb();
            pixels = p;
        }
        return p;
    }

    /** The YCbCr planes this image was decoded to, or null for an image of interleaved bytes. */
    public YcbcrPlanes ycbcr() {
        return ycbcr;
    }

    public PixelLayout layout() {
        return layout;
    }

    /** The pixel at column {@code x}, row {@code y} as 0xRRGGBB. */
    public int rgb(int x, int y) {
        byte[] px = pixels();
        int o = (y * width + x) * layout.bytesPerPixel;
        return (px[o + layout.red] & 0xFF) << 16 | (px[o + layout.green] & 0xFF) << 8
                | (px[o + layout.blue] & 0xFF);
    }

    /** The pixels as interleaved RGB bytes (a copy, or the backing array when already RGB). */
    public byte[] toRgbBytes() {
        byte[] px = pixels();
        if (layout == PixelLayout.RGB) {
            return px;
        }
        byte[] out = new byte[width * height * 3];
        int bpp = layout.bytesPerPixel;
        for (int i = 0, s = 0, o = 0; i < width * height; i++, s += bpp, o += 3) {
            out[o] = px[s + layout.red];
            out[o + 1] = px[s + layout.green];
            out[o + 2] = px[s + layout.blue];
        }
        return out;
    }

    /** A 3-byte BGR {@link BufferedImage} holding a copy of the pixels (for encoding or drawing). */
    public BufferedImage toBufferedImage() {
        byte[] px = pixels();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int bpp = layout.bytesPerPixel;
        for (int i = 0, s = 0, o = 0; i < width * height; i++, s += bpp, o += 3) {
            dst[o] = px[s + layout.blue];
            dst[o + 1] = px[s + layout.green];
            dst[o + 2] = px[s + layout.red];
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
