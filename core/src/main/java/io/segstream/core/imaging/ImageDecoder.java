package io.segstream.core.imaging;

import io.segstream.schemas.ImageEncoding;

/**
 * A JPEG and PNG decoder that {@link FrameDecoder} uses instead of ImageIO, found with {@link java.util.ServiceLoader}
 * when a module that provides one is on the class path (segstream's is {@code imaging-opencv}: libjpeg-turbo and
 * libpng).
 *
 * <p>{@link FrameDecoder} has already checked the frame before it calls {@link #decode}: the data is not empty, its
 * header names the right format and exactly {@code width x height} pixels (so a decoder never allocates for a size
 * the frame did not announce), and it is complete (a JPEG ends with its end-of-image marker, a PNG with its IEND
 * chunk). Implementations must be thread-safe: one instance serves every decoder of the process.
 *
 * <pre>{@code
 * // META-INF/services/io.segstream.core.imaging.ImageDecoder names the implementation
 * public final class MyDecoder implements ImageDecoder { ... }
 * }</pre>
 */
public interface ImageDecoder {
    /** Names the decoder and its libraries in logs and benchmark tables, e.g. "OpenCV 4.11 (libjpeg-turbo, libpng)". */
    String name();

    /**
     * Decodes one JPEG or PNG frame into 8-bit colour pixels, ignoring alpha and EXIF orientation (as ImageIO does).
     *
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the data does not decode, or not to {@code width x height}
     */
    RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException;
}
