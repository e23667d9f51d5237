package io.segstream.core.scenes;

/** Where on the ground an object stands, judged by its ground centre point. */
public enum Area {
    /** The carriageway of the road (lanes, parking lanes, crossing streets). */
    CARRIAGEWAY,
    /** The ballast bed of the track the camera follows (or the tram track). */
    TRACK,
    /** Sidewalks and platforms. */
    SIDEWALK,
    /** Anywhere else: verges, fields, other tracks. */
    ROADSIDE;

    /** The name used in file formats, e.g. {@code track}. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
