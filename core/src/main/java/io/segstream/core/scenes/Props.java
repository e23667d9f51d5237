package io.segstream.core.scenes;

import java.util.SplittableRandom;

/**
 * Draws each kind of {@link Placement}: buildings, vegetation, street furniture, vehicles, people.
 *
 * <p>Shapes are built from boxes and camera-facing polygons in metres; every part of a prop is drawn with the
 * prop's label (and instance id), so the labels follow the drawn shape exactly.
 */
final class Props {
    static final int EGO_VEHICLE = 1;
    static final int SIDEWALK = 8;
    static final int BUILDING = 11;
    static final int WALL = 12;
    static final int FENCE = 13;
    static final int POLE = 17;
    static final int TRAFFIC_LIGHT = 19;
    static final int TRAFFIC_SIGN = 20;
    static final int VEGETATION = 21;
    static final int SKY = 23;
    static final int PERSON = 24;
    static final int RIDER = 25;
    static final int CAR = 26;
    static final int TRUCK = 27;
    static final int BUS = 28;
    static final int TRAIN = 31;
    static final int MOTORCYCLE = 32;
    static final int BICYCLE = 33;

    private static final int TYRE = 0x1B1B1D;
    private static final int DARK = 0x2A2A2C;

    private Props() {}

    /** Label id of the main instance of a thing kind. */
    static int labelOf(Placement.Kind kind) {
        return switch (kind) {
            case CAR -> CAR;
            case TRUCK -> TRUCK;
            case BUS -> BUS;
            case TRAIN, TRAM -> TRAIN;
            case PERSON -> PERSON;
            case CYCLIST, MOTORCYCLIST -> RIDER;
            case PARKED_BIKE -> BICYCLE;
            default -> throw new IllegalArgumentException(kind + " is not drawn as instances");
        };
    }

    /** Label id of an actor's main instance. */
    static int labelOf(Actor actor) {
        return switch (actor) {
            case PERSON -> PERSON;
            case CYCLIST -> RIDER;
            case CAR -> CAR;
            case TRUCK -> TRUCK;
        };
    }

    /** Ground shadows of a placement (RGB only); drawn after the ground and before any prop. */
    static void shadow(Painter p, Placement pl) {
        Style st = p.style;
        if (p.ahead(pl.s()) > 400 || p.ahead(pl.s() + pl.length()) < -5) {
            return;
        }
        float sun = st.shadowFactor;
        double dl = -st.sunSide * st.shadowLength;
        double ds = st.shadowSkew;
        switch (pl.kind()) {
            case BUILDING -> {
                if (st.sunny && pl.side() == st.sunSide) {
                    double h = buildingHeight(pl);
                    double len = Math.min(h * st.shadowLength, 40);
                    double s0 = pl.s();
                    double s1 = pl.s() + pl.length();
                    p.shadow(new double[] {s0, s1, s1 + ds * len, s0 + ds * len},
                            new double[] {pl.l(), pl.l(), pl.l() - pl.side() * len, pl.l() - pl.side() * len}, 4, sun);
                }
            }
            case TREE -> {
                if (st.sunny) {
                    double h = 5;
                    p.shadowEllipse(pl.s() + ds * h, pl.l() + dl * h, 2.2, 2.2, Math.min(0.9f, sun + 0.12f));
                }
            }
            case LAMP, SIGN, SIGNAL, MAST, TRAFFIC_LIGHT -> {
                if (st.sunny) {
                    double h = pl.kind() == Placement.Kind.MAST || pl.kind() == Placement.Kind.LAMP ? 7 : 3;
                    double s0 = pl.s() + ds * h;
                    p.shadowHull(new double[] {pl.s() - 0.08, pl.s() + 0.08, s0 - 0.08, s0 + 0.08},
                            new double[] {pl.l(), pl.l(), pl.l() + dl * h, pl.l() + dl * h}, sun);
                }
            }
            case CAR, TRUCK, BUS, TRAIN, TRAM -> {
                double len = pl.kind() == Placement.Kind.CAR ? 4.6 : pl.kind() == Placement.Kind.TRUCK ? 9
                        : pl.kind() == Placement.Kind.BUS ? 12 : pl.length();
                double wid = pl.kind() == Placement.Kind.CAR ? 2.0 : 2.8;
                double h = pl.kind() == Placement.Kind.CAR ? 1.5 : 3.5;
                vehicleShadow(p, pl, len + 0.3, wid + 0.2, st.sunny ? h : 0, st.sunny ? sun : 0.62f);
            }
            case PERSON, CYCLIST, MOTORCYCLIST -> {
                if (pl.h0() == 0) {
                    double h = st.sunny ? 1.7 : 0;
                    p.shadowHull(new double[] {pl.s() - 0.3, pl.s() + 0.3, pl.s() - 0.3 + ds * h, pl.s() + 0.3 + ds * h},
                            new double[] {pl.l() - 0.25, pl.l() + 0.25, pl.l() + dl * h - 0.15, pl.l() + dl * h + 0.15},
                            st.sunny ? sun : 0.7f);
                }
            }
            default -> { }
        }
    }

