package io.segstream.core.scenes;

import static io.segstream.core.labels.CityscapesIds.RAIL_TRACK;
import static io.segstream.core.labels.CityscapesIds.ROAD;
import static io.segstream.core.labels.CityscapesIds.SIDEWALK;
import static io.segstream.core.labels.CityscapesIds.TERRAIN;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The cross-section of a scene: which ground bands run along the road or track, where lanes, tracks and
 * sidewalks are, and which rows of props (buildings, trees, masts…) and streams of moving objects line them.
 *
 * <p>Lateral positions {@code l} are metres right of the centre line; the layout is the same along the whole
 * road, so a drive can move through it forever.
 */
final class CrossSection {
    /** Usual speed of the camera in m/s: a car in town, a train on an open line. */
    static final double ROAD_SPEED = 11;
    static final double RAIL_SPEED = 18;

    /** A ground band {@code l0..l1}, painted in {@code layer} order (higher paints over lower). */
    record Band(double l0, double l1, int labelId, int layer, int colour, float noise, double grain, Area area) {}

    /** A painted line on the road at {@code l}. */
    record Marking(double l, boolean dashed, double width) {}

    /** The kinds of static props. */
    enum Prop {
        BUILDING, TREE, BUSH, HEDGE, FENCE, WALL, LAMP, SIGN, SIGNAL, MAST, PARKED_CAR, PARKED_BIKE, STANDING_PERSON
    }

    /**
     * A row of props along the road at lateral {@code l}, on {@code side} (-1 left, +1 right: the side props
     * extend to and face away from). {@code regular} rows repeat exactly every {@code spacingMin} metres.
     */
    record Row(Prop prop, double l, int side, double spacingMin, double spacingMax, double probability,
            boolean regular, double param) {}

    /** What moves along a stream. */
    enum Mover {
        TRAFFIC, RIDERS, PEDESTRIANS, TRAINS, TRAMS
    }

    /**
     * Objects moving along the road at lateral {@code l}, at {@code speed} m/s (negative: towards the camera);
     * {@code ego} streams move with the camera and keep clear of its first metres.
     */
    record Stream(Mover mover, double l, double speed, boolean ego, double spacingMin, double spacingMax,
            double tileLength, double probability) {}

    final SceneLayout type;
    final double cameraLateral;
    final double cameraHeight;
    final double horizonFraction;
    final double focalFactor;
    final double curvature;
    final boolean hood;
    final double hoodFraction;
    final boolean skyline;
    final List<Band> bands = new ArrayList<>();
    final List<Marking> markings = new ArrayList<>();
    final List<Row> rows = new ArrayList<>();
    final List<Stream> streams = new ArrayList<>();
    final List<Double> tracks = new ArrayList<>();
    /** Half width of a track bed (ballast). */
    final double trackHalf;
    /** Ego track or tram track centre; NaN when there is none. */
    final double trackCentre;
    /** Carriageway the CARRIAGEWAY area means; NaN when there is none. */
    final double roadLo;
    final double roadHi;
    /** Probability of a crossing street (or level crossing) per 40 m tile, and its width range. */
    final double crossProbability;
    final double crossWidthMin;
    final double crossWidthMax;
    /** A platform along the ego track: lateral extent, start, length, height (length 0: none). */
    final double platformLo;
    final double platformHi;
    final double platformStart;
    final double platformLength;
    final double platformHeight;

