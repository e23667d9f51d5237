package io.segstream.core.alerts;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.labels.UnknownLabelException;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.ZoneFractions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link SegmentationMask} record into the {@link FrameFractions} the alert engine reads.
 *
 * <p>Fractions come from the record's {@code class_fractions} and {@code zone_fractions}. Alert boxes come
 * from the mask's class-id array, decoded only when a rule raises or clears on that frame, whatever the mask
 * encoding ({@link MaskCodec}: PNG or RLE), for masks whose label set is built in. Masks that do not decode
 * give alerts without a box.
 *
 * <pre>{@code
 * FrameFractions frame = MaskFrames.toFrame(mask, engine.zonesFor(mask.getCameraId()), zoneMasks);
 * }</pre>
 */
public final class MaskFrames {
    private static final Logger LOG = LoggerFactory.getLogger(MaskFrames.class);

    private MaskFrames() {
    }

    /**
     * The frame of one mask record, with a box finder that decodes the mask only if an alert asks for a box.
     *
     * @param zones     the camera's zone polygons ({@link AlertEngine#zonesFor}), for boxes
     * @param zoneMasks rasterisation cache for boxes
     */
    public static FrameFractions toFrame(SegmentationMask mask, Map<String, Polygon> zones, ZoneMasks zoneMasks) {
        Map<String, Map<String, Float>> perZone = new LinkedHashMap<>();
        for (ZoneFractions z : mask.getZoneFractions()) {
            perZone.put(z.getZoneId(), z.getClassFractions());
        }
        BoxFinder boxes = new LazyMaskBoxFinder(mask, zones, zoneMasks);
        return new FrameFractions(mask.getCameraId(), mask.getSeq(), mask.getCaptureTime().toEpochMilli(),
                mask.getClassFractions(), perZone, boxes);
    }

    /** Decodes the mask to class ids on the first box asked for, once per frame. */
    private static final class LazyMaskBoxFinder implements BoxFinder {
        private final SegmentationMask mask;
        private final Map<String, Polygon> zones;
        private final ZoneMasks zoneMasks;
        private BoxFinder decoded;

        LazyMaskBoxFinder(SegmentationMask mask, Map<String, Polygon> zones, ZoneMasks zoneMasks) {
            this.mask = mask;
            this.zones = zones;
            this.zoneMasks = zoneMasks;
        }

        @Override
        public NormalisedBox find(String zoneId, List<String> classes) {
            if (decoded == null) {
                decoded = decode();
            }
            return decoded.find(zoneId, classes);
        }

        private BoxFinder decode() {
            String source = "mask of camera " + mask.getCameraId() + " seq " + mask.getSeq();
            try {
                LabelSet labelSet = LabelSet.named(mask.getLabelSet());
                ClassMask classes = MaskCodec.decode(AvroBytes.toArray(mask.getMask()), mask.getMaskEncoding(), source);
                return new MaskBoxFinder(classes.classIds(), classes.width(), classes.height(), labelSet, zones,
                        zoneMasks);
            } catch (ImageFormatException | UnknownLabelException e) {
                LOG.warn("alert without a box: {}", e.getMessage());
                return BoxFinder.NONE;
            }
        }
    }
}
