package io.segstream.core.scenes;

import java.util.List;

/**
 * A ground area of a scene as a polygon in normalised image coordinates (0..1, x right, y down), clipped to
 * the image: the shape alert rules use as a zone.
 *
 * @param area   which area it outlines ({@link Area#TRACK} or {@link Area#CARRIAGEWAY})
 * @param points polygon vertices
 */
public record AreaOutline(Area area, List<Point> points) {
    /** A vertex in normalised image coordinates. */
    public record Point(double x, double y) {}

    public AreaOutline {
        points = List.copyOf(points);
    }

    /** Whether the normalised point {@code (x, y)} lies inside (even-odd rule). */
    public boolean contains(double x, double y) {
        boolean in = false;
        int n = points.size();
        for (int i = 0, j = n - 1; i < n; j = i++) {
            Point a = points.get(i);
            Point b = points.get(j);
            if ((a.y() > y) != (b.y() > y) && x < (b.x() - a.x()) * (y - a.y()) / (b.y() - a.y()) + a.x()) {
                in = !in;
            }
        }
        return in;
    }
}
