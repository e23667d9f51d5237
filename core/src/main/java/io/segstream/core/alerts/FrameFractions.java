package io.segstream.core.alerts;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the alert engine needs from one segmented frame: who and when, the class fractions of the whole
 * frame and of each zone, and a way to find an alert's box.
 *
 * @param cameraId          camera id
 * @param seq               frame sequence number, increasing per camera
 * @param captureTimeMillis capture time, epoch milliseconds
 * @param classFractions    class name to fraction of the frame's pixels
 * @param zoneFractions     zone id to (class name to fraction of the zone's pixels)
 * @param boxFinder         box of an alert's pixels; {@link BoxFinder#NONE} when the pixels are not at hand
 */
public record FrameFractions(
        String cameraId,
        long seq,
        long captureTimeMillis,
        Map<String, Float> classFractions,
        Map<String, Map<String, Float>> zoneFractions,
        BoxFinder boxFinder) {

    public FrameFractions {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(classFractions, "classFractions");
        Objects.requireNonNull(zoneFractions, "zoneFractions");
        boxFinder = boxFinder == null ? BoxFinder.NONE : boxFinder;
    }

    /** Whether the frame carries fractions for {@code zoneId} (always true for null, the whole frame). */
    public boolean hasZone(String zoneId) {
        return zoneId == null || zoneFractions.containsKey(zoneId);
    }

    /**
     * Summed fraction of {@code classes} in the zone (null = whole frame); classes are disjoint in a mask, so
     * the sum is the covered fraction. A missing zone or class counts as 0.
     */
    public double coverage(String zoneId, List<String> classes) {
        Map<String, Float> fractions = zoneId == null ? classFractions : zoneFractions.getOrDefault(zoneId, Map.of());
        double sum = 0;
        for (String c : classes) {
            Float f = fractions.get(c);
            if (f != null) {
                sum += f;
            }
        }
        return Math.min(1.0, sum);
    }
}
