package io.segstream.core.scenes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An endless road or railway drawn from one seed: its layout and look, and every prop and moving object at
 * any position and time.
 *
 * <p>Props are generated per 40 m tile from a seed derived from (world seed, row, tile), and moving objects
 * per tile of their own moving frame, so what stands at a place does not depend on where the camera is or
 * which frame is rendered: a drive sees one consistent world.
 */
final class World {
    static final double TILE = 40;
    static final double PROP_RANGE = 420;
    static final double BUILDING_RANGE = 620;
    static final double MOVER_RANGE = 460;
    static final double BEHIND = 30;
    /** Ego-lane traffic keeps at least this far ahead of the camera. */
    static final double EGO_GAP = 12;

    /** A crossing street (or level crossing) from {@code s0} to {@code s0 + width}. */
    record Cross(double s0, double width, long seed) {
        boolean covers(double s, double margin) {
            return s >= s0 - margin && s <= s0 + width + margin;
        }
    }

    final long seed;
    final SceneLayout type;
    final Style style;
    final CrossSection layout;
    final double egoSpeed;

    /**
     * @param egoSpeed camera speed in m/s, NaN for the layout's usual speed (ego-lane traffic keeps pace with it)
     */
    World(long seed, SceneKind kind, double egoSpeed) {
        this.seed = seed;
        SplittableRandom pick = new SplittableRandom(Noise.mix(seed, 1));
        double p = pick.nextDouble();
        this.type = switch (kind) {
            case ROAD -> SceneLayout.ROAD;
            case RAIL -> SceneLayout.RAIL;
            case MIXED -> p < 0.4 ? SceneLayout.ROAD : p < 0.8 ? SceneLayout.RAIL : SceneLayout.ROAD_WITH_TRAM;
        };
        this.style = new Style(new SplittableRandom(Noise.mix(seed, 2)));
        this.layout = CrossSection.create(type, style, new SplittableRandom(Noise.mix(seed, 3)));
        double usual = type == SceneLayout.RAIL ? CrossSection.RAIL_SPEED : CrossSection.ROAD_SPEED;
        this.egoSpeed = Double.isNaN(egoSpeed) ? usual : egoSpeed;
    }

    /** The camera of this world for an image of the given size, at the start of the road. */
    Camera camera(int width, int height) {
        return new Camera(width, height, width * layout.focalFactor, height * layout.horizonFraction,
                layout.cameraHeight, layout.curvature, layout.cameraLateral, 0);
    }

    /** The crossing streets whose tiles overlap {@code from..to}. */
    List<Cross> crosses(double from, double to) {
        List<Cross> out = new ArrayList<>();
        if (layout.crossProbability <= 0) {
            return out;
        }
        for (long i = Math.floorDiv((long) Math.floor(from), (long) TILE); i * TILE <= to; i++) {
            SplittableRandom r = new SplittableRandom(Noise.mix(Noise.mix(seed, 7000), i));
            double chance = r.nextDouble();
            double width = Style.range(r, layout.crossWidthMin, layout.crossWidthMax);
            double start = i * TILE + 6 + r.nextDouble() * (TILE - 12 - width);
            long crossSeed = r.nextLong();
            boolean clearOfPlatform = layout.platformLength == 0 || start + width < layout.platformStart - 10
                    || start > layout.platformStart + layout.platformLength + 10;
            if (chance < layout.crossProbability && clearOfPlatform && i != 0) {
                out.add(new Cross(start, width, crossSeed));
            }
        }
        return out;
    }

