package io.segstream.core.imaging;

import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes camera frame payloads (JPEG, PNG, RAW_RGB24) into {@link RgbImage}s and checks them against the
 * size the frame's header claims.
 *
 * <p>The image's own header is read first ({@link ImageHeader}) and a size other than the frame's is refused before
 * anything is decoded, so a small payload that claims a huge image costs nothing. A frame larger than the pixel
 * limit ({@link #DEFAULT_MAX_PIXELS} unless given) is refused before its header is even read, and the header must
 * then give the frame's size, so no image over the limit reaches a decoder: a decompression bomb whose record and header agree on
 * 100000x100000 costs a few comparisons, not 30 GB. (ImageIO's JPEG reader is the JDK's
 * native libjpeg; libjpeg-turbo through JavaCV's OpenCV build was measured no faster on this project's CPUs, see
 * README, Performance.)
 *
 * <p>Keeps one ImageIO reader per format and reads from memory (no disk cache), so it is cheap per frame
 * but not thread-safe: use one decoder per thread.
 *
 * <pre>{@code
 * FrameDecoder decoder = new FrameDecoder();
 * RgbImage img = decoder.decode(ImageEncoding.JPEG, bytes, 1920, 1080, "camera cam-1 seq 42");
 * }</pre>
 */
public final class FrameDecoder {
    /** The default pixel limit: 8192x8192, far above any camera and far below what would exhaust a task manager. */
    public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

    private final long maxPixels;
    private ImageReader jpegReader;
    private ImageReader pngReader;

    /** A decoder that refuses frames of more than {@link #DEFAULT_MAX_PIXELS} pixels. */
    public FrameDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    /**
     * A decoder that refuses frames of more than {@code maxPixels} pixels (width x height) before decoding them.
     *
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public FrameDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the frame pixel limit must be at least 1, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** The most pixels (width x height) a frame may have. */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Decodes one frame.
     *
     * @param width  width the frame's header claims
     * @param height height the frame's header claims
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the bytes are empty, truncated or not the format, the image is not
     *     {@code width x height}, or it has more pixels than the limit
     */
    public RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        Objects.requireNonNull(encoding, "encoding");
        if (data == null || data.length == 0) {
            throw new ImageFormatException(source + ": the " + encoding + " frame is empty");
        }
        if (width <= 0 || height <= 0) {
            throw new ImageFormatException(source + ": the frame header gives size " + width + "x" + height
                    + ", which is not a valid image size");
        }
        checkPixels(width, height, source);
        if (encoding == ImageEncoding.UNKNOWN) {
            throw new ImageFormatException(source
                    + ": the frame's encoding is unknown to this reader (written by a newer producer)");
        }
        if (encoding == ImageEncoding.RAW_RGB24) {
            return raw(data, width, height, source);
        }
        // the image's own header first: nothing is allocated for a size the frame did not announce
        ImageHeader header = ImageHeader.read(encoding, data, source);
        if (header.width() != width || header.height() != height) {
            throw sizeMismatch(encoding, width, height, header.size(), source);
        }
        RgbImage img = RgbImage.of(encoding == ImageEncoding.JPEG
                ? read(jpegReader(), data, "JPEG", source)
                : read(pngReader(), data, "PNG", source));
        if (img.width() != width || img.height() != height) {
            throw sizeMismatch(encoding, width, height, img.size(), source);
        }
        return img;
    }

    private void checkPixels(long width, long height, String source) throws ImageFormatException {
        long pixels = width * height;
        if (pixels > maxPixels) {
            throw new ImageFormatException(source + ": the frame is " + width + "x" + height + " (" + pixels
                    + " pixels), more than the limit of " + maxPixels + " pixels; refused before decoding (a"
                    + " decompression bomb or a misconfigured camera; raise max-frame-pixels if such frames are real)");
        }
    }

    private static ImageFormatException sizeMismatch(ImageEncoding encoding, int width, int height, String actual,
            String source) {
        return new ImageFormatException(source + ": the frame header says " + width + "x" + height + " but the "
                + encoding + " image is " + actual);
    }

    private static RgbImage raw(byte[] data, int width, int height, String source) throws ImageFormatException {
        long expected = (long) width * height * 3;
        if (data.length != expected) {
            throw new ImageFormatException(source + ": a " + width + "x" + height + " RAW_RGB24 frame needs "
                    + expected + " bytes but has " + data.length);
        }
        return RgbImage.ofRgb(width, height, data);
    }

    private static BufferedImage read(ImageReader reader, byte[] data, String format, String source)
            throws ImageFormatException {
        String[] warning = new String[1];
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            // a truncated JPEG decodes to grey rows with only a warning; such a frame must count as broken
            reader.addIIOReadWarningListener((r, message) -> {
                if (warning[0] == null) {
                    warning[0] = message;
                }
            });
            BufferedImage img = reader.read(0);
            if (img == null) {
                throw new ImageFormatException(source + ": not a readable " + format + " image");
            }
            if (warning[0] != null) {
                throw new ImageFormatException(source + ": the " + format + " image is truncated or corrupt ("
                        + warning[0] + ")");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data with IIOException but also with runtime exceptions from its parsers
            throw new ImageFormatException(source + ": not a readable " + format + " image (" + e.getMessage() + ")", e);
        } finally {
            reader.reset();
        }
    }

    private ImageReader jpegReader() {
        if (jpegReader == null) {
            jpegReader = reader("jpeg");
        }
        return jpegReader;
    }

    private ImageReader pngReader() {
        if (pngReader == null) {
            pngReader = reader("png");
        }
        return pngReader;
    }

    private static ImageReader reader(String format) {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format);
        if (!it.hasNext()) {
            throw new IllegalStateException("this Java runtime has no ImageIO " + format + " reader");
        }
        return it.next();
    }
}
