package io.segstream.core.alerts;

import io.segstream.core.labels.LabelSet;
import java.util.List;
import java.util.Map;

/**
 * Finds alert boxes in a class-id mask: the box around the zone's pixels whose class is one of the rule's.
 * Class names that the mask's label set lacks match no pixel.
 *
 * <pre>{@code
 * BoxFinder boxes = new MaskBoxFinder(classIds, width, height, labelSet, rules.zonesFor(cameraId), zoneMasks);
 * }</pre>
 */
public final class MaskBoxFinder implements BoxFinder {
    private final byte[] classIds;
    private final int width;
    private final int height;
    private final LabelSet labelSet;
    private final Map<String, Polygon> zones;
    private final ZoneMasks zoneMasks;

    /**
     * @param classIds  class id per pixel, row-major, {@code width * height} bytes
     * @param zones     the camera's zone polygons by zone id ({@link AlertRules#zonesFor})
     * @param zoneMasks the rasterisation cache to use
     */
    public MaskBoxFinder(byte[] classIds, int width, int height, LabelSet labelSet, Map<String, Polygon> zones,
            ZoneMasks zoneMasks) {
        if (classIds.length != width * height) {
            throw new IllegalArgumentException("class-id mask has " + classIds.length + " pixels, not " + width
                    + "x" + height + " = " + (width * height));
        }
        this.classIds = classIds;
        this.width = width;
        this.height = height;
        this.labelSet = labelSet;
        this.zones = zones;
        this.zoneMasks = zoneMasks;
    }

    @Override
    public NormalisedBox find(String zoneId, List<String> classes) {
        ZoneMask mask;
        if (zoneId == null) {
            mask = zoneMasks.mask(Polygon.fullFrame(), width, height);
        } else {
            Polygon polygon = zones.get(zoneId);
            if (polygon == null) {
                return null;
            }
            mask = zoneMasks.mask(polygon, width, height);
        }
        boolean[] selected = new boolean[256];
        List<String> names = labelSet.classNames();
        for (int c = 0; c < names.size(); c++) {
            selected[c] = classes.contains(names.get(c));
        }
        return mask.boundingBox(classIds, selected);
    }
}