    private CrossSection(Builder b) {
        this.type = b.type;
        this.cameraLateral = b.cameraLateral;
        this.cameraHeight = b.cameraHeight;
        this.horizonFraction = b.horizonFraction;
        this.focalFactor = b.focalFactor;
        this.curvature = b.curvature;
        this.hood = b.hood;
        this.hoodFraction = b.hoodFraction;
        this.skyline = b.skyline;
        this.trackHalf = b.trackHalf;
        this.trackCentre = b.trackCentre;
        this.roadLo = b.roadLo;
        this.roadHi = b.roadHi;
        this.crossProbability = b.crossProbability;
        this.crossWidthMin = b.crossWidthMin;
        this.crossWidthMax = b.crossWidthMax;
        this.platformLo = b.platformLo;
        this.platformHi = b.platformHi;
        this.platformStart = b.platformStart;
        this.platformLength = b.platformLength;
        this.platformHeight = b.platformHeight;
        bands.addAll(b.bands);
        markings.addAll(b.markings);
        rows.addAll(b.rows);
        streams.addAll(b.streams);
        tracks.addAll(b.tracks);
    }

    /** Draws the layout of one scene or drive. */
    static CrossSection create(SceneLayout type, Style style, SplittableRandom r) {
        return type == SceneLayout.RAIL ? rail(style, r) : road(style, r, type == SceneLayout.ROAD_WITH_TRAM);
    }

    /** The lateral range of an intrusion area, {lo, hi}; null when the layout has no such area. */
    double[] areaRange(Area area) {
        if (area == Area.TRACK) {
            return Double.isNaN(trackCentre) ? null : new double[] {trackCentre - trackHalf, trackCentre + trackHalf};
        }
        if (area == Area.CARRIAGEWAY) {
            return Double.isNaN(roadLo) ? null : new double[] {roadLo, roadHi};
        }
        return null;
    }

    /** The area a ground point lies in; {@code onCross} tells whether it lies on a crossing street. */
    Area areaAt(double l, boolean onCross, double s) {
        if (!Double.isNaN(trackCentre) && Math.abs(l - trackCentre) <= trackHalf) {
            return Area.TRACK;
        }
        if (!Double.isNaN(roadLo) && l >= roadLo && l <= roadHi) {
            return Area.CARRIAGEWAY;
        }
        if (onCross) {
            return Area.CARRIAGEWAY;
        }
        if (platformLength > 0 && l >= platformLo && l <= platformHi && s >= platformStart
                && s <= platformStart + platformLength) {
            return Area.SIDEWALK;
        }
        for (Band band : bands) {
            if (band.area() == Area.SIDEWALK && l >= band.l0() && l <= band.l1()) {
                return Area.SIDEWALK;
            }
        }
        return Area.ROADSIDE;
    }

