package io.segstream.core.scenes;

/** The layout one scene or drive was rendered with, drawn from its {@link SceneKind}. */
public enum SceneLayout {
    /** A street seen from a car: carriageway, sidewalks, buildings, traffic. */
    ROAD,
    /** A railway seen from a train cab: the track ahead, neighbouring tracks, masts, lineside. */
    RAIL,
    /** A street with a tram track in its middle. */
    ROAD_WITH_TRAM;

    /** Whether scenes of this layout have a track (rail track pixels). */
    public boolean hasTrack() {
        return this != ROAD;
    }
}
