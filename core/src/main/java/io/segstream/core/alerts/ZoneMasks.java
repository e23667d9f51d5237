package io.segstream.core.alerts;

import io.segstream.core.labels.LabelSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rasterised zones, cached per polygon and frame size, and the per-zone class fractions of a class-id mask.
 *
 * <p>The cache grows with the number of distinct (polygon, size) pairs, which a deployment keeps small:
 * one entry per zone definition and camera resolution. Thread-safe. {@link #shared()} is the one cache of
 * the process: the segmenter (zone fractions) and the alert engine (alert boxes) use it, so a zone is
 * rasterised once per process, not once per stage.
 *
 * <pre>{@code
 * ZoneMasks masks = new ZoneMasks();
 * Map<String, Map<String, Float>> perZone =
 *         masks.zoneClassFractions(rules.zonesFor("rail-01"), classIds, width, height, labelSet);
 * }</pre>
 */
public final class ZoneMasks {
    private record Key(Polygon polygon, int width, int height) {
    }

    private static final ZoneMasks SHARED = new ZoneMasks();

    private final Map<Key, ZoneMask> cache = new ConcurrentHashMap<>();

    /** The process-wide cache; a zone mask depends only on its polygon and size, so any stage may reuse it. */
    public static ZoneMasks shared() {
        return SHARED;
    }

    /** The mask of {@code polygon} at {@code width} x {@code height}, rasterised on first use. */
    public ZoneMask mask(Polygon polygon, int width, int height) {
        return cache.computeIfAbsent(new Key(polygon, width, height),
                k -> ZoneMask.rasterise(k.polygon(), k.width(), k.height()));
    }

    /**
     * Class fractions of each zone (zone id to class name to fraction of the zone's pixels) for a class-id
     * mask of {@code width} x {@code height}, in the zones' order.
     */
    public Map<String, Map<String, Float>> zoneClassFractions(
            Map<String, Polygon> zones, byte[] classIds, int width, int height, LabelSet labelSet) {
        Map<String, Map<String, Float>> result = new LinkedHashMap<>();
        zones.forEach((id, polygon) -> result.put(id, mask(polygon, width, height).classFractions(classIds, labelSet)));
        return result;
    }

    /** Number of cached masks. */
    public int size() {
        return cache.size();
    }
}
