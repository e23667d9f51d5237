package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.*;

import java.util.SplittableRandom;

/** Draws street and railway furniture: lamps, signs, signals, overhead-line masts, traffic lights, crossing signs. */
final class Furniture {
    private Furniture() {}

    private static Material poleMaterial(Painter p, SplittableRandom r) {
        return Material.of(Style.scale(p.style.pole, Style.range(r, 0.85, 1.15)), 0.08f, 0.5, r.nextInt());
    }

    static void lamp(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 6.0, 9.0);
        double w = Style.range(r, 0.14, 0.22);
        double arm = Style.range(r, 1.2, 2.5);
        Material m = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, w, w, 0, h, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), pl.l() - pl.side() * arm / 2, 0, 0.1, arm, h - 0.12, h, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), pl.l() - pl.side() * arm, 0, 0.35, 0.6, h - 0.3, h - 0.05, m, m, m, m, m, POLE, 0);
    }

    static void sign(Painter p, Placement pl, SplittableRandom r) {
        double bottom = Style.range(r, 2.0, 2.6);
        int shape = r.nextInt(4);
        double w;
        double hgt;
        double[] x;
        double[] y;
        Material m;
        int seed = r.nextInt();
        switch (shape) {
            case 0 -> {
                w = Style.range(r, 0.6, 0.8);
                hgt = w;
                int n = 24;
                x = new double[n];
                y = new double[n];
                for (int i = 0; i < n; i++) {
                    double a = 2 * Math.PI * i / n;
                    x[i] = w / 2 * StrictMath.cos(a);
                    y[i] = hgt / 2 + hgt / 2 * StrictMath.sin(a);
                }
                boolean blue = r.nextDouble() < 0.3;
                m = Material.patterned(Material.Pattern.SIGN_RING, blue ? 0x1E50B4 : 0xF0F0F0, blue ? 0x1E50B4 : 0xC81E1E,
                        0.05f, 0.3, seed, w, hgt, 0, 0);
            }
            case 1 -> {
                w = Style.range(r, 0.75, 0.95);
                hgt = w * 0.866;
                x = new double[] {-w / 2, w / 2, 0};
                y = new double[] {0, 0, hgt};
                m = Material.patterned(Material.Pattern.SIGN_BORDER, 0xF0F0F0, 0xC81E1E, 0.05f, 0.3, seed, w, hgt,
                        0.1, 0);
            }
            case 2 -> {
                w = Style.range(r, 0.5, 1.0);
                hgt = Style.range(r, 0.5, 0.8);
                x = new double[] {-w / 2, w / 2, w / 2, -w / 2};
                y = new double[] {0, 0, hgt, hgt};
                int[] bases = {0x1E50B4, 0x1E7840, 0xF0C81E, 0xF0F0F0};
                m = Material.patterned(Material.Pattern.SIGN_BORDER, bases[r.nextInt(bases.length)], 0xF0F0F0, 0.05f,
                        0.3, seed, w, hgt, 0.04, 0);
            }
            default -> {
                w = Style.range(r, 0.6, 0.8);
                hgt = w;
                x = new double[] {0, w / 2, 0, -w / 2};
                y = new double[] {0, hgt / 2, hgt, hgt / 2};
                m = Material.of(0xF0C81E, 0.05f, 0.3, seed);
            }
        }
        Material pm = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, 0.07, 0.07, 0, bottom + hgt * 0.6, pm, pm, pm, pm, pm, POLE, 0);
        p.billboard(pl.s(), pl.l(), bottom, -0.06, -w / 2, 0, x, y, new int[] {x.length}, 1, m, p.style.lightFront,
                TRAFFIC_SIGN, 0);
    }

    static void signal(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 3.0, 4.5);
        Material pm = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, 0.15, 0.15, 0, h, pm, pm, pm, pm, pm, POLE, 0);
        housing(p, pl.s(), pl.l(), h - 0.3, 0.42, 1.1, r);
    }

    /** A traffic light housing facing the camera, with one lit lamp. */
    private static void housing(Painter p, double s, double l, double bottom, double w, double h, SplittableRandom r) {
        int lit = r.nextInt(3);
        int[] colours = {0xFF3A28, 0xFFB428, 0x3CF078};
        Material m = Material.patterned(Material.Pattern.LAMPS, Props.DARK, colours[lit], 0.05f, 0.2, r.nextInt(), w, h, lit, 0);
        p.billboard(s, l, bottom, -0.12, -w / 2, 0, new double[] {-w / 2, w / 2, w / 2, -w / 2},
                new double[] {0, 0, h, h}, new int[] {4}, 1, m, 1f, TRAFFIC_LIGHT, 0);
    }

    static void mast(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 7.0, 8.0);
        Material m = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, 0.3, 0.3, 0, h, m, m, m, m, m, POLE, 0);
        double reach = pl.param();
        double span = Math.abs(reach - pl.l()) + 0.6;
        double mid = (reach + pl.l()) / 2;
        p.box(pl.s(), mid, 0, 0.1, span, 6.05, 6.2, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), mid + (pl.l() - mid) * 0.3, 0, 0.08, span * 0.7, 5.35, 5.45, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), reach, 0, 0.08, 0.08, 5.3, 6.1, m, m, m, m, m, POLE, 0);
    }

    static void trafficLight(Painter p, Placement pl, SplittableRandom r) {
        Material pm = poleMaterial(p, r);
        int style = (int) pl.param();
        if (style == 1) {
            double h = 5.6;
            double reach = pl.length();
            double span = Math.abs(reach - pl.l());
            p.box(pl.s(), pl.l(), 0, 0.2, 0.2, 0, h + 0.2, pm, pm, pm, pm, pm, POLE, 0);
            p.box(pl.s(), (pl.l() + reach) / 2, 0, 0.12, span, h, h + 0.14, pm, pm, pm, pm, pm, POLE, 0);
            housing(p, pl.s(), reach, h - 1.0, 0.34, 1.0, r);
            return;
        }
        double h = Style.range(r, 2.4, 3.2);
        p.box(pl.s(), pl.l(), 0, 0.14, 0.14, 0, h + 0.95, pm, pm, pm, pm, pm, POLE, 0);
        if (style == 2) {
            Material back = Material.of(Props.DARK, 0.05f, 0.2, r.nextInt());
            p.box(pl.s(), pl.l(), 0, 0.3, 0.32, h, h + 0.95, back, back, back, back, back, TRAFFIC_LIGHT, 0);
        } else {
            housing(p, pl.s(), pl.l(), h, 0.32, 0.95, r);
        }
    }

    static void crossingSign(Painter p, Placement pl) {
        SplittableRandom r = new SplittableRandom(pl.seed());
        Material pm = poleMaterial(p, r);
        double h = 2.2;
        p.box(pl.s(), pl.l(), 0, 0.09, 0.09, 0, h + 0.4, pm, pm, pm, pm, pm, POLE, 0);
        Material board = Material.patterned(Material.Pattern.EDGE_LINE, 0xF0F0F0, 0xC81E1E, 0.05f, 0.3, r.nextInt(),
                -0.25, 0.25, 0, 0);
        double len = 1.1;
        double wid = 0.16;
        for (int k = -1; k <= 1; k += 2) {
            double a = k * 0.6;
            double ca = StrictMath.cos(a);
            double sa = StrictMath.sin(a);
            double[] x = new double[4];
            double[] y = new double[4];
            double[][] c = {{-len / 2, -wid / 2}, {len / 2, -wid / 2}, {len / 2, wid / 2}, {-len / 2, wid / 2}};
            for (int i = 0; i < 4; i++) {
                x[i] = c[i][0] * ca - c[i][1] * sa;
                y[i] = h + c[i][0] * sa + c[i][1] * ca;
            }
            p.billboard(pl.s(), pl.l(), 0, -0.06 - 0.01 * k, x, y, board, p.style.lightFront, TRAFFIC_SIGN, 0);
        }
    }
}
