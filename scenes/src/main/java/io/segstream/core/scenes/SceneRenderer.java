package io.segstream.core.scenes;

import io.segstream.core.labels.CityscapesIds;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders a {@link World} seen by a {@link Camera} at a moment into a {@link Scene}: sky and distant skyline,
 * ground bands back to front, road and track markings, shadows, then every prop with a depth test, then the
 * camera effects on the RGB only.
 */
final class SceneRenderer {
    private static final int[] PALETTE = palette();
    private static final double GROUND_FAR = 2000;
    private static final double FAR_BAND_DEPTH = 1500;

    private SceneRenderer() {}

    private static int[] palette() {
        LabelSet set = LabelSet.named("cityscapes-34");
        int[] p = new int[256];
        for (int id = 0; id < 256; id++) {
            if (set.isKnownLabelId(id)) {
                p[id] = set.byId(id).rgb();
            }
        }
        return p;
    }

    /**
     * @param actors     intruders, drawn first so that their reserved instance ids come before any other
     * @param noiseSeed  seed of the per-image sensor noise and rain
     */
    static Scene render(World world, Camera camera, double time, List<Placement> actors, Appearance appearance,
            int noiseSeed) {
        return render(world, camera, time, actors, List.of(), appearance, noiseSeed);
    }

    /**
     * @param keepClear road positions near which no other person or vehicle is placed (and none in the camera's
     *                  lane before them), so that intruders are not hidden
     */
    static Scene render(World world, Camera camera, double time, List<Placement> actors, List<Double> keepClear,
            Appearance appearance, int noiseSeed) {
        boolean flat = appearance == Appearance.FLAT;
        Canvas canvas = new Canvas(camera, PALETTE, flat);
        Style st = world.style;
        CrossSection lay = world.layout;
        Painter p = new Painter(canvas, camera, st, lay);
        double camS = camera.position();
        int seed = (int) Noise.mix(world.seed, 42);

        sky(canvas, camera, st, seed);
        Surface ground = Surface.ground(camera);
        int w = camera.width();
        int h = camera.height();
        double top = Math.max(0, Math.floor(camera.horizonRow()));
        canvas.fillScreen(new double[] {0, w, w, 0}, new double[] {top, top, h, h}, new int[] {4}, 1, ground,
                Material.of(st.terrain, 0.3f, 4.0, seed + 1), 1f, CityscapesIds.TERRAIN, 0, false);
        farBand(canvas, camera, world, seed);

        List<World.Cross> crosses = world.crosses(camS - World.BEHIND - World.TILE, camS + World.BUILDING_RANGE);
        for (int layer = 0; layer <= 3; layer++) {
            if (layer == 1) {
                for (World.Cross c : crosses) {
                    Material m = Material.of(st.road, 0.22f, 3.0, seed + 5);
                    p.groundQuad(c.s0(), c.s0() + c.width(), -400, 400, m, CityscapesIds.ROAD);
                }
            }
            for (int i = 0; i < lay.bands.size(); i++) {
                CrossSection.Band b = lay.bands.get(i);
                if (b.layer() != layer) {
                    continue;
                }
                Material m = Material.of(b.colour(), b.noise(), b.grain(), seed + 10 + i);
                p.band(b.l0(), b.l1(), 0.5, GROUND_FAR, 96, m, b.labelId());
            }
        }
        markings(p, world, crosses, camS);
        tracks(p, world, camera, camS, seed);

        List<Placement> placements = world.placements(camS, time, keepClear);
        for (Placement pl : actors) {
            if (pl.instanceId() != 0) {
                p.reserve(pl.instanceId());
            }
        }
        if (!flat) {
            for (Placement pl : actors) {
                Props.shadow(p, pl);
            }
            for (Placement pl : placements) {
                Props.shadow(p, pl);
            }
        }
        for (Placement pl : actors) {
            Props.draw(p, pl);
        }
        for (Placement pl : placements) {
            Props.draw(p, pl);
        }
        if (lay.hood) {
            hood(canvas, camera, world, st);
        }

        canvas.resolve();
        int n = w * h;
        int[] counts = new int[34 * 1000];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = canvas.label[i] & 0xFF;
            int v = canvas.instance[i];
            if (v >= 1000) {
                counts[v]++;
            }
        }
        List<SceneObject> objects = new ArrayList<>();
        LabelSet set = LabelSet.named("cityscapes-34");
        for (Painter.Drawn d : p.drawn) {
            int pixels = counts[d.instanceId()];
            if (pixels > 0) {
                objects.add(new SceneObject(set.byId(d.labelId()).name(), d.labelId(), d.instanceId(),
                        lay.areaAt(d.l(), d.onCross(), d.s()), d.box(), pixels, d.distance(), d.intrusion()));
            }
        }
        if (!flat) {
            PostEffects.apply(canvas, st, noiseSeed);
        }
        return new Scene(world.type, camera, canvas.rgb, new LabelImage(w, h, labels),
                new LabelImage(w, h, canvas.instance), objects, zones(lay, camera));
    }

    private static void sky(Canvas canvas, Camera camera, Style st, int seed) {
        int w = camera.width();
        int h = camera.height();
        Material m = Material.patterned(Material.Pattern.SKY, st.skyTop, st.skyHorizon, 0f, 1, seed + 2,
                camera.horizonRow(), camera.focal(), st.clouds, 0);
        // the ground covers every row below the horizon, so the sky stops there
        double bottom = Math.min(h, Math.max(0, Math.ceil(camera.horizonRow()) + 1));
        canvas.fillScreen(new double[] {0, w, w, 0}, new double[] {0, 0, bottom, bottom}, new int[] {4}, 1,
                Surface.screen(Canvas.FAR), m, 1f, CityscapesIds.SKY, 0, false);
    }

    /** Distant hills or tree lines along the horizon, and a city skyline in town. */
    private static void farBand(Canvas canvas, Camera camera, World world, int seed) {
        int w = camera.width();
        double hy = camera.horizonRow();
        double f = camera.focal();
        Style st = world.style;
        int steps = 96;
        double[] x = new double[steps + 3];
        double[] y = new double[steps + 3];
        double hill = Style.range(new SplittableRandom(seed), 5, 45);
        for (int i = 0; i <= steps; i++) {
            double xi = w * (double) i / steps;
            double a = (xi - w / 2.0) / f;
            double metres = 6 + hill * Noise.value(a * 2.5, 0.5, seed + 3) + 14 * Noise.value(a * 40, 1.5, seed + 4);
            x[i] = xi;
            y[i] = hy - f * metres / FAR_BAND_DEPTH;
        }
        x[steps + 1] = w;
        y[steps + 1] = hy + 2;
        x[steps + 2] = 0;
        y[steps + 2] = hy + 2;
        Material trees = Material.of(Style.scale(st.vegetation, 0.9), 0.35f, 5, seed + 6);
        canvas.fillScreen(x, y, new int[] {steps + 3}, 1, Surface.screen(FAR_BAND_DEPTH), trees, 1f, CityscapesIds.VEGETATION,
                0, false);
        if (!world.layout.skyline) {
            return;
        }
        SplittableRandom r = new SplittableRandom(Noise.mix(world.seed, 77));
        double pos = -r.nextDouble() * 40;
        while (pos < w) {
            double bw = Style.range(r, 0.012, 0.06) * w;
            double metres = Style.range(r, 12.0, 70.0);
            boolean gap = r.nextDouble() < 0.25;
            if (!gap) {
                double yt = hy - f * metres / FAR_BAND_DEPTH;
                int colour = Style.blend(Style.buildingColour(r), st.haze, 0.3);
                canvas.fillScreen(new double[] {pos, pos + bw, pos + bw, pos}, new double[] {yt, yt, hy + 2, hy + 2},
                        new int[] {4}, 1, Surface.screen(FAR_BAND_DEPTH * 0.9),
                        Material.of(colour, 0.2f, 3, seed + 7), 1f, CityscapesIds.BUILDING, 0, false);
            }
            pos += bw + (gap ? bw : 0);
        }
    }

    private static void markings(Painter p, World world, List<World.Cross> crosses, double camS) {
        Style st = world.style;
        CrossSection lay = world.layout;
        if (lay.markings.isEmpty()) {
            return;
        }
        Material paint = Material.of(st.laneMark, 0.15f, 0.4, (int) world.seed + 20);
        double period = 9;
        for (CrossSection.Marking m : lay.markings) {
            double dash = m.dashed() ? 3 : period;
            long k0 = (long) Math.floor((camS - 1) / period);
            for (long k = k0; k * period < camS + 160; k++) {
                double s0 = k * period;
                double s1 = s0 + dash;
                if (World.onCross(crosses, s0, 0) || World.onCross(crosses, s1, 0)) {
                    continue;
                }
                p.groundQuad(s0, s1, m.l() - m.width() / 2, m.l() + m.width() / 2, paint, CityscapesIds.ROAD);
            }
        }
        if (lay.type == SceneLayout.RAIL) {
            return;
        }
        for (World.Cross c : crosses) {
            double s1 = c.s0() - 1;
            if (s1 < camS || s1 > camS + 200) {
                continue;
            }
            for (double l = lay.roadLo + 0.4; l + 0.5 < lay.roadHi; l += 1.0) {
                if (!Double.isNaN(lay.trackCentre) && Math.abs(l + 0.25 - lay.trackCentre) < lay.trackHalf + 0.3) {
                    continue;
                }
                p.groundQuad(s1 - 4, s1, l, l + 0.5, paint, CityscapesIds.ROAD);
            }
        }
    }

    /** Sleepers near the camera and the rails of every track, all labelled {@code rail track}. */
    private static void tracks(Painter p, World world, Camera camera, double camS, int seed) {
        Style st = world.style;
        CrossSection lay = world.layout;
        if (lay.tracks.isEmpty()) {
            return;
        }
        Material sleeper = Material.of(st.sleeper, 0.2f, 0.3, seed + 30);
        Material rail = Material.of(st.rail, 0.12f, 0.5, seed + 31);
        Material shine = Material.of(Style.blend(st.rail, 0xF0F0F0, 0.55), 0.08f, 0.5, seed + 32);
        double spacing = 0.6;
        double sleeperFar = Math.min(150, Math.sqrt(camera.focal() * camera.mountHeight() * spacing / 2.5));
        boolean sleepers = lay.type == SceneLayout.RAIL;
        for (double c : lay.tracks) {
            if (sleepers) {
                for (long k = (long) Math.floor((camS + 0.3) / spacing); k * spacing < camS + sleeperFar; k++) {
                    double s0 = k * spacing;
                    p.groundQuad(s0, s0 + 0.26, c - 1.3, c + 1.3, sleeper, CityscapesIds.RAIL_TRACK);
                }
            }
            for (int side = -1; side <= 1; side += 2) {
                double inner = c + side * 0.7175;
                double outer = c + side * 0.7875;
                p.band(Math.min(inner, outer), Math.max(inner, outer), 0.5, 800, 64, rail, CityscapesIds.RAIL_TRACK);
                double mid = (inner + outer) / 2;
                p.band(mid - 0.02, mid + 0.02, 0.5, 60, 32, shine, CityscapesIds.RAIL_TRACK);
            }
        }
    }

    /** The bonnet of the ego car along the bottom edge, labelled {@code ego vehicle}. */
    private static void hood(Canvas canvas, Camera camera, World world, Style st) {
        int w = camera.width();
        int h = camera.height();
        double topRow = h * (1 - world.layout.hoodFraction);
        int steps = 32;
        double[] x = new double[steps + 3];
        double[] y = new double[steps + 3];
        for (int i = 0; i <= steps; i++) {
            double xi = w * (double) i / steps;
            double u = (xi - w / 2.0) / (w / 2.0);
            x[i] = xi;
            y[i] = topRow + (h - topRow) * 0.7 * u * u;
        }
        x[steps + 1] = w;
        y[steps + 1] = h;
        x[steps + 2] = 0;
        y[steps + 2] = h;
        int paint = Style.vehicleColour(new SplittableRandom(Noise.mix(world.seed, 99)));
        Material m = Material.patterned(Material.Pattern.HOOD, paint, st.skyHorizon, 0.03f, 40, 5, topRow, h, 0, 0);
        canvas.fillScreen(x, y, new int[] {steps + 3}, 1, Surface.screen(Camera.NEAR), m, 1f, CityscapesIds.EGO_VEHICLE, 0,
                false);
    }

    /** Outlines of the track and carriageway areas, in normalised image coordinates, clipped to the image. */
    static List<AreaOutline> zones(CrossSection lay, Camera camera) {
        List<AreaOutline> out = new ArrayList<>();
        for (Area area : new Area[] {Area.TRACK, Area.CARRIAGEWAY}) {
            double[] range = lay.areaRange(area);
            if (range == null) {
                continue;
            }
            double zFrom = Math.min(camera.nearestVisibleGround() * 0.8, 5);
            double zTo = area == Area.TRACK ? 250 : 120;
            int samples = 64;
            double ratio = StrictMath.pow(zTo / zFrom, 1.0 / samples);
            List<double[]> poly = new ArrayList<>();
            double z = zFrom;
            double[] zs = new double[samples + 1];
            for (int i = 0; i <= samples; i++) {
                zs[i] = i == samples ? zTo : z;
                z *= ratio;
            }
            for (int i = 0; i <= samples; i++) {
                poly.add(camera.project(camera.position() + zs[i], range[0], 0));
            }
            for (int i = samples; i >= 0; i--) {
                poly.add(camera.project(camera.position() + zs[i], range[1], 0));
            }
            List<double[]> clipped = clipToImage(poly, camera.width(), camera.height());
            if (clipped.size() < 3) {
                continue;
            }
            List<AreaOutline.Point> norm = new ArrayList<>();
            for (double[] pt : clipped) {
                norm.add(new AreaOutline.Point(pt[0] / camera.width(), pt[1] / camera.height()));
            }
            out.add(new AreaOutline(area, norm));
        }
        return out;
    }

    private static List<double[]> clipToImage(List<double[]> poly, double w, double h) {
        List<double[]> p = poly;
        double[][] planes = {{1, 0, 0}, {-1, 0, w}, {0, 1, 0}, {0, -1, h}};
        for (double[] pl : planes) {
            List<double[]> out = new ArrayList<>();
            int n = p.size();
            for (int i = 0; i < n; i++) {
                double[] a = p.get(i);
                double[] b = p.get((i + 1) % n);
                double da = pl[0] * a[0] + pl[1] * a[1] + pl[2];
                double db = pl[0] * b[0] + pl[1] * b[1] + pl[2];
                if (da >= 0) {
                    out.add(a);
                }
                if ((da >= 0) != (db >= 0)) {
                    double t = da / (da - db);
                    out.add(new double[] {a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])});
                }
            }
            p = out;
            if (p.isEmpty()) {
                break;
            }
        }
        return p;
    }
}
