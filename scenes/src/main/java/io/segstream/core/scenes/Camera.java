package io.segstream.core.scenes;

/**
 * The pinhole camera of a rendered scene, and the road coordinates it looks along.
 *
 * <p>Road coordinates: {@code s} metres along the road or track, {@code l} metres to the right of its
 * centre line, {@code h} metres above the ground. The camera sits at {@code (position, lateral, height)}
 * looking along the road; the road bends with constant curvature, so the scene looks the same from any
 * point of a drive. Pixel coordinates are (column, row) with pixel centres at {@code +0.5}.
 *
 * <pre>{@code
 * double[] px = scene.camera().project(30, 0, 0); // where the ground 30 m ahead on the centre line appears
 * }</pre>
 */
public final class Camera {
    /** Closest distance (metres) the renderer draws: geometry nearer than this is clipped away. */
    public static final double NEAR = 0.3;

    private final int width;
    private final int height;
    private final double focal;
    private final double centreColumn;
    private final double horizonRow;
    private final double mountHeight;
    private final double curvature;
    private final double lateral;
    private final double position;

    Camera(int width, int height, double focal, double horizonRow, double mountHeight, double curvature,
            double lateral, double position) {
        this.width = width;
        this.height = height;
        this.focal = focal;
        this.centreColumn = width / 2.0;
        this.horizonRow = horizonRow;
        this.mountHeight = mountHeight;
        this.curvature = curvature;
        this.lateral = lateral;
        this.position = position;
    }

    /** The same camera moved to {@code newPosition} metres along the road. */
    Camera at(double newPosition) {
        return new Camera(width, height, focal, horizonRow, mountHeight, curvature, lateral, newPosition);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Focal length in pixels. */
    public double focal() {
        return focal;
    }

    /** Row of the horizon (may be fractional). */
    public double horizonRow() {
        return horizonRow;
    }

    public double centreColumn() {
        return centreColumn;
    }

    /** Height of the camera above the ground in metres. */
    public double mountHeight() {
        return mountHeight;
    }

    /** Curvature of the road in 1/m: lateral offset grows as {@code curvature * distance^2}. */
    public double curvature() {
        return curvature;
    }

    /** Lateral position of the camera in road coordinates (metres right of the centre line). */
    public double lateral() {
        return lateral;
    }

    /** Position of the camera along the road in metres. */
    public double position() {
        return position;
    }

    /** Camera-space x (metres right of the optical axis) of road point {@code (s, l)}. */
    double camX(double s, double l) {
        double z = s - position;
        return l - lateral + curvature * z * z;
    }

    /** Road lateral coordinate of a ground point given in camera space. */
    double roadL(double camX, double camZ) {
        return camX + lateral - curvature * camZ * camZ;
    }

    /**
     * Pixel {column, row} of road point {@code (s, l)} at height {@code h}; points behind the camera give NaN.
     */
    public double[] project(double s, double l, double h) {
        double z = s - position;
        if (z <= 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double x = camX(s, l);
        double y = h - mountHeight;
        return new double[] {centreColumn + focal * x / z, horizonRow - focal * y / z};
    }

    /**
     * Distance ahead (metres) of the ground seen at the centre of pixel row {@code row}; infinite at or above the
     * horizon.
     */
    public double groundDistanceAtRow(double row) {
        double dy = row + 0.5 - horizonRow;
        return dy <= 0 ? Double.POSITIVE_INFINITY : focal * mountHeight / dy;
    }

    /** Distance of the ground seen at the bottom row of the image: nearer ground is out of view. */
    public double nearestVisibleGround() {
        return groundDistanceAtRow(height - 1);
    }
}
