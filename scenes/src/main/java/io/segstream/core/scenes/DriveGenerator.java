package io.segstream.core.scenes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Renders a drive: the camera moves along the road or track at constant speed through one world while
 * traffic moves, and people or vehicles intrude into the track or carriageway, scripted or now and then.
 *
 * <pre>{@code
 * DriveGenerator drive = DriveGenerator.builder().setSize(512, 256).setFrames(30).optKind(SceneKind.RAIL)
 *         .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 10, 20)).build();
 * Scene frame = drive.render(15);          // the person stands in the track
 * List<DriveEvent> events = drive.events(); // ENTER at 10, EXIT at 21
 * }</pre>
 *
 * <p>Every frame is a pure function of the builder's settings and its index, so frames can be rendered in
 * any order and in parallel.
 */
public final class DriveGenerator {
    /** Default frame rate. */
    public static final double DEFAULT_FPS = 10;
    private static final double APPROACH = 4.0;

    private final int width;
    private final int height;
    private final int frames;
    private final double fps;
    private final long seed;
    private final double speed;
    private final Appearance appearance;
    private final World world;
    private final Camera camera;
    private final List<Intrusion> intrusions;
    private final int scriptedCount;
    private final int[] instanceIds;
    private final long[] actorSeeds;
    private final double[] actorS;

    private DriveGenerator(Builder b, World world, List<Intrusion> intrusions, int scriptedCount) {
        this.width = b.width;
        this.height = b.height;
        this.frames = b.frames;
        this.fps = b.fps;
        this.seed = b.seed;
        this.world = world;
        this.speed = world.egoSpeed;
        this.appearance = b.appearance;
        this.camera = world.camera(width, height);
        this.intrusions = List.copyOf(intrusions);
        this.scriptedCount = scriptedCount;
        int n = intrusions.size();
        this.instanceIds = new int[n];
        this.actorSeeds = new long[n];
        this.actorS = new double[n];
        int[] count = new int[34];
        for (int i = 0; i < n; i++) {
            Intrusion in = intrusions.get(i);
            int label = Props.labelOf(in.actor());
            instanceIds[i] = label * 1000 + count[label]++;
            actorSeeds[i] = Noise.mix(seed, 9000 + i);
            actorS[i] = cameraPosition(in.firstFrame()) + in.distance();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int frames() {
        return frames;
    }

    public double fps() {
        return fps;
    }

    /** Camera speed in m/s. */
    public double speed() {
        return speed;
    }

    public long seed() {
        return seed;
    }

    public SceneLayout layout() {
        return world.type;
    }

    /** Whether the caller scripted any intrusion. */
    public boolean scripted() {
        return scriptedCount > 0;
    }

    /** Whether intrusion {@code i} was scripted by the caller (the scripted ones come first) or drawn at random. */
    public boolean isScripted(int i) {
        return i < scriptedCount;
    }

    /** The intrusions of the drive, with their distances filled in. */
    public List<Intrusion> intrusions() {
        return intrusions;
    }

    /** The instance id intrusion {@code i}'s actor carries in every frame. */
    public int instanceId(int i) {
        return instanceIds[i];
    }

    /** The camera at frame 0. */
    public Camera camera() {
        return camera;
    }

    /** Outlines of the track and carriageway in the image (the same in every frame). */
    public List<AreaOutline> zones() {
        return SceneRenderer.zones(world.layout, camera);
    }

    /** Time of frame {@code frame} in seconds. */
    public double time(int frame) {
        return frame / fps;
    }

    private double cameraPosition(int frame) {
        return speed * frame / fps;
    }

    /** Renders frame {@code frame} (0 .. frames-1). */
    public Scene render(int frame) {
        if (frame < 0 || frame >= frames) {
            throw new IllegalArgumentException("frame " + frame + " is outside the drive's frames 0.." + (frames - 1));
        }
        Camera cam = camera.at(cameraPosition(frame));
        List<Placement> actors = new ArrayList<>();
        List<Double> clear = new ArrayList<>();
        for (int i = 0; i < intrusions.size(); i++) {
            Intrusion in = intrusions.get(i);
            double p = penetration(i, frame);
            double next = penetration(i, frame + 1);
            double[] range = world.layout.areaRange(in.area());
            int dir = in.side() == Intrusion.Side.LEFT ? 1 : -1;
            double edge = dir > 0 ? range[0] : range[1];
            int heading = next > p + 1e-9 ? dir : next < p - 1e-9 ? -dir : 0;
            double phase = 2 * Math.PI * p / 1.45;
            actors.add(world.actor(in.actor(), actorS[i], edge + dir * p, heading, phase, i, instanceIds[i],
                    actorSeeds[i]));
            clear.add(actorS[i]);
        }
        return SceneRenderer.render(world, cam, time(frame), actors, clear, appearance,
                (int) Noise.mix(seed, 100_000L + frame));
    }

    /**
     * How far intrusion {@code i}'s actor has moved into its area at {@code frame}, in metres from the edge it
     * enters by; inside exactly when it lies strictly between 0 and the area's width.
     */
    double penetration(int i, int frame) {
        Intrusion in = intrusions.get(i);
        double[] range = world.layout.areaRange(in.area());
        double width = range[1] - range[0];
        int first = in.firstFrame();
        int last = in.lastFrame();
        if (in.motion() == Intrusion.Motion.CROSS) {
            double pace = width / (last - first + 1);
            double p = (frame - first + 0.5) * pace;
            return Math.max(-APPROACH, Math.min(width + APPROACH, p));
        }
        double step = in.actor().speed() / fps;
        double p = Math.min(width / 2, Math.min((frame - first + 0.5) * step, (last - frame + 0.5) * step));
        return Math.max(-APPROACH, p);
    }

    /** Whether intrusion {@code i}'s actor is inside its area at {@code frame}. */
    public boolean inside(int i, int frame) {
        double[] range = world.layout.areaRange(intrusions.get(i).area());
        double p = penetration(i, frame);
        return p > 0 && p < range[1] - range[0];
    }

    /** Every entry and exit of an intruder, by frame, then by intrusion. */
    public List<DriveEvent> events() {
        List<DriveEvent> out = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < intrusions.size(); i++) {
                boolean now = inside(i, f);
                boolean before = f > 0 && inside(i, f - 1);
                if (now != before) {
                    Intrusion in = intrusions.get(i);
                    out.add(new DriveEvent(f, time(f), now ? DriveEvent.Type.ENTER : DriveEvent.Type.EXIT, i,
                            in.actor(), in.area(), instanceIds[i], actorS[i] - cameraPosition(f)));
                }
            }
        }
        return out;
    }

