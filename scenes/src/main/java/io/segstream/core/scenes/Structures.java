package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.*;

import java.util.SplittableRandom;

/** Draws buildings, walls, fences, platforms and vegetation: the static construction and nature props. */
final class Structures {
    private Structures() {}

    /** The height {@link #building} draws for this placement (the second value drawn from its seed). */
    static double buildingHeight(Placement pl) {
        SplittableRandom r = new SplittableRandom(pl.seed());
        r.nextDouble();
        return pl.param() == 1 ? Style.range(r, 5.0, 10.0) : Style.range(r, 8.0, 32.0);
    }

    static void building(Painter p, Placement pl, SplittableRandom r) {
        double depth = Style.range(r, 10.0, 20.0);
        double height = pl.param() == 1 ? Style.range(r, 5.0, 10.0) : Style.range(r, 8.0, 32.0);
        int colour = Style.buildingColour(r);
        int glass = Style.hsv(Style.range(r, 190, 225), Style.range(r, 0.05, 0.35), Style.range(r, 35, 110));
        Material wall = Material.patterned(Material.Pattern.WINDOWS, colour, glass, 0.12f, 2.0, r.nextInt(),
                Style.range(r, 2.4, 4.0), Style.range(r, 2.8, 3.6), Style.range(r, 0.35, 0.7), Style.range(r, 0.4, 0.65));
        Material roof = Material.of(Style.scale(colour, 0.6), 0.15f, 3, r.nextInt());
        p.box(pl.s() + pl.length() / 2, pl.l() + pl.side() * depth / 2, 0, pl.length(), depth, 0, height, wall, wall,
                wall, wall, roof, BUILDING, 0);
    }

    private static Material leaves(Painter p, SplittableRandom r) {
        int c = p.style.vegetation;
        int tinted = Style.scale(Style.blend(c, Style.hsv(Style.range(r, 40, 140), 0.6, 120), Style.range(r, 0, 0.25)),
                Style.range(r, 0.8, 1.2));
        return Material.of(tinted, 0.5f, 1.2, r.nextInt());
    }

    static void tree(Painter p, Placement pl, SplittableRandom r) {
        double trunkH = Style.range(r, 1.8, 4.0);
        double trunkW = Style.range(r, 0.2, 0.45);
        double rx = Style.range(r, 1.4, 3.6);
        double ry = rx * Style.range(r, 0.8, 1.3);
        double cy = trunkH + ry * 0.75;
        if (1.45 * rx > pl.param() - 0.2) {
            // the crown reaches over the track or road: lift it above the camera so it hides none of the ground
            cy = Math.max(cy, p.camera.mountHeight() + 0.3 + 1.2 * ry);
        }
        Material bark = Material.of(Style.hsv(Style.range(r, 20, 35), Style.range(r, 0.2, 0.45), Style.range(r, 50, 100)),
                0.25f, 0.3, r.nextInt());
        p.billboard(pl.s(), pl.l(), 0, 0.05, new double[] {-trunkW / 2, trunkW / 2, trunkW * 0.4, -trunkW * 0.4},
                new double[] {0, 0, cy, cy}, bark, p.style.lightFront, VEGETATION, 0);
        Material crown = leaves(p, r);
        blob(p, pl.s(), pl.l(), 0, 0, cy, rx, ry, r, crown);
        int lumps = 1 + r.nextInt(3);
        for (int i = 0; i < lumps; i++) {
            blob(p, pl.s(), pl.l(), -0.01 * (i + 1), Style.range(r, -0.6, 0.6) * rx, cy + Style.range(r, -0.2, 0.5) * ry,
                    rx * Style.range(r, 0.45, 0.7), ry * Style.range(r, 0.45, 0.7), r, crown);
        }
    }

    static void bush(Painter p, Placement pl, SplittableRandom r) {
        double rx = Math.max(0.3, Math.min(Style.range(r, 0.6, 1.6), (pl.param() - 0.2) / 1.15));
        double ry = rx * Style.range(r, 0.5, 1.0);
        blob(p, pl.s(), pl.l(), 0, 0, ry * 0.8, rx, ry, r, leaves(p, r));
    }

