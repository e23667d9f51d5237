package io.segstream.core.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The rasteriser covers exactly the pixels whose centres lie inside a polygon, nothing more or less. */
class CanvasTest {
    private static final int W = 64;
    private static final int H = 48;

    private static Canvas canvas() {
        Camera cam = new Camera(W, H, 60, H / 2.0, 1.5, 0, 0, 0);
        return new Canvas(cam, new int[256], true);
    }

    private static void fill(Canvas c, double[] x, double[] y, int[] ends, int label) {
        c.fillScreen(x, y, ends, ends.length, Surface.screen(1), Material.of(0, 0f, 1, 0), 1f, label, 0, false);
    }

    /** Even-odd point-in-polygon test, written independently of the rasteriser. */
    private static boolean inside(double[] x, double[] y, int[] ends, double px, double py) {
        boolean in = false;
        int start = 0;
        for (int end : ends) {
            for (int i = start, j = end - 1; i < end; j = i++) {
                if ((y[i] > py) != (y[j] > py) && px < (x[j] - x[i]) * (py - y[i]) / (y[j] - y[i]) + x[i]) {
                    in = !in;
                }
            }
            start = end;
        }
        return in;
    }

    @Test
    void randomPolygonsCoverExactlyThePixelCentresInside() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 3 + r.nextInt(10);
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextDouble() * (W + 40) - 20;
                y[i] = r.nextDouble() * (H + 40) - 20;
            }
            Canvas c = canvas();
            fill(c, x, y, new int[] {n}, 7);
            for (int py = 0; py < H; py++) {
                for (int px = 0; px < W; px++) {
                    boolean expected = inside(x, y, new int[] {n}, px + 0.5, py + 0.5);
                    assertEquals(expected, c.label[py * W + px] == 7, "trial " + trial + " pixel " + px + "," + py);
                }
            }
        }
    }

    @Test
    void polygonsSharingAnEdgeNeitherOverlapNorLeaveGaps() {
        double[] qx = {3.3, 57.9, 49.2, 8.1};
        double[] qy = {4.7, 9.2, 41.6, 38.3};
        Canvas a = canvas();
        fill(a, new double[] {qx[0], qx[1], qx[2]}, new double[] {qy[0], qy[1], qy[2]}, new int[] {3}, 1);
        Canvas b = canvas();
        fill(b, new double[] {qx[0], qx[2], qx[3]}, new double[] {qy[0], qy[2], qy[3]}, new int[] {3}, 2);
        Canvas whole = canvas();
        fill(whole, qx, qy, new int[] {4}, 3);
        int covered = 0;
        for (int i = 0; i < W * H; i++) {
            boolean inA = a.label[i] == 1;
            boolean inB = b.label[i] == 2;
            assertFalse(inA && inB, "pixel " + i + " drawn by both halves");
            assertEquals(whole.label[i] == 3, inA || inB, "pixel " + i);
            covered += inA || inB ? 1 : 0;
        }
        assertTrue(covered > 1000);
    }

    @Test
    void aRingHasAHole() {
        Canvas c = canvas();
        int n = 24;
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n;
            x[i] = 32 + 20 * Math.cos(t);
            y[i] = 24 + 20 * Math.sin(t);
            x[n + i] = 32 + 10 * Math.cos(t);
            y[n + i] = 24 + 10 * Math.sin(t);
        }
        fill(c, x, y, new int[] {n, 2 * n}, 9);
        assertEquals(0, c.label[24 * W + 32], "the centre lies in the hole");
        assertEquals(9, c.label[24 * W + 32 + 15], "the ring itself is filled");
        assertEquals(0, c.label[24 * W + 32 + 25], "outside stays empty");
    }

    @Test
    void polygonsReachingBehindTheCameraAreClippedAtTheNearPlane() {
        Canvas c = canvas();
        // a ground quad from 2 m behind to 10 m ahead, 1 m either side of the axis, 1.5 m below the camera
        double[] v = {-1, -1.5, -2, 1, -1.5, -2, 1, -1.5, 10, -1, -1.5, 10};
        Camera cam = new Camera(W, H, 60, H / 2.0, 1.5, 0, 0, 0);
        c.fill(v, 4, Surface.ground(cam), Material.of(0, 0f, 1, 0), 1f, 7, 0, false);
        // the far edge (10 m) projects to row 24 + 60 * 1.5 / 10 = 33; nothing above it, everything below filled
        for (int y = 0; y < H; y++) {
            boolean filled = c.label[y * W + W / 2] == 7;
            assertEquals(y + 0.5 > 33, filled, "row " + y);
        }
    }
}