    /** Builds a {@link DriveGenerator}; {@link #setSize} and {@link #setFrames} are required. */
    public static final class Builder {
        private int width = -1;
        private int height = -1;
        private int frames = -1;
        private double fps = DEFAULT_FPS;
        private SceneKind kind = SceneKind.MIXED;
        private long seed;
        private double speed = Double.NaN;
        private final List<Intrusion> intrusions = new ArrayList<>();
        private Boolean randomIntrusions;
        private Appearance appearance = Appearance.REALISTIC;

        private Builder() {}

        public Builder setSize(int w, int h) {
            this.width = w;
            this.height = h;
            return this;
        }

        public Builder setFrames(int n) {
            this.frames = n;
            return this;
        }

        /** Frames per second (default 10). */
        public Builder optFps(double f) {
            this.fps = f;
            return this;
        }

        public Builder optKind(SceneKind k) {
            this.kind = k;
            return this;
        }

        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /** Camera speed in m/s (default: 11 on roads, 18 on railways). */
        public Builder optSpeed(double metresPerSecond) {
            this.speed = metresPerSecond;
            return this;
        }

        /** Adds a scripted intrusion; scripted drives have no random ones unless asked. */
        public Builder optIntrusion(Intrusion intrusion) {
            this.intrusions.add(intrusion);
            return this;
        }

        public Builder optIntrusions(List<Intrusion> list) {
            this.intrusions.addAll(list);
            return this;
        }

        /** Whether the drive adds intrusions of its own (default: only when none are scripted). */
        public Builder optRandomIntrusions(boolean on) {
            this.randomIntrusions = on;
            return this;
        }

        public Builder optAppearance(Appearance a) {
            this.appearance = a;
            return this;
        }

