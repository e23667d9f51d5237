package io.segstream.core.scenes;

/**
 * A change in a drive: an intruding actor enters or leaves an area at a frame.
 *
 * @param frame      first frame in which the new state holds
 * @param time       time of that frame in seconds from the start of the drive
 * @param type       {@link Type#ENTER} or {@link Type#EXIT}
 * @param intrusion  index of the intrusion in {@link DriveGenerator#intrusions()}
 * @param actor      who
 * @param area       which area
 * @param instanceId the actor's value in the instanceIds images (stable over the drive)
 * @param distance   distance ahead of the camera at that frame, metres
 */
public record DriveEvent(int frame, double time, Type type, int intrusion, Actor actor, Area area, int instanceId,
        double distance) {

    /** Whether the actor entered or left the area. */
    public enum Type {
        ENTER, EXIT;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
