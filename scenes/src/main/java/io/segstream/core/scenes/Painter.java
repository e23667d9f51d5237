package io.segstream.core.scenes;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws world geometry given in road coordinates (ground polygons, boxes, billboards) onto a {@link Canvas},
 * hands out instance ids and remembers where each instance was drawn.
 */
final class Painter {
    /** An instance drawn into the canvas, before its visible pixels are counted. */
    record Drawn(int labelId, int instanceId, PixelBox box, double s, double l, double distance, int intrusion,
            boolean onCross) {}

    final Canvas canvas;
    final Camera camera;
    final Style style;
    final CrossSection layout;
    final List<Drawn> drawn = new ArrayList<>();
    private final int[] nextInstance = new int[34];
    private final Surface ground;

    Painter(Canvas canvas, Camera camera, Style style, CrossSection layout) {
        this.canvas = canvas;
        this.camera = camera;
        this.style = style;
        this.layout = layout;
        this.ground = Surface.ground(camera);
    }

    /** A new instance id for label {@code labelId}: {@code labelId * 1000 + k}, k counting from 0 per label. */
    int newInstance(int labelId) {
        int k = nextInstance[labelId]++;
        if (k >= 1000) {
            throw new IllegalStateException("more than 1000 instances of label " + labelId + " in one scene");
        }
        return labelId * 1000 + k;
    }

    /** Keeps {@link #newInstance} from handing out an id already given to an intruder. */
    void reserve(int instanceId) {
        int label = instanceId / 1000;
        nextInstance[label] = Math.max(nextInstance[label], instanceId % 1000 + 1);
    }

    void begin() {
        canvas.beginBox();
    }

    /** Records the instance drawn since {@link #begin()}, if any of its geometry fell into the image. */
    void end(int labelId, int instanceId, double s, double l, int intrusion, boolean onCross) {
        PixelBox box = canvas.endBox();
        if (box != null) {
            drawn.add(new Drawn(labelId, instanceId, box, s, l, s - camera.position(), intrusion, onCross));
        }
    }

    /** Distance of road position {@code s} ahead of the camera. */
    double ahead(double s) {
        return s - camera.position();
    }

    private void put(double[] v, int i, double s, double l, double h) {
        v[3 * i] = camera.camX(s, l);
        v[3 * i + 1] = h - camera.mountHeight();
        v[3 * i + 2] = s - camera.position();
    }

    /** A polygon on the ground (road coordinates), painted over what is there (ground layers are drawn in order). */
    void groundPolygon(double[] s, double[] l, int n, Material m, int labelId) {
        double[] v = new double[3 * n];
        for (int i = 0; i < n; i++) {
            put(v, i, s[i], l[i], 0);
        }
        canvas.fill(v, n, ground, m, 1f, labelId, 0, false);
    }

    void groundQuad(double s0, double s1, double l0, double l1, Material m, int labelId) {
        groundPolygon(new double[] {s0, s1, s1, s0}, new double[] {l0, l0, l1, l1}, 4, m, labelId);
    }

    /**
     * A band {@code l0..l1} along the road from {@code zFrom} to {@code zTo} metres ahead, as one polygon whose
     * edges follow the road's curve ({@code samples} segments spaced geometrically).
     */
    void band(double l0, double l1, double zFrom, double zTo, int samples, Material m, int labelId) {
        int n = 2 * (samples + 1);
        double[] s = new double[n];
        double[] l = new double[n];
        double ratio = StrictMath.pow(zTo / zFrom, 1.0 / samples);
        double z = zFrom;
        for (int i = 0; i <= samples; i++) {
            double zi = i == samples ? zTo : z;
            s[i] = camera.position() + zi;
            l[i] = l0;
            s[n - 1 - i] = camera.position() + zi;
            l[n - 1 - i] = l1;
            z *= ratio;
        }
        groundPolygon(s, l, n, m, labelId);
    }

    /** Darkens the ground under a polygon (a cast shadow); labels stay as they are. */
    void shadow(double[] s, double[] l, int n, float factor) {
        double[] v = new double[3 * n];
        for (int i = 0; i < n; i++) {
            put(v, i, s[i], l[i], 0);
        }
        canvas.darken(v, n, factor);
    }

