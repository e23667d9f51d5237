package io.segstream.core.alerts;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * A simple polygon in normalised image coordinates: x and y run from 0 (left, top) to 1 (right, bottom).
 *
 * <p>Inside means the even-odd rule with a half-open convention (a point on a left or top edge is inside,
 * on a right or bottom edge outside), so two polygons that share an edge never both claim a pixel centre
 * on it. {@link ZoneMask} uses the same rule when it rasterises.
 *
 * <pre>{@code
 * Polygon corridor = Polygon.of(0.45, 0.55, 0.55, 0.55, 0.80, 1.0, 0.20, 1.0);
 * boolean inside = corridor.contains(0.5, 0.9);
 * }</pre>
 */
public final class Polygon implements Serializable {
    /** Most points a polygon may have: zone masks are rasterised per frame size, and a zone needs a few corners. */
    public static final int MAX_POINTS = 1000;

    private static final long serialVersionUID = 1L;

    private final double[] xs;
    private final double[] ys;

    private Polygon(double[] xs, double[] ys) {
        this.xs = xs;
        this.ys = ys;
    }

    /**
     * A polygon from alternating x, y coordinates.
     *
     * @throws IllegalArgumentException when there are fewer than 3 points, an odd count of coordinates,
     *                                  a coordinate outside 0..1, or no area (all points on one line)
     */
    public static Polygon of(double... xy) {
        if (xy.length % 2 != 0) {
            throw new IllegalArgumentException("polygon needs x, y pairs; got " + xy.length + " coordinates");
        }
        int n = xy.length / 2;
        if (n > MAX_POINTS) {
            throw new IllegalArgumentException("polygon has " + n + " points; at most " + MAX_POINTS + " are allowed"
                    + " (a zone is a few corners of a track or a road, and every mask is tested against it)");
        }
        if (n < 3) {
            throw new IllegalArgumentException("polygon has " + n + " point" + (n == 1 ? "" : "s")
                    + "; give at least 3 [x, y] points");
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = xy[2 * i];
            ys[i] = xy[2 * i + 1];
            if (!inUnitRange(xs[i]) || !inUnitRange(ys[i])) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "polygon point %d [%s, %s] is outside 0..1; coordinates are fractions of the image"
                                + " width and height", i + 1, xs[i], ys[i]));
            }
        }
        Polygon polygon = new Polygon(xs, ys);
        if (polygon.area() == 0) {
            throw new IllegalArgumentException("polygon " + polygon + " has no area (its points lie on one line)");
        }
        return polygon;
    }

    /** The rectangle that covers the whole frame. */
    public static Polygon fullFrame() {
        return of(0, 0, 1, 0, 1, 1, 0, 1);
    }

    static boolean inUnitRange(double v) {
        return v >= 0 && v <= 1;
    }

    /** Number of points. */
    public int size() {
        return xs.length;
    }

    /** x of point {@code i} (0-based). */
    public double x(int i) {
        return xs[i];
    }

    /** y of point {@code i} (0-based). */
    public double y(int i) {
        return ys[i];
    }

    /** Absolute area by the shoelace formula, as a fraction of the image. */
    public double area() {
        double twice = 0;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            twice += xs[j] * ys[i] - xs[i] * ys[j];
        }
        return Math.abs(twice) / 2;
    }

    /** Whether the point lies inside, by the even-odd rule (see the class comment for edges). */
    public boolean contains(double x, double y) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y)) {
                double crossX = xs[i] + (y - ys[i]) * (xs[j] - xs[i]) / (ys[j] - ys[i]);
                if (crossX > x) {
                    inside = !inside;
                }
            }
        }
        return inside;
    }

    /**
     * Where the horizontal line at {@code y} crosses the polygon's edges, sorted; inside stretches are
     * [c0, c1), [c2, c3), ... by the same rule as {@link #contains}.
     */
    double[] crossings(double y) {
        double[] found = new double[xs.length];
        int n = 0;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y)) {
                found[n++] = xs[i] + (y - ys[i]) * (xs[j] - xs[i]) / (ys[j] - ys[i]);
            }
        }
        double[] crossings = Arrays.copyOf(found, n);
        Arrays.sort(crossings);
        return crossings;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polygon p && Arrays.equals(xs, p.xs) && Arrays.equals(ys, p.ys);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xs) + Arrays.hashCode(ys);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < xs.length; i++) {
            s.append(i == 0 ? "" : ", ").append('[').append(xs[i]).append(", ").append(ys[i]).append(']');
        }
        return s.append(']').toString();
    }
}
