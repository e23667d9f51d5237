package io.segstream.core.imaging;

import io.segstream.schemas.ImageEncoding;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes camera frame payloads (JPEG, PNG, RAW_RGB24) into {@link RgbImage}s and checks them against the
 * size the frame's header claims.
 *
 * <p>The image's own header is read first ({@link ImageHeader}) and a size other than the frame's is refused before
 * anything is decoded, so a small payload that claims a huge image costs nothing. A frame larger than the pixel
 * limit ({@link #DEFAULT_MAX_PIXELS} unless given) is refused before its header is even read, and the header must
 * then give the frame's size, so no image over the limit reaches a decoder: a decompression bomb whose record and header agree on
 * 100000x100000 costs a few comparisons, not 30 GB.
 *
 * <p>JPEG frames go to a native {@link JpegDecoder} first where one is given ({@link #open} with {@code ffmpeg} or
 * {@link #AUTO}, when the {@code jpeg-ffmpeg} module is on the class path), which leaves them as YCbCr planes for the
 * preprocessing to read (README, Performance: 4.0 instead of 7.0 ms of decode and preprocessing a 1024x512 frame; not
 * the default, as its rounding moved the demo's threshold alerts). A frame it does not decode goes to
 * ImageIO, whose verdict on a broken frame stands; {@link #jpegFallbacks()} counts those.
 *
 * <p>Keeps one ImageIO reader per format and reads from memory (no disk cache), so it is cheap per frame
 * but not thread-safe: use one decoder per thread, and close it when a native JPEG decoder was given.
 *
 * <pre>{@code
 * FrameDecoder decoder = new FrameDecoder();
 * RgbImage img = decoder.decode(ImageEncoding.JPEG, bytes, 1920, 1080, "camera cam-1 seq 42");
 * }</pre>
 */
public final class FrameDecoder implements AutoCloseable {
    /** The default pixel limit: 8192x8192, far above any camera and far below what would exhaust a task manager. */
    public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;
    /** {@link #open}'s choice of a native JPEG decoder where one is on the class path, else ImageIO. */
    public static final String AUTO = "auto";
    /** {@link #open}'s choice of ImageIO alone. */
    public static final String IMAGEIO = "imageio";

    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    private final long maxPixels;
    private final JpegDecoder jpeg;
    private long jpegFallbacks;
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
        this(maxPixels, null);
    }

    /**
     * A decoder that tries {@code jpeg} (owned from now on, closed with this decoder; null for ImageIO alone) before
     * ImageIO for JPEG frames.
     *
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public FrameDecoder(long maxPixels, JpegDecoder jpeg) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the frame pixel limit must be at least 1, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
        this.jpeg = jpeg;
    }

    /**
     * A decoder with the JPEG decoder {@code choice} names: {@link #AUTO} takes the first native one on the class path
     * that opens (ImageIO alone where none does, with one log line saying why), {@link #IMAGEIO} ImageIO alone, and a
     * provider's name ({@code ffmpeg}) that one, or fails.
     *
     * @throws IllegalArgumentException when {@code choice} names no decoder on the class path, or the one it names
     *     does not open here
     */
    public static FrameDecoder open(long maxPixels, String choice) {
        if (IMAGEIO.equals(choice)) {
            return new FrameDecoder(maxPixels, null);
        }
        List<JpegDecoder.Provider> providers = JpegDecoder.providers();
        List<String> names = new ArrayList<>();
        for (JpegDecoder.Provider p : providers) {
            names.add(p.name());
            if (AUTO.equals(choice) || p.name().equals(choice)) {
                try {
                    return new FrameDecoder(maxPixels, p.open());
                } catch (RuntimeException | LinkageError e) {
                    if (!AUTO.equals(choice)) {
                        throw new IllegalArgumentException("the " + choice + " JPEG decoder does not open here ("
                                + e.getMessage() + ")", e);
                    }
                    LOG.warn("The {} JPEG decoder does not open here ({}); JPEG frames are decoded with ImageIO",
                            p.name(), e.toString());
                }
            }
        }
        if (AUTO.equals(choice)) {
            return new FrameDecoder(maxPixels, null);
        }
        throw new IllegalArgumentException("no JPEG decoder named '" + choice + "' on the class path; choose "
                + IMAGEIO + ", " + AUTO + (names.isEmpty() ? "" : " or one of " + names));
    }

    /** The native JPEG decoder's name, or "ImageIO" where there is none. */
    public String jpegDecoderName() {
        return jpeg == null ? "ImageIO" : jpeg.name();
    }

    /** JPEG frames the native decoder passed to ImageIO (broken ones among them). */
    public long jpegFallbacks() {
        return jpegFallbacks;
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
        return decode(encoding, data, width, height, source, false);
    }

    /**
     * Decodes one frame as {@link #decode} does, into arrays this decoder may reuse: the image is valid until this
     * decoder's next call, for a caller that is done with it by then (the segmenter reads it into the model input at
     * once). A JPEG frame the native decoder decodes then costs no new planes ({@link JpegDecoder#decodeReusing}).
     *
     * @throws ImageFormatException as {@link #decode} does
     */
    public RgbImage decodeReusing(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        return decode(encoding, data, width, height, source, true);
    }

    private RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source, boolean reuse)
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
        if (encoding == ImageEncoding.JPEG && jpeg != null) {
            RgbImage img = reuse ? jpeg.decodeReusing(data, width, height) : jpeg.decode(data, width, height);
            if (img != null && img.width() == width && img.height() == height) {
                return img;
            }
            if (jpegFallbacks++ == 0) {
                LOG.info("{}: the {} decoder did not decode this JPEG frame; ImageIO decodes it (frames passed on so"
                        + " are counted, FrameDecoder.jpegFallbacks)", source, jpeg.name());
            }
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

    /** Closes the native JPEG decoder, if any. */
    @Override
    public void close() {
        if (jpeg != null) {
            jpeg.close();
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
