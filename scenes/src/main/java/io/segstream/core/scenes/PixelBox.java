package io.segstream.core.scenes;

/**
 * An axis-aligned pixel rectangle: columns {@code x0..x1-1}, rows {@code y0..y1-1}.
 *
 * @param x0 first column
 * @param y0 first row
 * @param x1 column after the last
 * @param y1 row after the last
 */
public record PixelBox(int x0, int y0, int x1, int y1) {
    public PixelBox {
        if (x1 < x0 || y1 < y0) {
            throw new IllegalArgumentException("box corners are swapped: " + x0 + "," + y0 + " .. " + x1 + "," + y1);
        }
    }

    /** Whether pixel {@code (x, y)} lies inside. */
    public boolean contains(int x, int y) {
        return x >= x0 && x < x1 && y >= y0 && y < y1;
    }

    public int width() {
        return x1 - x0;
    }

    public int height() {
        return y1 - y0;
    }
}
