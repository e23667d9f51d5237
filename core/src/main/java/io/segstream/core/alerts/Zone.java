package io.segstream.core.alerts;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named zone with polygons at up to three scopes; for a camera the most specific one applies: its own
 * polygon, else the polygon of the first of the zone's groups (in the order the zone lists them) that the
 * camera belongs to, else the default.
 *
 * @param id             zone id
 * @param defaultPolygon polygon for every camera, or null when only some cameras have the zone
 * @param byGroup        polygon per camera group, in file order
 * @param byCamera       polygon per camera id
 */
public record Zone(String id, Polygon defaultPolygon, Map<String, Polygon> byGroup, Map<String, Polygon> byCamera)
        implements Serializable {

    public Zone {
        Objects.requireNonNull(id, "id");
        byGroup = Collections.unmodifiableMap(new LinkedHashMap<>(byGroup));
        byCamera = Collections.unmodifiableMap(new LinkedHashMap<>(byCamera));
        if (defaultPolygon == null && byGroup.isEmpty() && byCamera.isEmpty()) {
            throw new IllegalArgumentException("zone '" + id + "' has no polygon; give 'default', 'groups' or"
                    + " 'cameras'");
        }
    }

    /** The polygon for {@code cameraId}, which belongs to {@code cameraGroups}; null when the zone has none. */
    public Polygon polygonFor(String cameraId, List<String> cameraGroups) {
        Polygon own = byCamera.get(cameraId);
        if (own != null) {
            return own;
        }
        for (Map.Entry<String, Polygon> e : byGroup.entrySet()) {
            if (cameraGroups.contains(e.getKey())) {
                return e.getValue();
            }
        }
        return defaultPolygon;
    }
}