    private static void vehicleShadow(Painter p, Placement pl, double len, double wid, double h, float factor) {
        double ca = StrictMath.cos(pl.yaw());
        double sa = StrictMath.sin(pl.yaw());
        double dl = -p.style.sunSide * p.style.shadowLength * h;
        double ds = p.style.shadowSkew * h;
        double[] s = new double[8];
        double[] l = new double[8];
        for (int i = 0; i < 4; i++) {
            double a = (i & 1) == 0 ? len / 2 : -len / 2;
            double b = (i & 2) == 0 ? -wid / 2 : wid / 2;
            s[i] = pl.s() + a * ca - b * sa;
            l[i] = pl.l() + a * sa + b * ca;
            s[i + 4] = s[i] + ds;
            l[i + 4] = l[i] + dl;
        }
        p.shadowHull(s, l, factor);
    }

    /** Draws a placement; things get an instance id (their reserved one, or a new one) and are recorded. */
    static void draw(Painter p, Placement pl) {
        SplittableRandom r = new SplittableRandom(pl.seed());
        switch (pl.kind()) {
            case BUILDING -> building(p, pl, r);
            case TREE -> tree(p, pl, r);
            case BUSH -> bush(p, pl, r);
            case HEDGE -> hedge(p, pl, r);
            case FENCE -> fence(p, pl, r);
            case WALL -> wall(p, pl, r);
            case LAMP -> lamp(p, pl, r);
            case SIGN -> sign(p, pl, r);
            case SIGNAL -> signal(p, pl, r);
            case MAST -> mast(p, pl, r);
            case TRAFFIC_LIGHT -> trafficLight(p, pl, r);
            case CROSSING_SIGN -> crossingSign(p, pl);
            case PLATFORM -> platform(p, pl);
            default -> thing(p, pl, r);
        }
    }

    private static void thing(Painter p, Placement pl, SplittableRandom r) {
        int label = labelOf(pl.kind());
        int inst = pl.instanceId() != 0 ? pl.instanceId() : p.newInstance(label);
        switch (pl.kind()) {
            case CYCLIST, MOTORCYCLIST -> {
                boolean motor = pl.kind() == Placement.Kind.MOTORCYCLIST;
                int vehicleLabel = motor ? MOTORCYCLE : BICYCLE;
                int vehicleInst = p.newInstance(vehicleLabel);
                cyclist(p, pl, r, inst, vehicleInst, motor);
                return;
            }
            case PARKED_BIKE -> {
                p.begin();
                bicycleSide(p, pl.s(), pl.l(), pl.side() == 0 ? 1 : pl.side(), 0, r, inst, 0);
                p.end(BICYCLE, inst, pl.s(), pl.l(), pl.intrusion(), pl.onCross());
                return;
            }
            default -> { }
        }
        p.begin();
        switch (pl.kind()) {
            case CAR -> car(p, pl, r, inst);
            case TRUCK -> truck(p, pl, r, inst);
            case BUS -> bus(p, pl, r, inst);
            case TRAIN, TRAM -> train(p, pl, r, inst, pl.kind() == Placement.Kind.TRAM);
            case PERSON -> person(p, pl.s(), pl.l(), pl.h0(), pl.side(), pl.yaw(), pl.phase(), r, inst);
            default -> throw new IllegalStateException("unhandled thing " + pl.kind());
        }
        p.end(label, inst, pl.s(), pl.l(), pl.intrusion(), pl.onCross());
    }

    // ---- construction and nature ----

    /** The height {@link #building} draws for this placement (the second value drawn from its seed). */
    static double buildingHeight(Placement pl) {
        SplittableRandom r = new SplittableRandom(pl.seed());
        r.nextDouble();
        return pl.param() == 1 ? Style.range(r, 5.0, 10.0) : Style.range(r, 8.0, 32.0);
    }