    private static CrossSection road(Style style, SplittableRandom r, boolean tram) {
        Builder b = new Builder(tram ? SceneLayout.ROAD_WITH_TRAM : SceneLayout.ROAD);
        double laneW = Style.range(r, 3.0, 3.6);
        int lanesRight = r.nextDouble() < 0.6 ? 1 : 2;
        int lanesLeft = r.nextDouble() < 0.65 ? 1 : 2;
        double median = tram ? Style.range(r, 1.5, 1.8) : 0;
        double parkRight = r.nextDouble() < 0.5 ? 2.2 : 0;
        double parkLeft = r.nextDouble() < 0.25 ? 2.2 : 0;
        double hi = median + lanesRight * laneW + parkRight;
        double lo = -(median + lanesLeft * laneW + parkLeft);
        b.roadLo = lo;
        b.roadHi = hi;
        int egoLane = lanesRight == 2 && r.nextBoolean() ? 1 : 0;
        b.cameraLateral = median + (egoLane + 0.5) * laneW;
        b.cameraHeight = Style.range(r, 1.2, 1.6);
        b.horizonFraction = Style.range(r, 0.40, 0.50);
        b.focalFactor = Style.range(r, 0.95, 1.2);
        b.curvature = Style.range(r, -0.0006, 0.0006);
        b.hood = r.nextDouble() < 0.4;
        b.hoodFraction = Style.range(r, 0.07, 0.14);
        boolean rural = r.nextDouble() < 0.2;
        b.skyline = !rural && r.nextDouble() < 0.6;
        double swRight = Style.range(r, 1.8, 5.0);
        double swLeft = Style.range(r, 1.8, 5.0);
        double vergeRight = r.nextDouble() < 0.45 ? 0 : Style.range(r, 1.0, 6.0);
        double vergeLeft = r.nextDouble() < 0.45 ? 0 : Style.range(r, 1.0, 6.0);

        b.bands.add(new Band(lo - swLeft, lo, SIDEWALK, 0, style.sidewalk, 0.25f, 1.5, Area.SIDEWALK));
        b.bands.add(new Band(hi, hi + swRight, SIDEWALK, 0, style.sidewalk, 0.25f, 1.5, Area.SIDEWALK));
        b.bands.add(new Band(lo - 0.22, lo, SIDEWALK, 0, style.kerb, 0.15f, 0.5, Area.SIDEWALK));
        b.bands.add(new Band(hi, hi + 0.22, SIDEWALK, 0, style.kerb, 0.15f, 0.5, Area.SIDEWALK));
        b.bands.add(new Band(lo, hi, ROAD, 2, style.road, 0.22f, 3.0, Area.CARRIAGEWAY));
        if (tram) {
            double pick = r.nextDouble();
            int bed = pick < 0.4 ? style.ballast : pick < 0.7 ? style.road : style.terrain;
            b.bands.add(new Band(-median, median, RAIL_TRACK, 3, bed, 0.3f, 0.6, Area.TRACK));
            b.tracks.add(0.0);
            b.trackCentre = 0;
            b.trackHalf = median;
            // the lines bounding the tram track lie on the road, just outside the track bed
            b.markings.add(new Marking(median + 0.1, false, 0.15));
            b.markings.add(new Marking(-median - 0.1, false, 0.15));
            b.streams.add(new Stream(Mover.TRAMS, 0, -Style.range(r, 8, 12), false, 150, 400, 400, 0.6));
        } else {
            b.trackCentre = Double.NaN;
            b.trackHalf = 0;
            b.markings.add(new Marking(0, r.nextBoolean(), 0.13));
        }
        for (int i = 1; i < lanesRight; i++) {
            b.markings.add(new Marking(median + i * laneW, true, 0.12));
        }
        for (int i = 1; i < lanesLeft; i++) {
            b.markings.add(new Marking(-(median + i * laneW), true, 0.12));
        }
        if (parkRight > 0) {
            b.markings.add(new Marking(hi - parkRight, false, 0.12));
        }
        if (parkLeft > 0) {
            b.markings.add(new Marking(lo + parkLeft, false, 0.12));
        }

        double outerRight = hi + swRight + vergeRight;
        double outerLeft = lo - swLeft - vergeLeft;
        if (!rural) {
            b.rows.add(new Row(Prop.BUILDING, outerRight + Style.range(r, 0, 2), 1, 0, 6, 0.88, false, 0));
            b.rows.add(new Row(Prop.BUILDING, outerLeft - Style.range(r, 0, 2), -1, 0, 6, 0.88, false, 0));
        } else {
            b.rows.add(new Row(Prop.TREE, outerRight + Style.range(r, 6, 14), 1, 3, 9, 0.8, false, 0));
            b.rows.add(new Row(Prop.TREE, outerLeft - Style.range(r, 6, 14), -1, 3, 9, 0.8, false, 0));
            b.rows.add(new Row(Prop.BUSH, outerRight + 2, 1, 3, 12, 0.6, false, 0));
            b.rows.add(new Row(Prop.BUILDING, outerRight + Style.range(r, 20, 40), 1, 10, 40, 0.4, false, 1));
            b.rows.add(new Row(Prop.HEDGE, outerLeft - 1, -1, 2, 10, 0.5, false, 0));
        }
        if (vergeRight > 0) {
            b.rows.add(new Row(Prop.TREE, hi + swRight + vergeRight / 2, 1, 6, 14, 0.8, false, 0));
            if (r.nextDouble() < 0.5) {
                b.rows.add(new Row(r.nextBoolean() ? Prop.FENCE : Prop.WALL, outerRight - 0.2, 1, 1, 8, 0.7, false, 0));
            }
        } else {
            b.rows.add(new Row(Prop.TREE, hi + 1.2, 1, 8, 18, 0.35, false, 0));
        }
        if (vergeLeft > 0) {
            b.rows.add(new Row(Prop.TREE, lo - swLeft - vergeLeft / 2, -1, 6, 14, 0.8, false, 0));
            if (r.nextDouble() < 0.5) {
                b.rows.add(new Row(r.nextBoolean() ? Prop.FENCE : Prop.WALL, outerLeft + 0.2, -1, 1, 8, 0.7, false, 0));
            }
        } else {
            b.rows.add(new Row(Prop.TREE, lo - 1.2, -1, 8, 18, 0.3, false, 0));
        }
        b.rows.add(new Row(Prop.LAMP, hi + 0.6, 1, 25, 40, 0.9, false, 0));
        b.rows.add(new Row(Prop.LAMP, lo - 0.6, -1, 25, 40, 0.5, false, 0));
        b.rows.add(new Row(Prop.SIGN, hi + 0.5, 1, 25, 70, 0.5, false, 0));
        b.rows.add(new Row(Prop.SIGN, lo - 0.5, -1, 30, 90, 0.3, false, 0));
        if (parkRight > 0) {
            b.rows.add(new Row(Prop.PARKED_CAR, hi - 1.1, 1, 5.5, 7.5, 0.7, false, 0));
        }
        if (parkLeft > 0) {
            b.rows.add(new Row(Prop.PARKED_CAR, lo + 1.1, -1, 5.5, 7.5, 0.6, false, 0));
        }
        b.rows.add(new Row(Prop.PARKED_BIKE, hi + swRight - 0.9, 1, 1.0, 25, 0.25, false, 0));
        b.rows.add(new Row(Prop.STANDING_PERSON, hi + swRight * 0.6, 1, 8, 40, 0.35, false, 0));
        b.rows.add(new Row(Prop.STANDING_PERSON, lo - swLeft * 0.6, -1, 8, 40, 0.3, false, 0));

        for (int i = 0; i < lanesRight; i++) {
            double centre = median + (i + 0.5) * laneW;
            boolean ego = i == egoLane;
            double speed = ego ? 0 : ROAD_SPEED + Style.range(r, -3, 4);
            b.streams.add(new Stream(Mover.TRAFFIC, centre, speed, ego, 18, 70, 200, 0.85));
        }
        for (int i = 0; i < lanesLeft; i++) {
            double centre = -(median + (i + 0.5) * laneW);
            b.streams.add(new Stream(Mover.TRAFFIC, centre, -Style.range(r, 8, 14), false, 15, 60, 200, 0.9));
        }
        if (r.nextDouble() < 0.55) {
            b.streams.add(new Stream(Mover.RIDERS, hi - parkRight - 0.7, Style.range(r, 3.5, 6.5), false, 40, 160,
                    200, 0.8));
        }
        b.streams.add(new Stream(Mover.PEDESTRIANS, hi + swRight * 0.45, 1.3, false, 6, 30, 40, 0.6));
        b.streams.add(new Stream(Mover.PEDESTRIANS, hi + swRight * 0.3, -1.3, false, 6, 30, 40, 0.5));
        b.streams.add(new Stream(Mover.PEDESTRIANS, lo - swLeft * 0.5, -1.3, false, 8, 35, 40, 0.5));

        b.crossProbability = rural ? 0.05 : 0.2;
        b.crossWidthMin = 8;
        b.crossWidthMax = 14;
        return b.build();
    }

