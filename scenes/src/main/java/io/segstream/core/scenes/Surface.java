package io.segstream.core.scenes;

/**
 * The plane a polygon lies in, in camera space, and how a point on it maps to texture coordinates.
 *
 * <p>The renderer intersects each pixel's ray with this plane: that gives the depth (for the depth buffer and
 * haze) and the texture coordinates in metres, so textures stay fixed to the world as the camera moves.
 */
final class Surface {
    private static final int PLANE = 0;
    private static final int GROUND = 1;
    private static final int SCREEN = 2;

    private final int mode;
    private final double nx;
    private final double ny;
    private final double nz;
    private final double c;
    private final double ox;
    private final double oy;
    private final double oz;
    private final double ux;
    private final double uy;
    private final double uz;
    private final double vx;
    private final double vy;
    private final double vz;
    private final Camera camera;

    private Surface(int mode, double[] n, double c, double[] o, double[] u, double[] v, Camera camera) {
        this.mode = mode;
        this.nx = n[0];
        this.ny = n[1];
        this.nz = n[2];
        this.c = c;
        this.ox = o[0];
        this.oy = o[1];
        this.oz = o[2];
        this.ux = u[0];
        this.uy = u[1];
        this.uz = u[2];
        this.vx = v[0];
        this.vy = v[1];
        this.vz = v[2];
        this.camera = camera;
    }

    /** The ground plane; texture coordinates are road coordinates (u = lateral, v = along). */
    static Surface ground(Camera camera) {
        double[] zero = {0, 0, 0};
        return new Surface(GROUND, new double[] {0, 1, 0}, -camera.mountHeight(), zero, zero, zero, camera);
    }

    /** A flat layer in screen space at a fixed depth; texture coordinates are pixel coordinates. */
    static Surface screen(double depth) {
        double[] zero = {0, 0, 0};
        return new Surface(SCREEN, new double[] {0, 0, 1}, depth, zero, zero, zero, null);
    }

    /** A plane facing the camera at distance {@code z}; u runs right from {@code x0}, v up from {@code y0}. */
    static Surface billboard(double x0, double y0, double z) {
        return new Surface(PLANE, new double[] {0, 0, 1}, z, new double[] {x0, y0, z}, new double[] {1, 0, 0},
                new double[] {0, 1, 0}, null);
    }

    /**
     * The plane through three camera-space points: u runs from {@code a} towards {@code b}, v from {@code a}
     * towards {@code d} (made orthogonal to u). Returns null for a degenerate triangle.
     */
    static Surface plane(double[] a, double[] b, double[] d) {
        double[] u = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
        double lu = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
        if (lu < 1e-9) {
            return null;
        }
        u[0] /= lu;
        u[1] /= lu;
        u[2] /= lu;
        double[] w = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
        double dot = w[0] * u[0] + w[1] * u[1] + w[2] * u[2];
        double[] v = {w[0] - dot * u[0], w[1] - dot * u[1], w[2] - dot * u[2]};
        double lv = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        if (lv < 1e-9) {
            return null;
        }
        v[0] /= lv;
        v[1] /= lv;
        v[2] /= lv;
        double[] n = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
        double c = n[0] * a[0] + n[1] * a[1] + n[2] * a[2];
        return new Surface(PLANE, n, c, a, u, v, null);
    }

    boolean isScreen() {
        return mode == SCREEN;
    }

    /**
     * Distance along the ray {@code (dx, dy, 1)} to the plane, which is also the camera-space z of the hit;
     * NaN or a negative value means the ray misses the plane in front of the camera.
     */
    double depth(double dx, double dy) {
        if (mode == SCREEN) {
            return c;
        }
        return c / (nx * dx + ny * dy + nz);
    }

    /** Texture u (metres) of the hit at depth {@code t} along ray {@code (dx, dy, 1)}. */
    double u(double dx, double dy, double t) {
        if (mode == GROUND) {
            return camera.roadL(t * dx, t);
        }
        return (t * dx - ox) * ux + (t * dy - oy) * uy + (t - oz) * uz;
    }

    /** Texture v (metres) of the hit at depth {@code t} along ray {@code (dx, dy, 1)}. */
    double v(double dx, double dy, double t) {
        if (mode == GROUND) {
            return t + camera.position();
        }
        return (t * dx - ox) * vx + (t * dy - oy) * vy + (t - oz) * vz;
    }
}