    /** An irregular leafy outline; points below the ground are lifted onto it. */
    private static void blob(Painter p, double s, double l, double dz, double cx, double cy, double rx, double ry,
            SplittableRandom r, Material m) {
        int n = 28;
        double[] x = new double[n];
        double[] y = new double[n];
        double phase = r.nextDouble() * 10;
        int seed = r.nextInt();
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            double k = 0.75 + 0.4 * Noise.value(phase + i * 0.7, 0, seed);
            x[i] = cx + rx * k * StrictMath.cos(a);
            y[i] = Math.max(0, cy + ry * k * StrictMath.sin(a));
        }
        p.billboard(s, l, 0, dz, x, y, m, p.style.lightFront, VEGETATION, 0);
    }

    static void hedge(Painter p, Placement pl, SplittableRandom r) {
        double w = Style.range(r, 0.8, 1.4);
        double h = Style.range(r, 0.9, 2.0);
        Material m = leaves(p, r);
        p.box(pl.s() + pl.length() / 2, pl.l() + pl.side() * w / 2, 0, pl.length(), w, 0, h, m, m, m, m, m,
                VEGETATION, 0);
    }

    static void fence(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 1.2, 2.2);
        int wire = Style.scale(p.style.fenceWire, Style.range(r, 0.85, 1.15));
        int through = Style.scale(Style.blend(p.style.terrain, p.style.vegetation, 0.5), 0.85);
        Material post = Material.of(wire, 0.1f, 0.5, r.nextInt());
        Material mesh = Material.patterned(Material.Pattern.MESH, wire, through, 0.15f, 1.0, r.nextInt(),
                Style.range(r, 0.06, 0.14), 0, Style.range(r, 0.15, 0.3), 0);
        double s0 = pl.s();
        double s1 = pl.s() + pl.length();
        if (p.ahead(s1) < Camera.NEAR || p.ahead(s0) > 300) {
            return;
        }
        p.box((s0 + s1) / 2, pl.l(), 0, s1 - s0, 0.03, 0.05, h - 0.05, null, null, mesh, mesh, null, FENCE, 0);
        p.box((s0 + s1) / 2, pl.l(), 0, s1 - s0, 0.05, h - 0.06, h, null, null, post, post, post, FENCE, 0);
        for (double s = s0; s <= s1 + 1e-9; s += 2.5) {
            if (p.ahead(s) > 120) {
                break;
            }
            p.box(s, pl.l(), 0, 0.07, 0.07, 0, h + 0.05, post, post, post, post, post, FENCE, 0);
        }
    }

    static void wall(Painter p, Placement pl, SplittableRandom r) {
        double t = Style.range(r, 0.25, 0.4);
        double h = Style.range(r, 0.6, 2.5);
        int c = Style.scale(p.style.wall, Style.range(r, 0.85, 1.15));
        Material m = Material.of(c, 0.18f, 1.5, r.nextInt());
        Material cap = Material.of(Style.scale(c, 1.1), 0.1f, 1.0, r.nextInt());
        p.box(pl.s() + pl.length() / 2, pl.l() + pl.side() * t / 2, 0, pl.length(), t, 0, h, m, m, m, m, cap, WALL, 0);
    }

    static void platform(Painter p, Placement pl) {
        SplittableRandom r = new SplittableRandom(pl.seed());
        double lo = pl.l();
        double hi = pl.param();
        double w = hi - lo;
        Material side = Material.of(Style.scale(p.style.sidewalk, 0.8), 0.2f, 1.0, r.nextInt());
        double u0 = pl.side() > 0 ? 0.45 : w - 0.65;
        Material top = Material.patterned(Material.Pattern.EDGE_LINE, p.style.sidewalk, 0xE6C81E, 0.2f, 1.5, r.nextInt(),
                u0, u0 + 0.2, 0, 1);
        p.box(pl.s() + pl.length() / 2, (lo + hi) / 2, 0, pl.length(), w, 0, pl.h0(), side, side, side, side, top,
                SIDEWALK, 0);
    }
}
