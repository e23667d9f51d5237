package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRef;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import io.segstream.schemas.ZoneFractions;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskFramesTest {
    private static final Map<String, Polygon> ZONES =
            Map.of("right", Polygon.of(0.5, 0, 1, 0, 1, 1, 0.5, 1));

    /** A 4x2 mask with cars at (1,0) and (3,1); the zone 'right' holds x = 2, 3. */
    private static SegmentationMask mask(MaskEncoding encoding, byte[] payload) {
        return SegmentationMask.newBuilder()
                .setCameraId("road-3").setSeq(17).setCaptureTime(Instant.ofEpochMilli(5_000))
                .setModel(new ModelRef("baseline", "v1", "")).setLabelSet("rail-20")
                .setWidth(4).setHeight(2).setMaskEncoding(encoding).setMask(ByteBuffer.wrap(payload))
                .setClassFractions(Map.of("car", 0.25f))
                .setZoneFractions(List.of(new ZoneFractions("right", Map.of("car", 0.25f))))
                .setTimings(new StageTimings(0f, 0f, 0f, 0f, 0f))
                .build();
    }

    private static byte[] png() {
        byte car = (byte) LabelSet.named("rail-20").classNames().indexOf("car");
        return LabelPng.encode8(LabelImage.of8(4, 2, new byte[] {0, car, 0, 0, 0, 0, 0, car}));
    }

    private static byte[] rle() {
        byte car = (byte) LabelSet.named("rail-20").classNames().indexOf("car");
        return MaskCodec.encodeRle(new ClassMask(4, 2, new byte[] {0, car, 0, 0, 0, 0, 0, car}));
    }

    @Test
    void copiesIdentityTimeAndFractions() {
        FrameFractions frame = MaskFrames.toFrame(mask(MaskEncoding.PNG_CLASS_IDS, png()), ZONES, new ZoneMasks());
        assertEquals("road-3", frame.cameraId());
        assertEquals(17, frame.seq());
        assertEquals(5_000, frame.captureTimeMillis());
        assertEquals(0.25, frame.coverage(null, List.of("car")));
        assertEquals(0.25, frame.coverage("right", List.of("car", "bus")));
    }

    @Test
    void boxesComeFromThePngPixels() {
        BoxFinder boxes = MaskFrames.toFrame(mask(MaskEncoding.PNG_CLASS_IDS, png()), ZONES, new ZoneMasks())
                .boxFinder();
        assertEquals(new NormalisedBox(0.75f, 0.5f, 1f, 1f), boxes.find("right", List.of("car")));
        assertEquals(new NormalisedBox(0.25f, 0f, 1f, 1f), boxes.find(null, List.of("car")));
        assertNull(boxes.find("right", List.of("person")));
    }

    @Test
    void rleMasksGetTheSameBoxesAsPngMasks() {
        BoxFinder boxes = MaskFrames.toFrame(mask(MaskEncoding.RLE, rle()), ZONES, new ZoneMasks()).boxFinder();
        assertEquals(new NormalisedBox(0.75f, 0.5f, 1f, 1f), boxes.find("right", List.of("car")));
        assertEquals(new NormalisedBox(0.25f, 0f, 1f, 1f), boxes.find(null, List.of("car")));
        assertNull(boxes.find("right", List.of("person")));
    }

    @Test
    void masksWithoutDecodablePixelsGiveNoBox() {
        assertNull(MaskFrames.toFrame(mask(MaskEncoding.RLE, new byte[] {1, 2, 3}), ZONES, new ZoneMasks())
                .boxFinder().find("right", List.of("car")));
        assertNull(MaskFrames.toFrame(mask(MaskEncoding.PNG_CLASS_IDS, new byte[] {1, 2, 3}), ZONES, new ZoneMasks())
                .boxFinder().find("right", List.of("car")));
    }
}
