package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.*;

import java.util.SplittableRandom;

/**
 * Draws each kind of {@link Placement}: picks the label and instance, draws ground shadows, and hands the
 * shape to {@link Structures} (buildings, vegetation), {@link Furniture} (street and railway furniture),
 * {@link Vehicles} or {@link People}.
 *
 * <p>Shapes are built from boxes and camera-facing polygons in metres; every part of a prop is drawn with the
 * prop's label (and instance id), so the labels follow the drawn shape exactly.
 */
final class Props {
    static final int TYRE = 0x1B1B1D;
    static final int DARK = 0x2A2A2C;

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
                    double h = Structures.buildingHeight(pl);
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
            case BUILDING -> Structures.building(p, pl, r);
            case TREE -> Structures.tree(p, pl, r);
            case BUSH -> Structures.bush(p, pl, r);
            case HEDGE -> Structures.hedge(p, pl, r);
            case FENCE -> Structures.fence(p, pl, r);
            case WALL -> Structures.wall(p, pl, r);
            case LAMP -> Furniture.lamp(p, pl, r);
            case SIGN -> Furniture.sign(p, pl, r);
            case SIGNAL -> Furniture.signal(p, pl, r);
            case MAST -> Furniture.mast(p, pl, r);
            case TRAFFIC_LIGHT -> Furniture.trafficLight(p, pl, r);
            case CROSSING_SIGN -> Furniture.crossingSign(p, pl);
            case PLATFORM -> Structures.platform(p, pl);
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
                People.cyclist(p, pl, r, inst, vehicleInst, motor);
                return;
            }
            case PARKED_BIKE -> {
                p.begin();
                People.bicycleSide(p, pl.s(), pl.l(), pl.side() == 0 ? 1 : pl.side(), 0, r, inst, 0);
                p.end(BICYCLE, inst, pl.s(), pl.l(), pl.intrusion(), pl.onCross());
                return;
            }
            default -> { }
        }
        p.begin();
        switch (pl.kind()) {
            case CAR -> Vehicles.car(p, pl, r, inst);
            case TRUCK -> Vehicles.truck(p, pl, r, inst);
            case BUS -> Vehicles.bus(p, pl, r, inst);
            case TRAIN, TRAM -> Vehicles.train(p, pl, r, inst, pl.kind() == Placement.Kind.TRAM);
            case PERSON -> People.person(p, pl.s(), pl.l(), pl.h0(), pl.side(), pl.yaw(), pl.phase(), r, inst);
            default -> throw new IllegalStateException("unhandled thing " + pl.kind());
        }
        p.end(label, inst, pl.s(), pl.l(), pl.intrusion(), pl.onCross());
    }
}