        public DriveGenerator build() {
            SceneGenerator.checkSize(width, height);
            if (frames == -1) {
                throw new IllegalArgumentException("the number of frames is required: call setFrames(n)");
            }
            if (frames < 1 || frames > 1_000_000) {
                throw new IllegalArgumentException("a drive needs 1 to 1000000 frames, got " + frames);
            }
            if (!(fps > 0 && fps <= 240)) {
                throw new IllegalArgumentException("fps must be above 0 and at most 240, got " + fps);
            }
            if (!Double.isNaN(speed) && !(speed >= 0 && speed <= 100)) {
                throw new IllegalArgumentException("speed must be 0 to 100 m/s, got " + speed);
            }
            if (kind == null || appearance == null) {
                throw new IllegalArgumentException("kind and appearance must not be null");
            }
            World world = new World(seed, kind, speed);
            Camera camera = world.camera(width, height);
            double minAhead = camera.nearestVisibleGround() + 2;
            List<Intrusion> resolved = new ArrayList<>();
            for (Intrusion in : intrusions) {
                resolved.add(resolve(in, world, minAhead));
            }
            boolean random = randomIntrusions != null ? randomIntrusions : intrusions.isEmpty();
            if (random) {
                for (Intrusion in : randomIntrusions(world, minAhead)) {
                    resolved.add(in);
                }
            }
            return new DriveGenerator(this, world, resolved, intrusions.size());
        }

        private Intrusion resolve(Intrusion in, World world, double minAhead) {
            if (in.lastFrame() >= frames) {
                throw new IllegalArgumentException("intrusion " + in.describe() + " ends after the last frame "
                        + (frames - 1) + " of the drive; end it at frame " + (frames - 1) + " or earlier");
            }
            if (world.layout.areaRange(in.area()) == null) {
                throw new IllegalArgumentException("intrusion " + in.describe() + " needs a " + in.area().key()
                        + ", but this drive (kind " + kind.name().toLowerCase(Locale.ROOT) + ", seed " + seed
                        + ") has the " + world.type.name().toLowerCase(Locale.ROOT) + " layout without one; choose"
                        + " another area, kind or seed");
            }
            double travel = world.egoSpeed * (in.lastFrame() - in.firstFrame()) / fps;
            if (Double.isNaN(in.distance())) {
                return in.withDistance(minAhead + 6 + travel);
            }
            if (in.distance() - travel < minAhead) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "intrusion %s starts %.1f m ahead, but at %.1f m/s the camera comes within %.1f m of it by"
                                + " frame %d, out of view below %.1f m; give a distance of at least %.1f m",
                        in.describe(), in.distance(), world.egoSpeed, in.distance() - travel, in.lastFrame(),
                        minAhead, minAhead + travel));
            }
            return in;
        }

        private List<Intrusion> randomIntrusions(World world, double minAhead) {
            List<Intrusion> out = new ArrayList<>();
            SplittableRandom r = new SplittableRandom(Noise.mix(seed, 31));
            boolean hasTrack = world.layout.areaRange(Area.TRACK) != null;
            boolean hasRoad = world.layout.areaRange(Area.CARRIAGEWAY) != null;
            int f = Math.max(1, (int) Math.round(frames * 0.2));
            while (f < frames - 2) {
                int duration = (int) Math.min(Math.max(3, Math.round(fps * Style.range(r, 1.0, 2.5))), frames - 1 - f);
                boolean track = hasTrack && (!hasRoad || r.nextDouble() < 0.75);
                Area area = track ? Area.TRACK : Area.CARRIAGEWAY;
                double pick = r.nextDouble();
                Actor actor = track ? (pick < 0.75 ? Actor.PERSON : pick < 0.9 ? Actor.CYCLIST : Actor.CAR)
                        : (pick < 0.6 ? Actor.PERSON : pick < 0.8 ? Actor.CYCLIST : Actor.CAR);
                Intrusion in = Intrusion.of(actor, area, f, f + duration - 1)
                        .fromSide(r.nextBoolean() ? Intrusion.Side.LEFT : Intrusion.Side.RIGHT);
                double travel = world.egoSpeed * (duration - 1) / fps;
                out.add(in.withDistance(minAhead + 6 + travel + Style.range(r, 0.0, 15.0)));
                f += duration + (int) Math.round(fps * Style.range(r, 2.0, 5.0));
            }
            return out;
        }
    }
}