    static boolean onCross(List<Cross> crosses, double s, double margin) {
        for (Cross c : crosses) {
            if (c.covers(s, margin)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Everything standing or moving within view of a camera at {@code camS} at time {@code t}. People and
     * vehicles within 12 m of a {@code keepClear} position are left out, and so is traffic in the camera's lane
     * before it: intruders stay in plain view.
     */
    List<Placement> placements(double camS, double t, List<Double> keepClear) {
        List<Placement> all = new ArrayList<>();
        List<Cross> crosses = crosses(camS - BEHIND - TILE, camS + BUILDING_RANGE);
        staticRows(all, crosses, camS);
        crossExtras(all, crosses, camS);
        platform(all, crosses, camS);
        int firstMover = all.size();
        streams(all, crosses, camS, t);
        if (keepClear.isEmpty()) {
            return all;
        }
        List<Placement> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Placement pl = all.get(i);
            boolean blocked = false;
            if (pl.kind().isThing()) {
                double half = pl.length() / 2 + 12;
                boolean egoLane = i >= firstMover && Math.abs(pl.l() - layout.cameraLateral) < 1.5;
                for (double s : keepClear) {
                    if (Math.abs(pl.s() - s) < half || (egoLane && pl.s() < s + 12)) {
                        blocked = true;
                        break;
                    }
                }
            }
            if (!blocked) {
                out.add(pl);
            }
        }
        return out;
    }

    private void staticRows(List<Placement> out, List<Cross> crosses, double camS) {
        for (int ri = 0; ri < layout.rows.size(); ri++) {
            CrossSection.Row row = layout.rows.get(ri);
            boolean segment = row.prop() == CrossSection.Prop.BUILDING || row.prop() == CrossSection.Prop.FENCE
                    || row.prop() == CrossSection.Prop.WALL || row.prop() == CrossSection.Prop.HEDGE;
            double from = camS - BEHIND - TILE;
            double to = camS + (row.prop() == CrossSection.Prop.BUILDING ? BUILDING_RANGE : PROP_RANGE);
            long rowSeed = Noise.mix(seed, 1000 + ri);
            if (row.regular()) {
                double spacing = row.spacingMin();
                double phase = Noise.unit(ri, 0, (int) rowSeed) * spacing;
                for (long k = (long) Math.ceil((from - phase) / spacing); phase + k * spacing <= to; k++) {
                    double s = phase + k * spacing;
                    if (!onCross(crosses, s, 3)) {
                        out.add(prop(row, s, row.l(), 0, Noise.mix(rowSeed, k), null));
                    }
                }
                continue;
            }
            for (long i = Math.floorDiv((long) Math.floor(from), (long) TILE); i * TILE <= to; i++) {
                SplittableRandom r = new SplittableRandom(Noise.mix(rowSeed, i));
                double start = i * TILE;
                double end = start + TILE;
                if (segment) {
                    double pos = start + r.nextDouble() * 2;
                    while (pos < end - 1) {
                        double len = Math.min(segmentLength(row.prop(), r), end - pos);
                        double gap = Style.range(r, row.spacingMin(), row.spacingMax());
                        boolean use = r.nextDouble() < row.probability();
                        long ps = r.nextLong();
                        if (use) {
                            addSegments(out, row, pos, pos + len, ps, crosses);
                        }
                        pos += len + gap;
                    }
                } else {
                    double pos = start + r.nextDouble() * row.spacingMin();
                    while (pos < end) {
                        boolean use = r.nextDouble() < row.probability();
                        long ps = r.nextLong();
                        double jitter = r.nextDouble() - 0.5;
                        if (use && !onCross(crosses, pos, 3)) {
                            out.add(prop(row, pos, row.l(), jitter, ps, r));
                        }
                        pos += Style.range(r, row.spacingMin(), row.spacingMax());
                    }
                }
            }
        }
    }

    private static double segmentLength(CrossSection.Prop prop, SplittableRandom r) {
        return switch (prop) {
            case BUILDING -> Style.range(r, 8.0, 36.0);
            case HEDGE -> Style.range(r, 4.0, 15.0);
            default -> Style.range(r, 10.0, 40.0);
        };
    }

    private void addSegments(List<Placement> out, CrossSection.Row row, double s0, double s1, long ps, List<Cross> crosses) {
        double a = s0;
        for (Cross c : crosses) {
            double c0 = c.s0() - 2;
            double c1 = c.s0() + c.width() + 2;
            if (c1 <= a || c0 >= s1) {
                continue;
            }
            if (c0 - a > 1.5) {
                out.add(segment(row, a, c0, ps));
            }
            a = Math.max(a, c1);
        }
        if (s1 - a > 1.5) {
            out.add(segment(row, a, s1, Noise.mix(ps, 1)));
        }
    }

    private Placement segment(CrossSection.Row row, double s0, double s1, long ps) {
        Placement.Kind kind = switch (row.prop()) {
            case BUILDING -> Placement.Kind.BUILDING;
            case FENCE -> Placement.Kind.FENCE;
            case WALL -> Placement.Kind.WALL;
            default -> Placement.Kind.HEDGE;
        };
        return Placement.of(kind, s0, row.l(), ps).length(s1 - s0).side(row.side()).param(row.param());
    }

    private Placement prop(CrossSection.Row row, double s, double l, double jitter, long ps, SplittableRandom r) {
        return switch (row.prop()) {
            case TREE -> Placement.of(Placement.Kind.TREE, s, l + jitter * 1.5, ps).param(clearance(l + jitter * 1.5));
            case BUSH -> Placement.of(Placement.Kind.BUSH, s, l + jitter * 2.0, ps).param(clearance(l + jitter * 2.0));
            case LAMP -> Placement.of(Placement.Kind.LAMP, s, l, ps).side(row.side());
            case SIGN -> Placement.of(Placement.Kind.SIGN, s, l, ps);
            case SIGNAL -> Placement.of(Placement.Kind.SIGNAL, s, l, ps);
            case MAST -> Placement.of(Placement.Kind.MAST, s, l, ps).side(row.side()).param(layout.trackCentre);
            case PARKED_CAR -> Placement.of(Placement.Kind.CAR, s, l + jitter * 0.2, ps).yaw(row.side() > 0 ? 0 : Math.PI);
            case PARKED_BIKE -> Placement.of(Placement.Kind.PARKED_BIKE, s, l, ps).side(jitter > 0 ? 1 : -1);
            case STANDING_PERSON -> Placement.of(Placement.Kind.PERSON, s, l + jitter, ps)
                    .yaw(jitter > 0 ? 0 : Math.PI).phase(0);
            default -> throw new IllegalStateException("segment prop " + row.prop() + " placed as a point");
        };
    }

    /**
     * Lateral distance from {@code l} to the nearest area the camera looks along (its track, or its road):
     * vegetation keeps low branches out of it, so nothing but people and vehicles hides those areas.
     */
    double clearance(double l) {
        double c = Double.POSITIVE_INFINITY;
        for (Area a : new Area[] {Area.TRACK, Area.CARRIAGEWAY}) {
            double[] r = layout.areaRange(a);
            if (r == null || (a == Area.CARRIAGEWAY && type == SceneLayout.RAIL)) {
                continue;
            }
            c = Math.min(c, l < r[0] ? r[0] - l : l > r[1] ? l - r[1] : 0);
        }
        return c;
    }

    private void crossExtras(List<Placement> out, List<Cross> crosses, double camS) {
        for (Cross c : crosses) {
            if (c.s0() > camS + PROP_RANGE || c.s0() + c.width() < camS - BEHIND) {
                continue;
            }
            SplittableRandom r = new SplittableRandom(c.seed());
            double near = c.s0() - 1.5;
            double far = c.s0() + c.width() + 1.5;
            if (layout.type == SceneLayout.RAIL) {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (double t : layout.tracks) {
                    lo = Math.min(lo, t - layout.trackHalf);
                    hi = Math.max(hi, t + layout.trackHalf);
                }
                out.add(Placement.of(Placement.Kind.CROSSING_SIGN, near, hi + 1.5, r.nextLong()));
                out.add(Placement.of(Placement.Kind.CROSSING_SIGN, far, lo - 1.5, r.nextLong()));
                int waiting = r.nextInt(4);
                for (int k = 0; k < waiting; k++) {
                    boolean right = r.nextBoolean();
                    double l = right ? hi + Style.range(r, 4.0, 12.0) + k * 6 : lo - Style.range(r, 4.0, 12.0) - k * 6;
                    double s = right ? c.s0() + c.width() * 0.28 : c.s0() + c.width() * 0.72;
                    Placement.Kind kind = r.nextDouble() < 0.85 ? Placement.Kind.CAR : Placement.Kind.TRUCK;
                    out.add(Placement.of(kind, s, l, r.nextLong()).yaw(right ? -Math.PI / 2 : Math.PI / 2).onCross(true));
                }
                if (r.nextDouble() < 0.5) {
                    out.add(Placement.of(Placement.Kind.PERSON, near - 0.5, hi + Style.range(r, 2.0, 4.0), r.nextLong())
                            .yaw(Math.PI).onCross(true));
                }
                continue;
            }
            out.add(Placement.of(Placement.Kind.TRAFFIC_LIGHT, near, layout.roadHi + 0.8, r.nextLong()));
            out.add(Placement.of(Placement.Kind.TRAFFIC_LIGHT, near, layout.roadLo - 0.8, r.nextLong()));
            out.add(Placement.of(Placement.Kind.TRAFFIC_LIGHT, far, layout.roadHi + 0.8, r.nextLong()).param(2));
            out.add(Placement.of(Placement.Kind.TRAFFIC_LIGHT, far, layout.roadLo - 0.8, r.nextLong()).param(2));
            if (r.nextDouble() < 0.5) {
                out.add(Placement.of(Placement.Kind.TRAFFIC_LIGHT, near + 0.5, layout.roadHi + 1.0, r.nextLong()).param(1)
                        .length(layout.cameraLateral));
            }
            int waiting = r.nextInt(4);
            for (int k = 0; k < waiting; k++) {
                double l = r.nextBoolean() ? layout.roadHi + Style.range(r, 0.8, 2.5)
                        : layout.roadLo - Style.range(r, 0.8, 2.5);
                out.add(Placement.of(Placement.Kind.PERSON, near - Style.range(r, 0.5, 3.0), l, r.nextLong())
                        .yaw(r.nextBoolean() ? 0 : Math.PI));
            }
        }
    }

    private void platform(List<Placement> out, List<Cross> crosses, double camS) {
        if (layout.platformLength == 0) {
            return;
        }
        double s0 = layout.platformStart;
        double s1 = s0 + layout.platformLength;
        if (s1 < camS - BEHIND || s0 > camS + PROP_RANGE) {
            return;
        }
        int side = layout.platformLo > 0 ? 1 : -1;
        out.add(Placement.of(Placement.Kind.PLATFORM, s0, layout.platformLo, Noise.mix(seed, 8000))
                .length(layout.platformLength).param(layout.platformHi).h0(layout.platformHeight).side(side));
        SplittableRandom r = new SplittableRandom(Noise.mix(seed, 8001));
        for (double s = s0 + Style.range(r, 2.0, 10.0); s < s1 - 2; s += Style.range(r, 3.0, 16.0)) {
            double l = Style.range(r, layout.platformLo + 1.0, layout.platformHi - 0.5);
            long ps = r.nextLong();
            double yaw = r.nextBoolean() ? 0 : Math.PI;
            out.add(Placement.of(Placement.Kind.PERSON, s, l, ps).h0(layout.platformHeight).yaw(yaw));
        }
    }

    private void streams(List<Placement> out, List<Cross> crosses, double camS, double t) {
        for (int j = 0; j < layout.streams.size(); j++) {
            CrossSection.Stream st = layout.streams.get(j);
            double shift = st.ego() ? camS : st.speed() * t;
            double qFrom = camS - BEHIND - 200 - shift;
            double qTo = camS + MOVER_RANGE - shift;
            double tile = st.tileLength();
            long streamSeed = Noise.mix(seed, 5000 + j);
            for (long i = Math.floorDiv((long) Math.floor(qFrom), (long) tile); i * tile <= qTo; i++) {
                SplittableRandom r = new SplittableRandom(Noise.mix(streamSeed, i));
                double start = i * tile;
                double end = start + tile;
                double pos = start + r.nextDouble() * st.spacingMin();
                while (pos < end) {
                    boolean use = r.nextDouble() < st.probability();
                    long ps = r.nextLong();
                    double pick = r.nextDouble();
                    double s = pos + shift;
                    boolean clear = !st.ego() || pos >= EGO_GAP;
                    if (use && clear) {
                        Placement m = mover(st, s, ps, pick);
                        double half = m.length() / 2;
                        if (s + half > camS - BEHIND && s - half < camS + MOVER_RANGE) {
                            out.add(m.onCross(onCross(crosses, s, 0)));
                        }
                    }
                    pos += Style.range(r, st.spacingMin(), st.spacingMax());
                }
            }
        }
    }

    private Placement mover(CrossSection.Stream st, double s, long ps, double pick) {
        double towards = st.speed() < 0 ? Math.PI : 0;
        SplittableRandom r = new SplittableRandom(Noise.mix(ps, 11));
        return switch (st.mover()) {
            case TRAFFIC -> {
                Placement.Kind kind = pick < 0.78 ? Placement.Kind.CAR : pick < 0.89 ? Placement.Kind.TRUCK
                        : Placement.Kind.BUS;
                yield Placement.of(kind, s, st.l(), ps).yaw(towards);
            }
            case RIDERS -> Placement.of(pick < 0.8 ? Placement.Kind.CYCLIST : Placement.Kind.MOTORCYCLIST, s, st.l(), ps)
                    .phase(s * 2.6);
            case PEDESTRIANS -> Placement.of(Placement.Kind.PERSON, s, st.l() + (pick - 0.5) * 1.2, ps).yaw(towards)
                    .phase(2 * Math.PI * s / 1.45);
            case TRAINS -> Placement.of(Placement.Kind.TRAIN, s, st.l(), ps).length(Style.range(r, 60.0, 180.0))
                    .yaw(st.speed() < 0 || pick < 0.5 ? Math.PI : 0);
            case TRAMS -> Placement.of(Placement.Kind.TRAM, s, st.l(), ps).length(Style.range(r, 25.0, 45.0))
                    .yaw(Math.PI);
        };
    }

    /**
     * An actor standing at {@code (s, l)}: {@code heading} is its lateral direction of motion (-1 left, +1 right,
     * 0 standing still), {@code phase} its gait.
     */
    Placement actor(Actor actor, double s, double l, int heading, double phase, int index, int instance,
            long actorSeed) {
        int dir = heading == 0 ? 1 : heading;
        Placement p = switch (actor) {
            case PERSON -> Placement.of(Placement.Kind.PERSON, s, l, actorSeed).side(heading).yaw(Math.PI).phase(phase);
            case CYCLIST -> Placement.of(Placement.Kind.CYCLIST, s, l, actorSeed).yaw(dir * Math.PI / 2).phase(phase);
            case CAR -> Placement.of(Placement.Kind.CAR, s, l, actorSeed).yaw(dir * Math.PI / 2);
            case TRUCK -> Placement.of(Placement.Kind.TRUCK, s, l, actorSeed).yaw(dir * Math.PI / 2);
        };
        return p.intruder(index, instance);
    }
}
