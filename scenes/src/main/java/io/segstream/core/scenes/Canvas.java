package io.segstream.core.scenes;

import java.util.Arrays;

/**
 * The render target: RGB, label ids, instance ids and depth per pixel, and the one polygon rasteriser that
 * writes all four.
 *
 * <p>A pixel belongs to a polygon when its centre lies inside it (even-odd rule, half-open edges), so polygons
 * sharing an edge neither overlap nor leave gaps. Every primitive writes its label and instance id with the
 * very same coverage as its surface: that is what makes the labels pixel-exact. Shading is deferred: drawing
 * records material, texture coordinates and light per pixel, and {@link #resolve()} shades each pixel once,
 * so hidden surfaces cost nothing. A canvas is used by one thread.
 */
final class Canvas {
    /** Depth stored for sky pixels: farther than anything drawn. */
    static final float FAR = 1e7f;

    final int width;
    final int height;
    final int[] rgb;
    final byte[] label;
    final int[] instance;
    final float[] depth;
    private final Material[] material;
    private final float[] texU;
    private final float[] texV;
    private final float[] lit;
    private final float[] shade;

    private final double focal;
    private final double centreColumn;
    private final double horizonRow;
    private final int[] palette;
    private final boolean flat;

    private double[] clip = new double[3 * 32];
    private double[] sx = new double[32];
    private double[] sy = new double[32];
    private double[] xs = new double[32];
    private final int[] oneContour = new int[1];

    // state of the polygon being drawn, read by span()
    private Surface surface;
    private Material current;
    private float light;
    private int labelId;
    private int instanceValue;
    private boolean depthTest;
    private float shadowFactor;
    private boolean shadow;

    private int boxX0;
    private int boxY0;
    private int boxX1;
    private int boxY1;

    /**
     * @param palette colours by label id, used instead of materials when {@code flat} is set
     * @param flat    paint every primitive in its label colour and skip shadows (for checking label alignment)
     */
    Canvas(Camera camera, int[] palette, boolean flat) {
        this.width = camera.width();
        this.height = camera.height();
        this.focal = camera.focal();
        this.centreColumn = camera.centreColumn();
        this.horizonRow = camera.horizonRow();
        this.palette = palette;
        this.flat = flat;
        int n = width * height;
        this.rgb = new int[n];
        this.label = new byte[n];
        this.instance = new int[n];
        this.depth = new float[n];
        this.material = new Material[n];
        this.texU = new float[n];
        this.texV = new float[n];
        this.lit = new float[n];
        this.shade = new float[n];
        Arrays.fill(depth, Float.POSITIVE_INFINITY);
    }

    /** Starts collecting the pixel bounding box of the polygons drawn next. */
    void beginBox() {
        boxX0 = width;
        boxY0 = height;
        boxX1 = 0;
        boxY1 = 0;
    }

    /** The bounding box of what was drawn since {@link #beginBox()} (geometry, before occlusion); null if none. */
    PixelBox endBox() {
        return boxX0 < boxX1 && boxY0 < boxY1 ? new PixelBox(boxX0, boxY0, boxX1, boxY1) : null;
    }

    /**
     * Fills a convex or concave polygon given as camera-space vertices {@code (x, y, z)} triples, clipped at
     * {@link Camera#NEAR}.
     *
     * @param instanceId the instance id to write, or 0 for "same as the label id"
     * @param test       whether to depth-test (objects) or paint over (ground layers, drawn back to front)
     */
    void fill(double[] v, int n, Surface s, Material m, float lightFactor, int labelId, int instanceId,
            boolean test) {
        int k = clipNear(v, n);
        if (k < 3) {
            return;
        }
        ensure(k);
        for (int i = 0; i < k; i++) {
            double z = clip[3 * i + 2];
            sx[i] = centreColumn + focal * clip[3 * i] / z;
            sy[i] = horizonRow - focal * clip[3 * i + 1] / z;
        }
        oneContour[0] = k;
        draw(sx, sy, oneContour, 1, s, m, lightFactor, labelId, instanceId, test);
    }

