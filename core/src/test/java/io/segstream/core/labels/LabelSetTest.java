package io.segstream.core.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSetTest {
    /** The official label table as Cityscapes' labels.py defines it (name|id|trainId|category|catId|inst|ignore|r,g,b). */
    private static final String OFFICIAL = """
            unlabeled|0|255|void|0|False|True|0,0,0
            ego vehicle|1|255|void|0|False|True|0,0,0
            rectification border|2|255|void|0|False|True|0,0,0
            out of roi|3|255|void|0|False|True|0,0,0
            static|4|255|void|0|False|True|0,0,0
            dynamic|5|255|void|0|False|True|111,74,0
            ground|6|255|void|0|False|True|81,0,81
            road|7|0|flat|1|False|False|128,64,128
            sidewalk|8|1|flat|1|False|False|244,35,232
            parking|9|255|flat|1|False|True|250,170,160
            rail track|10|255|flat|1|False|True|230,150,140
            building|11|2|construction|2|False|False|70,70,70
            wall|12|3|construction|2|False|False|102,102,156
            fence|13|4|construction|2|False|False|190,153,153
            guard rail|14|255|construction|2|False|True|180,165,180
            bridge|15|255|construction|2|False|True|150,100,100
            tunnel|16|255|construction|2|False|True|150,120,90
            pole|17|5|object|3|False|False|153,153,153
            polegroup|18|255|object|3|False|True|153,153,153
            traffic light|19|6|object|3|False|False|250,170,30
            traffic sign|20|7|object|3|False|False|220,220,0
            vegetation|21|8|nature|4|False|False|107,142,35
            terrain|22|9|nature|4|False|False|152,251,152
            sky|23|10|sky|5|False|False|70,130,180
            person|24|11|human|6|True|False|220,20,60
            rider|25|12|human|6|True|False|255,0,0
            car|26|13|vehicle|7|True|False|0,0,142
            truck|27|14|vehicle|7|True|False|0,0,70
            bus|28|15|vehicle|7|True|False|0,60,100
            caravan|29|255|vehicle|7|True|True|0,0,90
            trailer|30|255|vehicle|7|True|True|0,0,110
            train|31|16|vehicle|7|True|False|0,80,100
            motorcycle|32|17|vehicle|7|True|False|0,0,230
            bicycle|33|18|vehicle|7|True|False|119,11,32
            license plate|-1|-1|vehicle|7|False|True|0,0,142
            """;

    private static List<Label> officialTable() {
        List<Label> out = new ArrayList<>();
        for (String line : OFFICIAL.strip().split("\n")) {
            String[] f = line.strip().split("\\|");
            String[] c = f[7].split(",");
            int rgb = (Integer.parseInt(c[0]) << 16) | (Integer.parseInt(c[1]) << 8) | Integer.parseInt(c[2]);
            out.add(new Label(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3], Integer.parseInt(f[4]),
                    Boolean.parseBoolean(f[5]), Boolean.parseBoolean(f[6]), rgb));
        }
        return out;
    }

    @Test
    void cityscapes19HoldsTheOfficialTableExactly() {
        assertEquals(officialTable(), LabelSet.named("cityscapes-19").labels());
    }

    @Test
    void cityscapes34HoldsTheOfficialTableWithLabelIdsAsClasses() {
        LabelSet set = LabelSet.named("cityscapes-34");
        assertEquals(officialTable(), set.labels());
        assertTrue(set.classIdsAreLabelIds());
        assertEquals(34, set.numClasses());
        for (int id = 0; id < 34; id++) {
            assertEquals(id, set.classLabel(id).id());
            assertEquals(id, set.classIdOfLabelId(id));
        }
    }

    @Test
    void rail20DiffersFromTheOfficialTableOnlyInRailTrack() {
        LabelSet rail = LabelSet.named("rail-20");
        List<Label> expected = new ArrayList<>();
        for (Label l : officialTable()) {
            expected.add(l.name().equals("rail track")
                    ? new Label("rail track", 10, 19, "flat", 1, false, false, (230 << 16) | (150 << 8) | 140)
                    : l);
        }
        assertEquals(expected, rail.labels());
        assertEquals(20, rail.numClasses());
        assertEquals("rail track", rail.classLabel(19).name());
        assertEquals(19, rail.classIdOfLabelId(10));
        assertEquals(10, rail.labelIdOfClassId(19));
        assertEquals(LabelSet.IGNORE, LabelSet.named("cityscapes-19").classIdOfLabelId(10));
    }

    @Test
    void trainIdClassesAreTheNineteenInOfficialOrder() {
        LabelSet set = LabelSet.named("cityscapes-19");
        assertEquals(List.of("road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
                "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle",
                "bicycle"), set.classNames());
        assertFalse(set.classIdsAreLabelIds());
        assertSame(set, LabelSet.defaultSet());
        assertSame(set, LabelSet.named("cityscapes-19"), "sets are loaded once");
    }

    @Test
    void labelIdsConvertToTrainIdsAndBack() {
        LabelSet set = LabelSet.named("rail-20");
        byte[] labelIds = {7, 8, 10, 0, 24, 26, 29, 33, 18, 17};
        byte[] expectedTrain = {0, 1, 19, (byte) 255, 11, 13, (byte) 255, 18, (byte) 255, 5};
        assertArrayEquals(expectedTrain, set.labelIdsToClassIds(labelIds, "t"));
        // ignored classes come back as unlabeled (0); the rest round-trips
        byte[] expectedBack = {7, 8, 10, 0, 24, 26, 0, 33, 0, 17};
        assertArrayEquals(expectedBack, set.classIdsToLabelIds(expectedTrain, "t"));
    }

    @Test
    void coloursFollowTheOfficialTable() {
        LabelSet set = LabelSet.named("cityscapes-19");
        assertEquals(0x804080, set.classColor(0), "road is 128,64,128");
        assertEquals(0xDC143C, set.classColor(11), "person is 220,20,60");
        assertEquals(0, set.classColor(LabelSet.IGNORE));
        assertEquals(13, set.classIdOfColor(0x00008E), "car and license plate share 0,0,142; car wins");
        assertEquals(5, set.classIdOfColor(0x999999), "pole and polegroup share 153,153,153; pole wins");
        assertEquals(LabelSet.IGNORE, set.classIdOfColor(0xE6968C), "rail track is ignored by cityscapes-19");
        assertEquals(19, LabelSet.named("rail-20").classIdOfColor(0xE6968C));
        assertEquals(LabelSet.IGNORE, set.classIdOfColor(0x000000));
        int[] palette = set.classPalette();
        assertEquals(0x4682B4, palette[10], "sky is 70,130,180");
        assertEquals(0, palette[200]);
    }

    @Test
    void colourImagesConvertToAndFromIds() {
        LabelSet set = LabelSet.named("cityscapes-19");
        byte[] labelIds = {7, 23, 26, 0, 5};
        int[] rgb = set.labelIdsToColors(labelIds, "t");
        assertArrayEquals(new int[] {0x804080, 0x4682B4, 0x00008E, 0x000000, 0x6F4A00}, rgb);
        int[] withAlpha = rgb.clone();
        withAlpha[0] |= 0xFF000000;
        assertArrayEquals(new byte[] {0, 10, 13, (byte) 255, (byte) 255}, set.colorsToClassIds(withAlpha, "t"));
    }

    @Test
    void unknownIdsNamesAndColoursFailWithClearMessages() {
        LabelSet set = LabelSet.named("cityscapes-19");
        UnknownLabelException e = assertThrows(UnknownLabelException.class,
                () -> set.labelIdsToClassIds(new byte[] {7, 7, 40}, "frame.png"));
        assertEquals("frame.png: pixel 2 holds label id 40, which is not a Cityscapes label id", e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.classIdsToLabelIds(new byte[] {0, 19}, "mask.png"));
        assertEquals("mask.png: pixel 1 holds class id 19, which label set 'cityscapes-19' does not define (0..18)",
                e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.classLabel(25));
        assertEquals("label set 'cityscapes-19' has no class id 25 (class ids run 0..18)", e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.byName("tram"));
        assertEquals("label set 'cityscapes-19' has no label named 'tram'", e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.byId(34));
        assertEquals("label id 34 is not a Cityscapes label id (label set 'cityscapes-19' knows -1 and 0..33)",
                e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.classIdOfColor(0x123456));
        assertEquals("colour #123456 is not a colour of label set 'cityscapes-19'", e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> set.colorsToClassIds(new int[] {0x804080, 0x010203}, "c.png"));
        assertEquals("c.png: pixel 1 holds colour #010203, which is not a colour of label set 'cityscapes-19'",
                e.getMessage());

        e = assertThrows(UnknownLabelException.class, () -> LabelSet.named("cityscapes-20"));
        assertEquals("unknown label set 'cityscapes-20'; known sets are cityscapes-19, cityscapes-34, rail-20",
                e.getMessage());
    }

    @Test
    void licensePlateHasNoIdButIsFoundByMinusOne() {
        LabelSet set = LabelSet.named("cityscapes-34");
        assertEquals("license plate", set.byId(-1).name());
        assertFalse(set.isKnownLabelId(-1));
        assertEquals(33, set.maxLabelId());
    }
}
