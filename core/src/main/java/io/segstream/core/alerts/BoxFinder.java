package io.segstream.core.alerts;

import java.util.List;

/** Finds the box around the pixels of some classes in a zone of one frame, computed only when an alert needs it. */
@FunctionalInterface
public interface BoxFinder {
    /** A finder for frames whose pixels are not at hand: alerts then carry no box. */
    BoxFinder NONE = (zoneId, classes) -> null;

    /**
     * The box in normalised coordinates, or null when no pixel of {@code classes} lies in the zone.
     *
     * @param zoneId zone id, or null for the whole frame
     */
    NormalisedBox find(String zoneId, List<String> classes);
}
