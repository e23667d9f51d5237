package io.segstream.core.masks;

import java.util.Arrays;
import java.util.Objects;

/**
 * A frame-sized image of class ids, one unsigned byte a pixel, row-major; 255 marks ignored pixels.
 *
 * @param width    pixels per row
 * @param height   rows
 * @param classIds {@code width * height} class ids; not copied, callers own it
 */
public record ClassMask(int width, int height, byte[] classIds) {
    public ClassMask {
        Objects.requireNonNull(classIds, "classIds");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("mask size must be positive, got " + width + "x" + height);
        }
        if (classIds.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + (width * height)
                    + " class ids, got " + classIds.length);
        }
    }

    /** The class id at column {@code x}, row {@code y}. */
    public int classAt(int x, int y) {
        return classIds[y * width + x] & 0xFF;
    }

    public int pixelCount() {
        return classIds.length;
    }

    /** Equal when size and every class id are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClassMask m && m.width == width && m.height == height
                && Arrays.equals(m.classIds, classIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(classIds);
    }

    @Override
    public String toString() {
        return "ClassMask " + width + "x" + height;
    }
}