    private static void building(Painter p, Placement pl, SplittableRandom r) {
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

    private static void tree(Painter p, Placement pl, SplittableRandom r) {
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

    private static void bush(Painter p, Placement pl, SplittableRandom r) {
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

    private static void hedge(Painter p, Placement pl, SplittableRandom r) {
        double w = Style.range(r, 0.8, 1.4);
        double h = Style.range(r, 0.9, 2.0);
        Material m = leaves(p, r);
        p.box(pl.s() + pl.length() / 2, pl.l() + pl.side() * w / 2, 0, pl.length(), w, 0, h, m, m, m, m, m,
                VEGETATION, 0);
    }

    private static void fence(Painter p, Placement pl, SplittableRandom r) {
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

    private static void wall(Painter p, Placement pl, SplittableRandom r) {
        double t = Style.range(r, 0.25, 0.4);
        double h = Style.range(r, 0.6, 2.5);
        int c = Style.scale(p.style.wall, Style.range(r, 0.85, 1.15));
        Material m = Material.of(c, 0.18f, 1.5, r.nextInt());
        Material cap = Material.of(Style.scale(c, 1.1), 0.1f, 1.0, r.nextInt());
        p.box(pl.s() + pl.length() / 2, pl.l() + pl.side() * t / 2, 0, pl.length(), t, 0, h, m, m, m, m, cap, WALL, 0);
    }

    private static void platform(Painter p, Placement pl) {
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

    // ---- street and railway furniture ----

    private static Material poleMaterial(Painter p, SplittableRandom r) {
        return Material.of(Style.scale(p.style.pole, Style.range(r, 0.85, 1.15)), 0.08f, 0.5, r.nextInt());
    }

    private static void lamp(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 6.0, 9.0);
        double w = Style.range(r, 0.14, 0.22);
        double arm = Style.range(r, 1.2, 2.5);
        Material m = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, w, w, 0, h, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), pl.l() - pl.side() * arm / 2, 0, 0.1, arm, h - 0.12, h, m, m, m, m, m, POLE, 0);
        p.box(pl.s(), pl.l() - pl.side() * arm, 0, 0.35, 0.6, h - 0.3, h - 0.05, m, m, m, m, m, POLE, 0);
    }

    private static void sign(Painter p, Placement pl, SplittableRandom r) {
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

    private static void signal(Painter p, Placement pl, SplittableRandom r) {
        double h = Style.range(r, 3.0, 4.5);
        Material pm = poleMaterial(p, r);
        p.box(pl.s(), pl.l(), 0, 0.15, 0.15, 0, h, pm, pm, pm, pm, pm, POLE, 0);
        housing(p, pl.s(), pl.l(), h - 0.3, 0.42, 1.1, r);
    }

    /** A traffic light housing facing the camera, with one lit lamp. */
    private static void housing(Painter p, double s, double l, double bottom, double w, double h, SplittableRandom r) {
        int lit = r.nextInt(3);
        int[] colours = {0xFF3A28, 0xFFB428, 0x3CF078};
        Material m = Material.patterned(Material.Pattern.LAMPS, DARK, colours[lit], 0.05f, 0.2, r.nextInt(), w, h, lit, 0);
        p.billboard(s, l, bottom, -0.12, -w / 2, 0, new double[] {-w / 2, w / 2, w / 2, -w / 2},
                new double[] {0, 0, h, h}, new int[] {4}, 1, m, 1f, TRAFFIC_LIGHT, 0);
    }

    private static void mast(Painter p, Placement pl, SplittableRandom r) {
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

    private static void trafficLight(Painter p, Placement pl, SplittableRandom r) {
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
            Material back = Material.of(DARK, 0.05f, 0.2, r.nextInt());
            p.box(pl.s(), pl.l(), 0, 0.3, 0.32, h, h + 0.95, back, back, back, back, back, TRAFFIC_LIGHT, 0);
        } else {
            housing(p, pl.s(), pl.l(), h, 0.32, 0.95, r);
        }
    }

    private static void crossingSign(Painter p, Placement pl) {
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

    // ---- vehicles ----

    private static double[] at(Placement pl, double a, double b) {
        double ca = StrictMath.cos(pl.yaw());
        double sa = StrictMath.sin(pl.yaw());
        return new double[] {pl.s() + a * ca - b * sa, pl.l() + a * sa + b * ca};
    }

    private static void wheels(Painter p, Placement pl, double[] axles, double halfTrack, double dia, double width,
            int label, int inst) {
        Material tyre = Material.of(TYRE, 0.1f, 0.2, 7);
        for (double a : axles) {
            for (int side = -1; side <= 1; side += 2) {
                double[] c = at(pl, a, side * halfTrack);
                p.box(c[0], c[1], pl.yaw(), dia, width, 0, dia, tyre, tyre, tyre, tyre, tyre, label, inst);
            }
        }
    }

    private static void car(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = Style.range(r, 3.9, 4.9);
        double wid = Style.range(r, 1.7, 1.95);
        double bottom = 0.28;
        double top = Style.range(r, 0.9, 1.1);
        double roof = top + Style.range(r, 0.42, 0.6);
        double cabin = len * Style.range(r, 0.48, 0.6);
        int colour = Style.vehicleColour(r);
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 90));
        int seed = r.nextInt();
        Material paint = Material.of(colour, 0.04f, 1.0, seed);
        Material rear = Material.patterned(Material.Pattern.VEHICLE_END, colour, 0xC81E1E, 0.04f, 1, seed, wid,
                top - bottom, 0, 0);
        Material front = Material.patterned(Material.Pattern.VEHICLE_END, colour, 0xF0F0DC, 0.04f, 1, seed, wid,
                top - bottom, 0, 0);
        Material glassEnd = Material.patterned(Material.Pattern.FRAMED_GLASS, colour, glass, 0.03f, 1, seed,
                wid * 0.86, roof - top, 0.07, 0);
        Material glassSide = Material.patterned(Material.Pattern.FRAMED_GLASS, colour, glass, 0.03f, 1, seed,
                cabin, roof - top, 0.07, 0);
        wheels(p, pl, new double[] {len / 2 - 0.8, -len / 2 + 0.8}, wid / 2 - 0.12, 0.62, 0.22, CAR, inst);
        p.box(pl.s(), pl.l(), pl.yaw(), len, wid, bottom, top, front, rear, paint, paint, paint, CAR, inst);
        double[] c = at(pl, -0.06 * len, 0);
        p.box(c[0], c[1], pl.yaw(), cabin, wid * 0.86, top, roof, glassEnd, glassEnd, glassSide, glassSide, paint, CAR,
                inst);
    }

    private static void truck(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = Style.range(r, 7.0, 10.0);
        double wid = Style.range(r, 2.45, 2.55);
        double cargoTop = Style.range(r, 3.5, 4.0);
        int cabColour = Style.vehicleColour(r);
        int cargoColour = r.nextBoolean() ? Style.hsv(0, 0, Style.range(r, 200, 240)) : Style.vehicleColour(r);
        int seed = r.nextInt();
        Material cab = Material.of(cabColour, 0.04f, 1.0, seed);
        Material cabFront = Material.patterned(Material.Pattern.TRAIN_FRONT, cabColour, 0xF0F0DC, 0.04f, 1, seed, wid,
                2.5, 0, 0);
        Material cargo = Material.of(cargoColour, 0.06f, 2.0, seed + 1);
        Material chassis = Material.of(DARK, 0.05f, 0.5, seed + 2);
        wheels(p, pl, new double[] {len / 2 - 1.2, -len / 2 + 1.5, -len / 2 + 2.6}, wid / 2 - 0.2, 0.95, 0.35, TRUCK,
                inst);
        double[] chassisCentre = at(pl, 0, 0);
        p.box(chassisCentre[0], chassisCentre[1], pl.yaw(), len - 0.6, wid * 0.8, 0.45, 0.95, chassis, chassis, chassis,
                chassis, chassis, TRUCK, inst);
        double[] cabCentre = at(pl, len / 2 - 1.15, 0);
        p.box(cabCentre[0], cabCentre[1], pl.yaw(), 2.3, wid, 0.5, 3.0, cabFront, cab, cab, cab, cab, TRUCK, inst);
        double cargoLen = len - 2.5;
        double[] cargoCentre = at(pl, -len / 2 + cargoLen / 2, 0);
        p.box(cargoCentre[0], cargoCentre[1], pl.yaw(), cargoLen, wid + 0.05, 0.95, cargoTop, cargo, cargo, cargo, cargo,
                cargo, TRUCK, inst);
    }

    private static void bus(Painter p, Placement pl, SplittableRandom r, int inst) {
        double len = r.nextDouble() < 0.2 ? 18 : Style.range(r, 11.0, 13.0);
        double wid = 2.55;
        double top = Style.range(r, 3.0, 3.3);
        int colour = r.nextBoolean() ? Style.vehicleColour(r)
                : Style.hsv(new double[] {0, 45, 210, 120}[r.nextInt(4)], Style.range(r, 0.5, 0.8),
                        Style.range(r, 150, 230));
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 80));
        int seed = r.nextInt();
        double h = top - 0.3;
        Material side = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.04f, 1, seed, 1.5, 0.15,
                0.95, h - 0.35);
        Material front = Material.patterned(Material.Pattern.TRAIN_FRONT, colour, 0xF0F0DC, 0.04f, 1, seed, wid, h, 0, 0);
        Material back = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.04f, 1, seed, wid, 0.2,
                h * 0.55, h - 0.3);
        Material roof = Material.of(Style.scale(colour, 0.9), 0.04f, 1, seed);
        wheels(p, pl, new double[] {len / 2 - 2.5, -len / 2 + 3.0}, wid / 2 - 0.2, 0.95, 0.3, BUS, inst);
        p.box(pl.s(), pl.l(), pl.yaw(), len, wid, 0.3, top, front, back, side, side, roof, BUS, inst);
    }

    private static void train(Painter p, Placement pl, SplittableRandom r, int inst, boolean tram) {
        double carLen = tram ? Style.range(r, 10.0, 15.0) : Style.range(r, 20.0, 26.0);
        double wid = tram ? Style.range(r, 2.4, 2.65) : Style.range(r, 2.9, 3.1);
        double bottom = tram ? 0.35 : 0.9;
        double top = tram ? 3.4 : Style.range(r, 3.9, 4.2);
        double gap = 1.0;
        int cars = Math.max(1, (int) Math.round((pl.length() + gap) / (carLen + gap)));
        double total = cars * carLen + (cars - 1) * gap;
        int colour = Style.vehicleColour(r);
        int glass = Style.hsv(Style.range(r, 195, 225), Style.range(r, 0.1, 0.3), Style.range(r, 30, 80));
        int seed = r.nextInt();
        double h = top - bottom;
        Material side = Material.patterned(Material.Pattern.WINDOW_BAND, colour, glass, 0.05f, 1.5, seed,
                Style.range(r, 2.0, 2.6), Style.range(r, 0.4, 0.9), h * 0.35, h * 0.65);
        Material end = Material.patterned(Material.Pattern.TRAIN_FRONT, colour, 0xF0F0DC, 0.05f, 1, seed, wid, h, 0, 0);
        Material plain = Material.of(colour, 0.05f, 1.5, seed);
        Material dark = Material.of(DARK, 0.08f, 0.5, seed + 1);
        for (int k = 0; k < cars; k++) {
            double a = total / 2 - carLen / 2 - k * (carLen + gap);
            double[] c = at(pl, a, 0);
            Material frontFace = k == 0 ? end : plain;
            Material backFace = k == cars - 1 ? end : plain;
            p.box(c[0], c[1], pl.yaw(), carLen, wid, bottom, top, frontFace, backFace, side, side, plain, TRAIN, inst);
            if (!tram) {
                for (int b = -1; b <= 1; b += 2) {
                    double[] bc = at(pl, a + b * (carLen / 2 - 3.0), 0);
                    p.box(bc[0], bc[1], pl.yaw(), 3.0, wid * 0.8, 0.15, bottom, dark, dark, dark, dark, null, TRAIN, inst);
                }
            } else {
                double[] bc = at(pl, a, 0);
                p.box(bc[0], bc[1], pl.yaw(), carLen * 0.8, wid * 0.85, 0.1, bottom, dark, dark, dark, dark, null, TRAIN,
                        inst);
            }
            if (k + 1 < cars) {
                double[] gc = at(pl, a - carLen / 2 - gap / 2, 0);
                p.box(gc[0], gc[1], pl.yaw(), gap + 0.1, wid * 0.75, bottom + 0.1, top - 0.3, dark, dark, dark, dark, dark,
                        TRAIN, inst);
            }
        }
    }

    // ---- people ----

    private static double[][] tube(double x0, double y0, double x1, double y1, double w0, double w1) {
        double dx = x1 - x0;
        double dy = y1 - y0;
        double len = Math.sqrt(dx * dx + dy * dy);
        if (len < 1e-9) {
            len = 1e-9;
        }
        double nx = -dy / len;
        double ny = dx / len;
        return new double[][] {
            {x0 + nx * w0 / 2, x1 + nx * w1 / 2, x1 - nx * w1 / 2, x0 - nx * w0 / 2},
            {y0 + ny * w0 / 2, y1 + ny * w1 / 2, y1 - ny * w1 / 2, y0 - ny * w0 / 2}
        };
    }

    private static double[][] ellipse(double cx, double cy, double rx, double ry, int n) {
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 2 * Math.PI * i / n;
            x[i] = cx + rx * StrictMath.cos(a);
            y[i] = cy + ry * StrictMath.sin(a);
        }
        return new double[][] {x, y};
    }

    private static void part(Painter p, double s, double l, double h0, double dz, double[][] xy, Material m, int label,
            int inst) {
        p.billboard(s, l, h0, dz, xy[0], xy[1], m, p.style.lightFront, label, inst);
    }

    /**
     * A standing or walking person. {@code view}: 0 seen from the front or back (yaw says which: 0 walking away),
     * +1 / -1 seen from the side walking right / left.
     */
    static void person(Painter p, double s, double l, double h0, int view, double yaw, double phase,
            SplittableRandom r, int inst) {
        double h = Style.range(r, 1.55, 1.95);
        Material top = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material bottom = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material skin = Material.of(Style.skin(r), 0.06f, 0.1, r.nextInt());
        Material hair = Material.of(Style.hsv(Style.range(r, 15, 40), Style.range(r, 0.1, 0.6), Style.range(r, 20, 160)),
                0.1f, 0.05, r.nextInt());
        boolean away = StrictMath.cos(yaw) > 0;
        if (view == 0) {
            double lift = 0.03 * h * Math.abs(StrictMath.sin(phase));
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                double raise = sgn * StrictMath.sin(phase) > 0 ? lift : 0;
                part(p, s, l, h0, 0, new double[][] {
                    {sgn * 0.01 * h, sgn * 0.098 * h, sgn * 0.085 * h, sgn * 0.025 * h},
                    {0.52 * h, 0.52 * h, raise, raise}}, bottom, PERSON, inst);
            }
            part(p, s, l, h0, 0, new double[][] {{-0.105 * h, 0.105 * h, 0.095 * h, -0.095 * h},
                {0.54 * h, 0.54 * h, 0.44 * h, 0.44 * h}}, bottom, PERSON, inst);
            part(p, s, l, h0, 0, new double[][] {{-0.125 * h, 0.125 * h, 0.105 * h, -0.105 * h},
                {0.82 * h, 0.82 * h, 0.52 * h, 0.52 * h}}, top, PERSON, inst);
            double swing = 0.02 * h * StrictMath.sin(phase);
            for (int sgn = -1; sgn <= 1; sgn += 2) {
                part(p, s, l, h0, 0, tube(sgn * 0.115 * h, 0.805 * h, sgn * 0.135 * h + sgn * swing, 0.47 * h,
                        0.05 * h, 0.04 * h), top, PERSON, inst);
                part(p, s, l, h0, 0, ellipse(sgn * 0.135 * h + sgn * swing, 0.455 * h, 0.022 * h, 0.028 * h, 8), skin,
                        PERSON, inst);
            }
            part(p, s, l, h0, 0, new double[][] {{-0.025 * h, 0.025 * h, 0.025 * h, -0.025 * h},
                {0.80 * h, 0.80 * h, 0.88 * h, 0.88 * h}}, skin, PERSON, inst);
            if (away) {
                part(p, s, l, h0, 0, ellipse(0, 0.932 * h, 0.057 * h, 0.066 * h, 14), hair, PERSON, inst);
            } else {
                part(p, s, l, h0, 0, ellipse(0, 0.945 * h, 0.058 * h, 0.058 * h, 14), hair, PERSON, inst);
                part(p, s, l, h0, 0, ellipse(0, 0.925 * h, 0.05 * h, 0.057 * h, 14), skin, PERSON, inst);
            }
            return;
        }
        double d = view;
        double a = 0.42 * StrictMath.sin(phase);
        for (int k = 0; k < 2; k++) {
            double ang = k == 0 ? a : -a;
            // the stance leg reaches the ground at any swing: the foot stays on it
            double fx = d * 0.52 * h * StrictMath.tan(ang);
            double fy = 0;
            part(p, s, l, h0, 0, tube(0, 0.52 * h, fx, fy + 0.02 * h, 0.075 * h, 0.05 * h), bottom, PERSON, inst);
            part(p, s, l, h0, 0, new double[][] {{fx - d * 0.025 * h, fx + d * 0.065 * h, fx + d * 0.065 * h,
                fx - d * 0.025 * h}, {fy, fy, fy + 0.035 * h, fy + 0.035 * h}}, bottom, PERSON, inst);
        }
        part(p, s, l, h0, 0, new double[][] {{-0.06 * h + 0.01 * d * h, 0.06 * h + 0.01 * d * h, 0.055 * h, -0.055 * h},
            {0.82 * h, 0.82 * h, 0.50 * h, 0.50 * h}}, top, PERSON, inst);
        double armAng = -0.8 * a;
        double hx = d * 0.32 * h * StrictMath.sin(armAng);
        double hy = 0.80 * h - 0.32 * h * StrictMath.cos(armAng);
        part(p, s, l, h0, 0, tube(0, 0.80 * h, hx, hy, 0.05 * h, 0.04 * h), top, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(hx, hy, 0.022 * h, 0.026 * h, 8), skin, PERSON, inst);
        part(p, s, l, h0, 0, new double[][] {{-0.022 * h, 0.022 * h, 0.024 * h, -0.02 * h},
            {0.80 * h, 0.80 * h, 0.88 * h, 0.88 * h}}, skin, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(0.012 * d * h, 0.93 * h, 0.05 * h, 0.064 * h, 14), skin, PERSON, inst);
        part(p, s, l, h0, 0, ellipse(-0.006 * d * h, 0.95 * h, 0.047 * h, 0.05 * h, 12), hair, PERSON, inst);
    }

    /** A bicycle seen from the side, facing {@code d} (+1 right, -1 left); {@code crank} is the pedal angle. */
    private static void bicycleSide(Painter p, double s, double l, double d, double crank, SplittableRandom r,
            int inst, double dz) {
        double wheel = 0.34;
        double base = 0.52;
        Material frame = Material.of(Style.vehicleColour(r), 0.05f, 0.2, r.nextInt());
        Material tyre = Material.of(TYRE, 0.05f, 0.1, 3);
        for (int k = -1; k <= 1; k += 2) {
            double[][] outer = ellipse(k * base, wheel, wheel, wheel, 20);
            double[][] inner = ellipse(k * base, wheel, wheel - 0.045, wheel - 0.045, 20);
            double[] x = new double[40];
            double[] y = new double[40];
            System.arraycopy(outer[0], 0, x, 0, 20);
            System.arraycopy(outer[1], 0, y, 0, 20);
            System.arraycopy(inner[0], 0, x, 20, 20);
            System.arraycopy(inner[1], 0, y, 20, 20);
            p.billboard(s, l, 0, dz, x, y, new int[] {20, 40}, 2, tyre, p.style.lightFront, BICYCLE, inst);
        }
        double[] rear = {-base * d, wheel};
        double[] bb = {-0.05 * d, 0.3};
        double[] seat = {-0.2 * d, 0.88};
        double[] head = {0.38 * d, 0.92};
        double[] fork = {base * d, wheel};
        double[][] tubes = {{rear[0], rear[1], bb[0], bb[1]}, {bb[0], bb[1], seat[0], seat[1]},
            {seat[0], seat[1], head[0], head[1]}, {head[0], head[1], fork[0], fork[1]},
            {rear[0], rear[1], seat[0], seat[1]},
            {bb[0], bb[1], head[0], head[1]}, {head[0], head[1], 0.35 * d, 1.03}, {0.3 * d, 1.03, 0.45 * d, 1.03},
            {seat[0] - 0.1 * d, 0.92, seat[0] + 0.08 * d, 0.92},
            {bb[0], bb[1], bb[0] + 0.17 * StrictMath.cos(crank), bb[1] + 0.17 * StrictMath.sin(crank)}};
        for (double[] t : tubes) {
            part(p, s, l, 0, dz, tube(t[0], t[1], t[2], t[3], 0.04, 0.04), frame, BICYCLE, inst);
        }
    }

    private static void cyclist(Painter p, Placement pl, SplittableRandom r, int riderInst, int vehicleInst,
            boolean motor) {
        double s = pl.s();
        double l = pl.l();
        double sinYaw = StrictMath.sin(pl.yaw());
        int vehicleLabel = motor ? MOTORCYCLE : BICYCLE;
        Material clothes = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material trousers = Material.of(Style.clothes(r), 0.12f, 0.25, r.nextInt());
        Material helmet = Material.of(r.nextBoolean() ? Style.vehicleColour(r) : Style.skin(r), 0.08f, 0.1, r.nextInt());
        double phase = pl.phase();
        p.begin();
        if (Math.abs(sinYaw) > 0.7) {
            double d = Math.signum(sinYaw);
            if (motor) {
                Material tyre = Material.of(TYRE, 0.05f, 0.1, 3);
                Material body = Material.of(Style.vehicleColour(r), 0.05f, 0.3, r.nextInt());
                for (int k = -1; k <= 1; k += 2) {
                    part(p, s, l, 0, 0, ellipse(k * 0.72, 0.32, 0.32, 0.32, 18), tyre, vehicleLabel, vehicleInst);
                }
                part(p, s, l, 0, -0.01, new double[][] {{-0.75 * d, -0.2 * d, 0.35 * d, 0.62 * d, 0.55 * d, -0.1 * d},
                    {0.6, 0.95, 0.95, 0.8, 0.45, 0.32}}, body, vehicleLabel, vehicleInst);
            } else {
                bicycleSide(p, s, l, d, phase, r, vehicleInst, 0);
            }
            p.end(vehicleLabel, vehicleInst, s, l, pl.intrusion(), pl.onCross());
            p.begin();
            double[] hip = motor ? new double[] {-0.15 * d, 1.0} : new double[] {-0.2 * d, 0.98};
            double[] shoulder = {0.08 * d, 1.45};
            double[] hand = motor ? new double[] {0.45 * d, 1.05} : new double[] {0.36 * d, 1.03};
            for (int k = 0; k < 2; k++) {
                double[] foot;
                double[] knee;
                if (motor) {
                    foot = new double[] {-0.05 * d, 0.42};
                    knee = new double[] {0.2 * d, 0.78};
                } else {
                    double c = phase + k * Math.PI;
                    foot = new double[] {-0.05 * d + 0.17 * StrictMath.cos(c), 0.3 + 0.17 * StrictMath.sin(c)};
                    knee = new double[] {(hip[0] + foot[0]) / 2 + 0.18 * d, (hip[1] + foot[1]) / 2 + 0.05};
                }
                part(p, s, l, 0, -0.02, tube(hip[0], hip[1], knee[0], knee[1], 0.13, 0.11), trousers, RIDER, riderInst);
                part(p, s, l, 0, -0.02, tube(knee[0], knee[1], foot[0], foot[1], 0.11, 0.09), trousers, RIDER, riderInst);
            }
            part(p, s, l, 0, -0.02, tube(hip[0], hip[1], shoulder[0], shoulder[1], 0.3, 0.26), clothes, RIDER, riderInst);
            part(p, s, l, 0, -0.02, tube(shoulder[0], shoulder[1], hand[0], hand[1], 0.09, 0.07), clothes, RIDER,
                    riderInst);
            part(p, s, l, 0, -0.02, ellipse(0.16 * d, 1.62, 0.11, 0.12, 14), helmet, RIDER, riderInst);
            p.end(RIDER, riderInst, s, l, pl.intrusion(), pl.onCross());
            return;
        }
        Material tyre = Material.of(TYRE, 0.05f, 0.1, 3);
        Material frame = Material.of(Style.vehicleColour(r), 0.05f, 0.2, r.nextInt());
        if (motor) {
            part(p, s, l, 0, 0, new double[][] {{-0.07, 0.07, 0.07, -0.07}, {0, 0, 0.64, 0.64}}, tyre, vehicleLabel,
                    vehicleInst);
            part(p, s, l, 0, 0, new double[][] {{-0.26, 0.26, 0.22, -0.22}, {0.35, 0.35, 0.95, 0.95}}, frame, vehicleLabel,
                    vehicleInst);
        } else {
            part(p, s, l, 0, 0, new double[][] {{-0.025, 0.025, 0.025, -0.025}, {0, 0, 0.68, 0.68}}, tyre, vehicleLabel,
                    vehicleInst);
            part(p, s, l, 0, 0, new double[][] {{-0.03, 0.03, 0.03, -0.03}, {0.3, 0.3, 0.98, 0.98}}, frame, vehicleLabel,
                    vehicleInst);
        }
        part(p, s, l, 0, 0, new double[][] {{-0.32, 0.32, 0.32, -0.32}, {0.98, 0.98, 1.03, 1.03}}, frame, vehicleLabel,
                vehicleInst);
        p.end(vehicleLabel, vehicleInst, s, l, pl.intrusion(), pl.onCross());
        p.begin();
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double footY = motor ? 0.45 : 0.35 + 0.12 * StrictMath.sin(phase + (sgn > 0 ? 0 : Math.PI));
            part(p, s, l, 0, -0.02, tube(sgn * 0.11, 0.97, sgn * 0.15, footY, 0.13, 0.1), trousers, RIDER, riderInst);
            part(p, s, l, 0, -0.02, tube(sgn * 0.19, 1.45, sgn * 0.3, 1.02, 0.09, 0.07), clothes, RIDER, riderInst);
        }
        part(p, s, l, 0, -0.02, new double[][] {{-0.17, 0.17, 0.21, -0.21}, {0.93, 0.93, 1.48, 1.48}}, clothes, RIDER,
                riderInst);
        part(p, s, l, 0, -0.02, ellipse(0, 1.61, 0.11, 0.125, 14), helmet, RIDER, riderInst);
        p.end(RIDER, riderInst, s, l, pl.intrusion(), pl.onCross());
    }
}
