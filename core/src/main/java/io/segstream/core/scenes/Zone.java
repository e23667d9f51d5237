package io.segstream.core.scenes;

import java.util.List;

/**
 * A ground area of a scene as a polygon in normalised image coordinates (0..1, x right, y down), clipped to
 * the image: the shape alert rules use as a zone.
 *
 * @param area   which area it outlines ({@link Area#TRACK} or {@link Area#CARRIAGEWAY})
 * @param points polygon vertices as {x, y} pairs
 */
public record Zone(Area area, List<double[]> points) {
    public Zone {
        points = List.copyOf(points);
    }

    /** Whether the normalised point {@code (x, y)} lies inside (even-odd rule). */
    public boolean contains(double x, double y) {
        boolean in = false;
        int n = points.size();
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double[] a = points.get(i);
            double[] b = points.get(j);
            if ((a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) {
                in = !in;
            }
        }
        return in;
    }
}
