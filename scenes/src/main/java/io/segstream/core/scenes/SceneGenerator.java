package io.segstream.core.scenes;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders independent labelled road and railway scenes: the same seed and index always give the same scene.
 *
 * <pre>{@code
 * SceneGenerator gen = SceneGenerator.builder().setSize(512, 256).optKind(SceneKind.RAIL).optSeed(7).build();
 * Scene s = gen.render(0);
 * }</pre>
 *
 * <p>Instances are immutable and {@link #render} may be called from several threads at once.
 */
public final class SceneGenerator {
    /** Cityscapes' image size. */
    public static final int DEFAULT_WIDTH = 2048;
    public static final int DEFAULT_HEIGHT = 1024;
    /** Smallest and largest accepted image side. */
    public static final int MIN_SIDE = 32;
    public static final int MAX_SIDE = 8192;
    /** Share of scenes with an intruder unless {@link Builder#optIntruders} says otherwise. */
    public static final double DEFAULT_INTRUDER_SHARE = 0.4;

    private final int width;
    private final int height;
    private final SceneKind kind;
    private final long seed;
    private final Appearance appearance;
    private final double intruderShare;
    private final List<Actor> intruderActors;

    private SceneGenerator(Builder b) {
        this.width = b.width;
        this.height = b.height;
        this.kind = b.kind;
        this.seed = b.seed;
        this.appearance = b.appearance;
        this.intruderShare = b.intruderShare;
        this.intruderActors = b.intruderActors;
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

    public SceneKind kind() {
        return kind;
    }

    public long seed() {
        return seed;
    }

    /** Renders scene number {@code index} (any int; each index is a different world). */
    public Scene render(int index) {
        long sceneSeed = Noise.mix(seed, index);
        World world = new World(sceneSeed, kind, Double.NaN);
        Camera camera = world.camera(width, height);
        List<Placement> actors = intruder(world, camera, new SplittableRandom(Noise.mix(sceneSeed, 6)), intruderShare,
                intruderActors);
        List<Double> clear = actors.isEmpty() ? List.of() : List.of(actors.get(0).s());
        return SceneRenderer.render(world, camera, 0, actors, clear, appearance, (int) Noise.mix(sceneSeed, 5));
    }

    /**
     * In a share of the scenes an actor stands in the track or on the carriageway: drawn from {@code actors} (a
     * repeated actor is drawn more often), or with null the default mix (mostly persons, never a truck).
     */
    private static List<Placement> intruder(World world, Camera camera, SplittableRandom r, double share,
            List<Actor> actors) {
        if (r.nextDouble() >= share) {
            return List.of();
        }
        CrossSection lay = world.layout;
        boolean track = lay.areaRange(Area.TRACK) != null
                && (lay.areaRange(Area.CARRIAGEWAY) == null || r.nextDouble() < 0.7);
        Area area = track ? Area.TRACK : Area.CARRIAGEWAY;
        double[] range = lay.areaRange(area);
        double pick = r.nextDouble();
        Actor actor = actors != null ? actors.get((int) (pick * actors.size()))
                : track ? (pick < 0.8 ? Actor.PERSON : pick < 0.9 ? Actor.CYCLIST : Actor.CAR)
                : (pick < 0.6 ? Actor.PERSON : pick < 0.8 ? Actor.CYCLIST : Actor.CAR);
        double distance = Style.range(r, camera.nearestVisibleGround() + 4, 60.0);
        double l = Style.range(r, range[0] + 0.3, range[1] - 0.3);
        int heading = r.nextInt(3) - 1;
        double phase = r.nextDouble() * 2 * Math.PI;
        int label = Props.labelOf(actor);
        Placement p = world.actor(actor, camera.position() + distance, l, heading, phase, 0, label * 1000,
                r.nextLong());
        return List.of(p);
    }

    /** Builds a {@link SceneGenerator}; {@link #setSize} is required. */
    public static final class Builder {
        private int width = -1;
        private int height = -1;
        private SceneKind kind = SceneKind.MIXED;
        private long seed;
        private Appearance appearance = Appearance.REALISTIC;
        private double intruderShare = DEFAULT_INTRUDER_SHARE;
        private List<Actor> intruderActors;

        private Builder() {}

        /** Image size in pixels (Cityscapes: 2048 x 1024). */
        public Builder setSize(int w, int h) {
            this.width = w;
            this.height = h;
            return this;
        }

        /** Road, rail or mixed scenes (default mixed). */
        public Builder optKind(SceneKind k) {
            this.kind = k;
            return this;
        }

        /** Seed of the whole set (default 0). */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /** Realistic (default) or flat label colours. */
        public Builder optAppearance(Appearance a) {
            this.appearance = a;
            return this;
        }

        /**
         * Intruders: the share of scenes (0..1, default 0.4) with an actor standing in the track or on the
         * carriageway, and the actors to draw from, a repeated one more often (null: the default mix of persons,
         * cyclists and cars; a truck only when listed). Training data for intrusion alerts wants more of them, and
         * trucks on the track, which the default never shows.
         */
        public Builder optIntruders(double share, List<Actor> actors) {
            this.intruderShare = share;
            this.intruderActors = actors == null ? null : List.copyOf(actors);
            return this;
        }

        public SceneGenerator build() {
            sanityCheck();
            return new SceneGenerator(this);
        }

        private void sanityCheck() {
            checkSize(width, height);
            if (kind == null) {
                throw new IllegalArgumentException("scene kind must not be null; use road, rail or mixed");
            }
            if (appearance == null) {
                throw new IllegalArgumentException("appearance must not be null; use REALISTIC or FLAT");
            }
            if (!(intruderShare >= 0 && intruderShare <= 1)) {
                throw new IllegalArgumentException("the intruder share " + intruderShare + " must be between 0 and 1");
            }
            if (intruderActors != null && intruderActors.isEmpty()) {
                throw new IllegalArgumentException("the intruder actors are empty; name at least one, or pass null for"
                        + " the default mix");
            }
        }
    }

    static void checkSize(int width, int height) {
        if (width == -1 && height == -1) {
            throw new IllegalArgumentException("the image size is required: call setSize(width, height)");
        }
        if (width < MIN_SIDE || height < MIN_SIDE || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " is out of range: width and height"
                    + " must be between " + MIN_SIDE + " and " + MAX_SIDE + " pixels");
        }
    }
}
