package io.segstream.core.imaging;

import java.util.Objects;

/**
 * A single-channel image of integer labels (label ids, train ids or instance ids), row-major.
 *
 * @param width  pixels per row
 * @param height rows
 * @param values {@code width * height} values, row-major; not copied, callers own it
 */
public record LabelImage(int width, int height, int[] values) {
    public LabelImage {
        Objects.requireNonNull(values, "values");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (values.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (width * height)
                    + " values, got " + values.length);
        }
    }

    /** Wraps unsigned 8-bit pixels. */
    public static LabelImage of8(int width, int height, byte[] pixels) {
        int[] v = new int[pixels.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = pixels[i] & 0xFF;
        }
        return new LabelImage(width, height, v);
    }

    /** The value at column {@code x}, row {@code y}. */
    public int get(int x, int y) {
        return values[y * width + x];
    }

    /** The pixels as unsigned bytes; values above 255 are an error. */
    public byte[] toBytes() {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new IllegalArgumentException("pixel " + i + " holds " + values[i] + ", which is not a byte");
            }
            out[i] = (byte) values[i];
        }
        return out;
    }

    public String size() {
        return width + "x" + height;
    }
}