    /**
     * Fills polygons lying in the plane {@code z} (facing the camera), given in camera-space metres; several
     * contours combine by the even-odd rule (a ring is an outer and an inner circle).
     */
    void fillBillboard(double z, double[] x, double[] y, int[] ends, int contours, Surface s, Material m,
            float lightFactor, int labelId, int instanceId) {
        if (z < Camera.NEAR) {
            return;
        }
        int n = ends[contours - 1];
        ensure(n);
        double[] px = new double[n];
        double[] py = new double[n];
        for (int i = 0; i < n; i++) {
            px[i] = centreColumn + focal * x[i] / z;
            py[i] = horizonRow - focal * y[i] / z;
        }
        draw(px, py, ends, contours, s, m, lightFactor, labelId, instanceId, true);
    }

    /** Fills a polygon given directly in pixel coordinates. */
    void fillScreen(double[] px, double[] py, int[] ends, int contours, Surface s, Material m, float lightFactor,
            int labelId, int instanceId, boolean test) {
        ensure(ends[contours - 1]);
        draw(px, py, ends, contours, s, m, lightFactor, labelId, instanceId, test);
    }

    /** Darkens the RGB under a camera-space polygon by {@code factor}; labels are untouched (a cast shadow). */
    void darken(double[] v, int n, float factor) {
        if (flat) {
            return;
        }
        int k = clipNear(v, n);
        if (k < 3) {
            return;
        }
        ensure(k);
        for (int i = 0; i < k; i++) {
            double z = clip[3 * i + 2];
            sx[i] = centreColumn + focal * clip[3 * i] / z;
            sy[i] = horizonRow - focal * clip[3 * i + 1] / z;
        }
        oneContour[0] = k;
        shadow = true;
        shadowFactor = factor;
        scan(sx, sy, oneContour, 1);
        shadow = false;
    }

