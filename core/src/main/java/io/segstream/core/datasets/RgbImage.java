package io.segstream.core.datasets;

import java.util.Objects;

/**
 * An 8-bit RGB image as interleaved bytes, row-major: pixel (x, y) is at {@code 3 * (y * width + x)}, red first.
 *
 * @param width  pixels per row
 * @param height rows
 * @param rgb    {@code 3 * width * height} bytes; not copied, callers own it
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != 3 * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + (3 * width * height)
                    + " bytes, got " + rgb.length);
        }
    }
}
