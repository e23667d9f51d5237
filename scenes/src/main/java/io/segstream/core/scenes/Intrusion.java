package io.segstream.core.scenes;

import java.util.Objects;

/**
 * A scripted intrusion of a drive: an actor is inside an area exactly from {@code firstFrame} to
 * {@code lastFrame} (inclusive), judged by its ground centre point.
 *
 * <p>The actor stands still in the world at {@code distance} metres ahead of the camera's position at
 * {@code firstFrame}; before that it approaches from {@code side}, afterwards it leaves.
 *
 * <pre>{@code
 * Intrusion p = Intrusion.of(Actor.PERSON, Area.TRACK, 10, 20);            // steps in, stands, steps out
 * Intrusion c = Intrusion.of(Actor.CAR, Area.CARRIAGEWAY, 5, 25).withDistance(60);
 * }</pre>
 *
 * @param distance metres ahead of the camera at {@code firstFrame}; NaN lets the drive choose one that keeps
 *                 the actor in view until {@code lastFrame}
 */
public record Intrusion(Actor actor, Area area, int firstFrame, int lastFrame, double distance, Motion motion,
        Side side) {

    /** How the actor moves while inside. */
    public enum Motion {
        /** Steps in from {@link Side}, stays near the middle, steps back out the same side. */
        STAND,
        /** Crosses the area from {@link Side} to the other side at an even pace. */
        CROSS
    }

    /** The side the actor comes from, as seen from the camera. */
    public enum Side {
        LEFT, RIGHT
    }

    public Intrusion {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(area, "area");
        Objects.requireNonNull(motion, "motion");
        Objects.requireNonNull(side, "side");
        if (area != Area.TRACK && area != Area.CARRIAGEWAY) {
            throw new IllegalArgumentException("an intrusion enters the track or the carriageway, not " + area.key());
        }
        if (firstFrame < 0 || lastFrame < firstFrame) {
            throw new IllegalArgumentException("intrusion frames must satisfy 0 <= first <= last, got "
                    + firstFrame + ".." + lastFrame);
        }
        if (!Double.isNaN(distance) && !(distance > 0)) {
            throw new IllegalArgumentException("intrusion distance must be positive metres, got " + distance);
        }
    }

    /** An intrusion with the defaults: automatic distance, people stand, vehicles and cyclists cross. */
    public static Intrusion of(Actor actor, Area area, int firstFrame, int lastFrame) {
        Motion motion = actor == Actor.PERSON ? Motion.STAND : Motion.CROSS;
        Side side = area == Area.TRACK ? Side.LEFT : Side.RIGHT;
        return new Intrusion(actor, area, firstFrame, lastFrame, Double.NaN, motion, side);
    }

    public Intrusion withDistance(double metres) {
        return new Intrusion(actor, area, firstFrame, lastFrame, metres, motion, side);
    }

    public Intrusion withMotion(Motion m) {
        return new Intrusion(actor, area, firstFrame, lastFrame, distance, m, side);
    }

    public Intrusion fromSide(Side s) {
        return new Intrusion(actor, area, firstFrame, lastFrame, distance, motion, s);
    }

    /** A short description for messages, e.g. {@code person in track, frames 10..20}. */
    public String describe() {
        return actor.key() + " in " + area.key() + ", frames " + firstFrame + ".." + lastFrame;
    }
}
