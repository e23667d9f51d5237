package io.segstream.core.alerts;

import io.segstream.schemas.BoundingBox;

/**
 * An axis-aligned box in normalised image coordinates (0..1), min inclusive and max exclusive edges.
 *
 * @param xMin left edge
 * @param yMin top edge
 * @param xMax right edge
 * @param yMax bottom edge
 */
public record NormalisedBox(float xMin, float yMin, float xMax, float yMax) {

    public NormalisedBox {
        if (!(0 <= xMin && xMin <= xMax && xMax <= 1 && 0 <= yMin && yMin <= yMax && yMax <= 1)) {
            throw new IllegalArgumentException("box [" + xMin + ", " + yMin + ", " + xMax + ", " + yMax
                    + "] must satisfy 0 <= min <= max <= 1 on both axes");
        }
    }

    /** The Avro form used in {@code Alert.bbox}. */
    public BoundingBox toAvro() {
        return new BoundingBox(xMin, yMin, xMax, yMax);
    }
}