    private void draw(double[] px, double[] py, int[] ends, int contours, Surface s, Material m, float lightFactor,
            int labelValue, int instanceId, boolean test) {
        surface = s;
        current = m;
        light = lightFactor;
        labelId = labelValue;
        instanceValue = instanceId != 0 ? instanceId : labelValue;
        depthTest = test;
        int n = ends[contours - 1];
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, px[i]);
            maxX = Math.max(maxX, px[i]);
            minY = Math.min(minY, py[i]);
            maxY = Math.max(maxY, py[i]);
        }
        if (maxX > 0 && maxY > 0 && minX < width && minY < height) {
            boxX0 = Math.min(boxX0, (int) Math.max(0, Math.floor(minX)));
            boxY0 = Math.min(boxY0, (int) Math.max(0, Math.floor(minY)));
            boxX1 = Math.max(boxX1, (int) Math.min(width, Math.ceil(maxX)));
            boxY1 = Math.max(boxY1, (int) Math.min(height, Math.ceil(maxY)));
        }
        scan(px, py, ends, contours);
    }

    /** Scanline conversion: the pixels whose centres lie inside the contours, by the even-odd rule. */
    private void scan(double[] px, double[] py, int[] ends, int contours) {
        int n = ends[contours - 1];
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minY = Math.min(minY, py[i]);
            maxY = Math.max(maxY, py[i]);
        }
        if (!(maxY > 0) || !(minY < height)) {
            return;
        }
        int y0 = (int) Math.max(0, Math.ceil(minY - 0.5));
        int y1 = (int) Math.min(height - 1, Math.ceil(maxY - 0.5) - 1);
        if (xs.length < n) {
            xs = new double[n];
        }
        for (int y = y0; y <= y1; y++) {
            double yc = y + 0.5;
            int k = 0;
            int start = 0;
            for (int c = 0; c < contours; c++) {
                int end = ends[c];
                for (int i = start; i < end; i++) {
                    int j = i + 1 == end ? start : i + 1;
                    double ya = py[i];
                    double yb = py[j];
                    if (ya == yb) {
                        continue;
                    }
                    // always interpolate from the upper end so shared edges give bit-identical crossings
                    double xl;
                    double yl;
                    double xh;
                    double yh;
                    if (ya < yb) {
                        xl = px[i];
                        yl = ya;
                        xh = px[j];
                        yh = yb;
                    } else {
                        xl = px[j];
                        yl = yb;
                        xh = px[i];
                        yh = ya;
                    }
                    if (yc >= yl && yc < yh) {
                        xs[k++] = xl + (yc - yl) * (xh - xl) / (yh - yl);
                    }
                }
                start = end;
            }
            if (k < 2) {
                continue;
            }
            sortSmall(xs, k);
            for (int p = 0; p + 1 < k; p += 2) {
                double xa = xs[p];
                double xb = xs[p + 1];
                if (xb <= 0 || xa >= width) {
                    continue;
                }
                int a = (int) Math.max(0, Math.ceil(xa - 0.5));
                int b = (int) Math.min(width - 1, Math.ceil(xb - 0.5) - 1);
                if (a <= b) {
                    span(y, a, b);
                }
            }
        }
    }

    private void span(int y, int a, int b) {
        int row = y * width;
        if (shadow) {
            for (int x = a; x <= b; x++) {
                shade[row + x] *= shadowFactor;
            }
            return;
        }
        double dy = (horizonRow - (y + 0.5)) / focal;
        Surface s = surface;
        boolean screen = s.isScreen();
        for (int x = a; x <= b; x++) {
            double dx = (x + 0.5 - centreColumn) / focal;
            double t = s.depth(dx, dy);
            if (!(t > 0)) {
                continue;
            }
            int i = row + x;
            if (depthTest && t > depth[i]) {
                continue;
            }
            if (screen) {
                texU[i] = x + 0.5f;
                texV[i] = y + 0.5f;
            } else {
                texU[i] = (float) s.u(dx, dy, t);
                texV[i] = (float) s.v(dx, dy, t);
            }
            material[i] = current;
            lit[i] = light;
            shade[i] = 1f;
            label[i] = (byte) labelId;
            instance[i] = instanceValue;
            depth[i] = (float) Math.min(t, FAR);
        }
    }

    /** Shades every pixel once from what was recorded while drawing (or paints label colours when flat). */
    void resolve() {
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < width; x++) {
                int i = row + x;
                Material m = material[i];
                if (m == null) {
                    rgb[i] = 0;
                } else if (flat) {
                    rgb[i] = palette[label[i] & 0xFF];
                } else {
                    rgb[i] = m.shade(texU[i], texV[i], depth[i], depth[i] / focal, x, y, lit[i] * shade[i]);
                }
            }
        }
    }

    /** Sutherland-Hodgman clipping of a camera-space polygon against the plane z = NEAR, into {@code clip}. */
    private int clipNear(double[] v, int n) {
        if (clip.length < 3 * (2 * n)) {
            clip = new double[3 * 2 * n];
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            double zi = v[3 * i + 2];
            double zj = v[3 * j + 2];
            boolean inI = zi >= Camera.NEAR;
            boolean inJ = zj >= Camera.NEAR;
            if (inI) {
                clip[3 * k] = v[3 * i];
                clip[3 * k + 1] = v[3 * i + 1];
                clip[3 * k + 2] = zi;
                k++;
            }
            if (inI != inJ) {
                double t = (Camera.NEAR - zi) / (zj - zi);
                clip[3 * k] = v[3 * i] + t * (v[3 * j] - v[3 * i]);
                clip[3 * k + 1] = v[3 * i + 1] + t * (v[3 * j + 1] - v[3 * i + 1]);
                clip[3 * k + 2] = Camera.NEAR;
                k++;
            }
        }
        return k;
    }

    private void ensure(int n) {
        if (sx.length < n) {
            sx = new double[n];
            sy = new double[n];
        }
        if (xs.length < n) {
            xs = new double[n];
        }
    }

    private static void sortSmall(double[] a, int n) {
        for (int i = 1; i < n; i++) {
            double x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j] > x) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }
}
