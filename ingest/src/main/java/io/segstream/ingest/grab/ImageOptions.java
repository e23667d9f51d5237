package io.segstream.ingest.grab;

import io.segstream.schemas.ImageEncoding;
import java.util.Objects;
import java.util.Optional;

/**
 * How grabbed frames are encoded into {@code CameraFrame.data}: encoding, JPEG quality and an optional resize.
 *
 * <p>JPEG quality runs from 1 (smallest) to 100 (best) and is mapped linearly onto FFmpeg's MJPEG quantiser
 * scale 31..2 ({@code -q:v}); 90 gives qscale 5.
 *
 * <p>{@code encoderThreads} above 1 splits each JPEG into slices encoded in parallel: about twice the encoding
 * speed with two threads, but FFmpeg then uses its standard Huffman tables instead of per-picture optimal ones, so
 * JPEGs grow by roughly a quarter. Worth it for a replay on a many-core machine; live cameras, which already run in
 * parallel, keep 1.
 *
 * @param encoding       JPEG, PNG or RAW_RGB24
 * @param jpegQuality    1..100, used for JPEG only
 * @param resize         output size, or null to keep the source size
 * @param encoderThreads threads per JPEG encoder, 1..16
 */
public record ImageOptions(ImageEncoding encoding, int jpegQuality, FrameSize resize, int encoderThreads) {
    /** The default: JPEG at quality 90, source size, one encoder thread. */
    public static final ImageOptions DEFAULT = new ImageOptions(ImageEncoding.JPEG, 90, null, 1);

    public ImageOptions {
        Objects.requireNonNull(encoding, "encoding");
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be between 1 and 100, got " + jpegQuality);
        }
        if (encoderThreads < 1 || encoderThreads > 16) {
            throw new IllegalArgumentException("encoder threads must be between 1 and 16, got " + encoderThreads);
        }
    }

    /** Options with one encoder thread. */
    public ImageOptions(ImageEncoding encoding, int jpegQuality, FrameSize resize) {
        this(encoding, jpegQuality, resize, 1);
    }

    /** The resize target, when one is set. */
    public Optional<FrameSize> optResize() {
        return Optional.ofNullable(resize);
    }

    /** FFmpeg's MJPEG quantiser scale for the configured quality: 2 (best) .. 31 (worst). */
    public int mjpegQscale() {
        return (int) Math.round(31 - (jpegQuality - 1) * 29.0 / 99.0);
    }

    /** A copy with another encoding. */
    public ImageOptions withEncoding(ImageEncoding e) {
        return new ImageOptions(e, jpegQuality, resize, encoderThreads);
    }

    /** A copy with another resize target (null keeps the source size). */
    public ImageOptions withResize(FrameSize size) {
        return new ImageOptions(encoding, jpegQuality, size, encoderThreads);
    }

    /** A copy with another number of JPEG encoder threads. */
    public ImageOptions withEncoderThreads(int threads) {
        return new ImageOptions(encoding, jpegQuality, resize, threads);
    }

    /** A copy with another JPEG quality. */
    public ImageOptions withJpegQuality(int quality) {
        return new ImageOptions(encoding, quality, resize, encoderThreads);
    }
}
