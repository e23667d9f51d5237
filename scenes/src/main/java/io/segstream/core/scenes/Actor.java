package io.segstream.core.scenes;

/** What can intrude into the track or the carriageway, and the Cityscapes label it is drawn with. */
public enum Actor {
    PERSON("person", 1.4),
    CYCLIST("rider", 4.0),
    CAR("car", 4.0),
    TRUCK("truck", 3.0);

    private final String label;
    private final double walkingSpeed;

    Actor(String label, double walkingSpeed) {
        this.label = label;
        this.walkingSpeed = walkingSpeed;
    }

    /** The Cityscapes label of the actor's main instance ({@code rider} for a cyclist; the bicycle is its own). */
    public String label() {
        return label;
    }

    /** Speed in m/s at which the actor moves when entering or leaving an area on its own. */
    public double speed() {
        return walkingSpeed;
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