    private static CrossSection rail(Style style, SplittableRandom r) {
        Builder b = new Builder(SceneLayout.RAIL);
        double half = Style.range(r, 1.6, 2.0);
        b.trackHalf = half;
        b.trackCentre = 0;
        b.tracks.add(0.0);
        double spacing = Style.range(r, 4.0, 4.6);
        if (r.nextDouble() < 0.55) {
            b.tracks.add(-spacing);
        }
        if (r.nextDouble() < 0.25) {
            b.tracks.add(spacing);
        }
        double lo = 0;
        double hi = 0;
        for (double t : b.tracks) {
            lo = Math.min(lo, t - half);
            hi = Math.max(hi, t + half);
            b.bands.add(new Band(t - half, t + half, RAIL_TRACK, 3, style.ballast, 0.45f, 0.4,
                    t == 0 ? Area.TRACK : Area.ROADSIDE));
        }
        b.cameraLateral = 0;
        b.cameraHeight = Style.range(r, 2.4, 3.2);
        b.horizonFraction = Style.range(r, 0.40, 0.48);
        b.focalFactor = Style.range(r, 0.95, 1.25);
        b.curvature = Style.range(r, -0.0004, 0.0004);
        b.hood = false;
        b.hoodFraction = 0;
        double cessLeft = Style.range(r, 0.8, 2.5);
        double cessRight = Style.range(r, 0.8, 2.5);
        double edgeLeft = lo - cessLeft;
        double edgeRight = hi + cessRight;

        b.roadLo = Double.NaN;
        b.roadHi = Double.NaN;
        int roadSide = r.nextDouble() < 0.35 ? (r.nextBoolean() ? 1 : -1) : 0;
        double buildingsLeft = edgeLeft - Style.range(r, 12, 30);
        double buildingsRight = edgeRight + Style.range(r, 12, 30);
        if (roadSide != 0) {
            double gap = Style.range(r, 1.0, 6.0);
            double sw = Style.range(r, 1.5, 3.0);
            double width = Style.range(r, 6.0, 7.5);
            double near = roadSide > 0 ? edgeRight + gap : edgeLeft - gap;
            double a = near;
            double c = near + roadSide * sw;
            double d = c + roadSide * width;
            double e = d + roadSide * sw;
            b.bands.add(new Band(Math.min(a, c), Math.max(a, c), SIDEWALK, 0, style.sidewalk, 0.25f, 1.5,
                    Area.SIDEWALK));
            b.bands.add(new Band(Math.min(d, e), Math.max(d, e), SIDEWALK, 0, style.sidewalk, 0.25f, 1.5,
                    Area.SIDEWALK));
            b.bands.add(new Band(Math.min(c, d), Math.max(c, d), ROAD, 2, style.road, 0.22f, 3.0, Area.CARRIAGEWAY));
            b.roadLo = Math.min(c, d);
            b.roadHi = Math.max(c, d);
            double mid = (c + d) / 2;
            b.markings.add(new Marking(mid, true, 0.12));
            b.streams.add(new Stream(Mover.TRAFFIC, mid + width / 4, Style.range(r, 8, 16), false, 30, 120, 300, 0.8));
            b.streams.add(new Stream(Mover.TRAFFIC, mid - width / 4, -Style.range(r, 8, 16), false, 30, 120, 300, 0.8));
            b.streams.add(new Stream(Mover.PEDESTRIANS, (d + e) / 2, 1.3, false, 10, 60, 40, 0.5));
            b.rows.add(new Row(Prop.LAMP, e + roadSide * 0.5, roadSide, 25, 40, 0.8, false, 0));
            if (roadSide > 0) {
                buildingsRight = e + Style.range(r, 0.5, 4);
            } else {
                buildingsLeft = e - Style.range(r, 0.5, 4);
            }
            b.rows.add(new Row(r.nextBoolean() ? Prop.FENCE : Prop.WALL, roadSide > 0 ? edgeRight + 0.3 : edgeLeft - 0.3,
                    roadSide, 1, 6, 0.85, false, 0));
        }
        b.skyline = r.nextDouble() < 0.35;
        if (roadSide <= 0 && r.nextDouble() < 0.5) {
            b.rows.add(new Row(Prop.FENCE, edgeRight, 1, 1, 8, 0.7, false, 0));
        }
        if (roadSide >= 0 && r.nextDouble() < 0.5) {
            b.rows.add(new Row(Prop.FENCE, edgeLeft, -1, 1, 8, 0.7, false, 0));
        }
        if (roadSide <= 0) {
            b.rows.add(new Row(Prop.TREE, edgeRight + Style.range(r, 3, 8), 1, 3, 10, 0.75, false, 0));
            b.rows.add(new Row(Prop.BUSH, edgeRight + Style.range(r, 1, 3), 1, 2, 8, 0.6, false, 0));
        }
        if (roadSide >= 0) {
            b.rows.add(new Row(Prop.TREE, edgeLeft - Style.range(r, 3, 8), -1, 3, 10, 0.75, false, 0));
            b.rows.add(new Row(Prop.BUSH, edgeLeft - Style.range(r, 1, 3), -1, 2, 8, 0.6, false, 0));
        }
        if (r.nextDouble() < 0.55 || roadSide > 0) {
            b.rows.add(new Row(Prop.BUILDING, buildingsRight, 1, 0, 20, 0.6, false, roadSide > 0 ? 0 : 1));
        }
        if (r.nextDouble() < 0.55 || roadSide < 0) {
            b.rows.add(new Row(Prop.BUILDING, buildingsLeft, -1, 0, 20, 0.6, false, roadSide < 0 ? 0 : 1));
        }
        double mastSpacing = Style.range(r, 50, 65);
        b.rows.add(new Row(Prop.MAST, lo - 1.0, -1, mastSpacing, mastSpacing, 1, true, 0));
        if (r.nextDouble() < 0.4) {
            b.rows.add(new Row(Prop.MAST, hi + 1.0, 1, mastSpacing, mastSpacing, 1, true, 0));
        }
        b.rows.add(new Row(Prop.SIGNAL, hi + 0.9, 1, 150, 400, 0.6, false, 0));
        b.rows.add(new Row(Prop.SIGN, hi + 0.8, 1, 80, 200, 0.5, false, 0));
        b.rows.add(new Row(Prop.STANDING_PERSON, edgeRight - cessRight / 2, 1, 60, 300, 0.15, false, 0));

        for (double t : b.tracks) {
            if (t != 0) {
                double speed = r.nextDouble() < 0.7 ? -Style.range(r, 15, 28) : 0;
                b.streams.add(new Stream(Mover.TRAINS, t, speed, false, 250, 700, 700, 0.55));
            }
        }
        if (r.nextDouble() < 0.2) {
            int side = r.nextBoolean() ? 1 : -1;
            double inner = side > 0 ? hi + 0.15 : lo - 0.15;
            double outer = inner + side * Style.range(r, 4, 7);
            b.platformLo = Math.min(inner, outer);
            b.platformHi = Math.max(inner, outer);
            b.platformStart = Style.range(r, 15, 80);
            b.platformLength = Style.range(r, 120, 220);
            b.platformHeight = 0.76;
        }
        b.crossProbability = 0.07;
        b.crossWidthMin = 6;
        b.crossWidthMax = 8;
        return b.build();
    }

    private static final class Builder {
        final SceneLayout type;
        double cameraLateral;
        double cameraHeight;
        double horizonFraction;
        double focalFactor;
        double curvature;
        boolean hood;
        double hoodFraction;
        boolean skyline;
        double trackHalf;
        double trackCentre = Double.NaN;
        double roadLo = Double.NaN;
        double roadHi = Double.NaN;
        double crossProbability;
        double crossWidthMin;
        double crossWidthMax;
        double platformLo;
        double platformHi;
        double platformStart;
        double platformLength;
        double platformHeight;
        final List<Band> bands = new ArrayList<>();
        final List<Marking> markings = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        final List<Stream> streams = new ArrayList<>();
        final List<Double> tracks = new ArrayList<>();

        Builder(SceneLayout type) {
            this.type = type;
        }

        CrossSection build() {
            return new CrossSection(this);
        }
    }
}