    /** An elliptic shadow centred at {@code (s, l)} with radii {@code rs} (along) and {@code rl} (across). */
    void shadowEllipse(double s, double l, double rs, double rl, float factor) {
        int n = 14;
        double[] ss = new double[n];
        double[] ll = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            ss[i] = s + rs * StrictMath.cos(a);
            ll[i] = l + rl * StrictMath.sin(a);
        }
        shadow(ss, ll, n, factor);
    }

    /**
     * A box standing on the road: centre {@code (sc, lc)}, heading {@code yaw} (0 = along the road away from the
     * camera, positive towards the right), {@code length} along the heading, {@code width} across, from height
     * {@code h0} to {@code h1}. A null material leaves that face out; faces turned away are skipped.
     */
    void box(double sc, double lc, double yaw, double length, double width, double h0, double h1, Material front,
            Material back, Material left, Material right, Material top, int labelId, int instanceId) {
        double ca = StrictMath.cos(yaw);
        double sa = StrictMath.sin(yaw);
        double[][] p = new double[8][];
        for (int i = 0; i < 8; i++) {
            double a = (i & 1) == 0 ? length / 2 : -length / 2;
            double b = (i & 2) == 0 ? -width / 2 : width / 2;
            double h = (i & 4) == 0 ? h0 : h1;
            double s = sc + a * ca - b * sa;
            double l = lc + a * sa + b * ca;
            p[i] = new double[] {camera.camX(s, l), h - camera.mountHeight(), s - camera.position()};
        }
        double[] centre = {camera.camX(sc, lc), (h0 + h1) / 2 - camera.mountHeight(), sc - camera.position()};
        // corner index: bit0 back, bit1 right, bit2 top
        face(p, 0, 2, 6, 4, centre, front, lightFor(ca, sa), labelId, instanceId);
        face(p, 3, 1, 5, 7, centre, back, lightFor(-ca, -sa), labelId, instanceId);
        face(p, 1, 0, 4, 5, centre, left, lightFor(sa, -ca), labelId, instanceId);
        face(p, 2, 3, 7, 6, centre, right, lightFor(-sa, ca), labelId, instanceId);
        face(p, 5, 4, 6, 7, centre, top, style.lightTop, labelId, instanceId);
    }

    private float lightFor(double ns, double nl) {
        if (ns < -0.6) {
            return style.lightFront;
        }
        if (Math.abs(nl) >= 0.4) {
            return style.sideLight(Math.signum(nl));
        }
        return style.lightShade * 0.9f;
    }

    private void face(double[][] p, int a, int b, int c, int d, double[] centre, Material m, float light,
            int labelId, int instanceId) {
        if (m == null) {
            return;
        }
        double[] pa = p[a];
        double[] pb = p[b];
        double[] pc = p[c];
        double[] pd = p[d];
        double[] e1 = {pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]};
        double[] e2 = {pd[0] - pa[0], pd[1] - pa[1], pd[2] - pa[2]};
        double[] n = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
        double[] fc = {(pa[0] + pc[0]) / 2, (pa[1] + pc[1]) / 2, (pa[2] + pc[2]) / 2};
        double out = n[0] * (fc[0] - centre[0]) + n[1] * (fc[1] - centre[1]) + n[2] * (fc[2] - centre[2]);
        double toward = n[0] * fc[0] + n[1] * fc[1] + n[2] * fc[2];
        if (out * toward >= 0) {
            return;
        }
        Surface s = Surface.plane(pa, pb, pd);
        if (s == null) {
            return;
        }
        double[] v = {pa[0], pa[1], pa[2], pb[0], pb[1], pb[2], pc[0], pc[1], pc[2], pd[0], pd[1], pd[2]};
        canvas.fill(v, 4, s, m, light, labelId, instanceId, true);
    }

    /**
     * Polygons in a vertical plane facing the camera, anchored on the ground at {@code (s, l)} lifted by
     * {@code h0}; {@code x} runs right and {@code y} up in metres from the anchor. {@code dz} moves the plane
     * towards (negative) or away from the camera, to layer parts of one prop.
     */
    void billboard(double s, double l, double h0, double dz, double[] x, double[] y, int[] ends, int contours,
            Material m, float light, int labelId, int instanceId) {
        billboard(s, l, h0, dz, 0, 0, x, y, ends, contours, m, light, labelId, instanceId);
    }

    /** As above, with texture coordinates measured from {@code (u0, v0)} metres off the anchor. */
    void billboard(double s, double l, double h0, double dz, double u0, double v0, double[] x, double[] y,
            int[] ends, int contours, Material m, float light, int labelId, int instanceId) {
        double z = s - camera.position() + dz;
        double x0 = camera.camX(s, l);
        double y0 = h0 - camera.mountHeight();
        double[] cx = new double[x.length];
        double[] cy = new double[y.length];
        for (int i = 0; i < x.length; i++) {
            cx[i] = x0 + x[i];
            cy[i] = y0 + y[i];
        }
        canvas.fillBillboard(z, cx, cy, ends, contours, Surface.billboard(x0 + u0, y0 + v0, z), m, light, labelId,
                instanceId);
    }

    /** Darkens the ground under the convex hull of the given road points (a cast shadow). */
    void shadowHull(double[] s, double[] l, float factor) {
        int n = s.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> s[a] != s[b] ? Double.compare(s[a], s[b]) : Double.compare(l[a], l[b]));
        int[] hull = new int[2 * n];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            int start = k;
            for (int j = 0; j < n; j++) {
                int i = idx[pass == 0 ? j : n - 1 - j];
                while (k >= start + 2 && cross(s, l, hull[k - 2], hull[k - 1], i) <= 0) {
                    k--;
                }
                hull[k++] = i;
            }
            k--;
        }
        double[] hs = new double[k];
        double[] hl = new double[k];
        for (int i = 0; i < k; i++) {
            hs[i] = s[hull[i]];
            hl[i] = l[hull[i]];
        }
        if (k >= 3) {
            shadow(hs, hl, k, factor);
        }
    }

    private static double cross(double[] s, double[] l, int o, int a, int b) {
        return (s[a] - s[o]) * (l[b] - l[o]) - (l[a] - l[o]) * (s[b] - s[o]);
    }

    /** One simple polygon as a billboard. */
    void billboard(double s, double l, double h0, double dz, double[] x, double[] y, Material m, float light,
            int labelId, int instanceId) {
        billboard(s, l, h0, dz, x, y, new int[] {x.length}, 1, m, light, labelId, instanceId);
    }
}
