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
 * @param encoding    JPEG, PNG or RAW_RGB24
 * @param jpegQuality 1..100, used for JPEG only
 * @param resize      output size, or null to keep the source size
 */
public record ImageOptions(ImageEncoding encoding, int jpegQuality, FrameSize resize) {
    /** The default: JPEG at quality 90, source size. */
    public static final ImageOptions DEFAULT = new ImageOptions(ImageEncoding.JPEG, 90, null);

    public ImageOptions {
        Objects.requireNonNull(encoding, "encoding");
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be between 1 and 100, got " + jpegQuality);
        }
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
        return new ImageOptions(e, jpegQuality, resize);
    }

    /** A copy with another resize target (null keeps the source size). */
    public ImageOptions withResize(FrameSize size) {
        return new ImageOptions(encoding, jpegQuality, size);
    }

    /** A copy with another JPEG quality. */
    public ImageOptions withJpegQuality(int quality) {
        return new ImageOptions(encoding, quality, resize);
    }
}
