package io.segstream.core.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.labels.Label;
import io.segstream.core.labels.LabelSet;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SceneGeneratorTest {
    private static final LabelSet CS = LabelSet.named("cityscapes-34");
    private static final int W = 320;
    private static final int H = 160;

    private static SceneGenerator gen(SceneKind kind, long seed) {
        return SceneGenerator.builder().setSize(W, H).optKind(kind).optSeed(seed).build();
    }

    @Test
    void theSameSeedRendersTheSameSceneAndAnotherSeedAnotherOne() {
        Scene a = gen(SceneKind.MIXED, 5).render(3);
        Scene b = gen(SceneKind.MIXED, 5).render(3);
        assertArrayEquals(a.rgb(), b.rgb());
        assertArrayEquals(a.labelIds().values(), b.labelIds().values());
        assertArrayEquals(a.instanceIds().values(), b.instanceIds().values());
        assertEquals(a.objects(), b.objects());
        Scene c = gen(SceneKind.MIXED, 6).render(3);
        assertFalse(Arrays.equals(a.rgb(), c.rgb()));
        Scene d = gen(SceneKind.MIXED, 5).render(4);
        assertFalse(Arrays.equals(a.labelIds().values(), d.labelIds().values()));
    }

    @Test
    void everyPixelHoldsAKnownLabelAndInstanceIdsFollowCityscapes() {
        SceneGenerator g = gen(SceneKind.MIXED, 11);
        for (int i = 0; i < 6; i++) {
            Scene s = g.render(i);
            int[] labels = s.labelIds().values();
            int[] inst = s.instanceIds().values();
            for (int p = 0; p < labels.length; p++) {
                int id = labels[p];
                assertTrue(CS.isKnownLabelId(id), "scene " + i + " pixel " + p + " holds label id " + id);
                assertTrue(id != 0, "scene " + i + " pixel " + p + " is unlabeled");
                if (CS.byId(id).hasInstances()) {
                    assertEquals(id, inst[p] / 1000, "scene " + i + " pixel " + p);
                    assertTrue(inst[p] >= 1000);
                } else {
                    assertEquals(id, inst[p], "scene " + i + " pixel " + p);
                }
            }
        }
    }

    @Test
    void objectsDescribeTheirInstancePixels() {
        SceneGenerator g = gen(SceneKind.ROAD, 2);
        int seen = 0;
        for (int i = 0; i < 4; i++) {
            Scene s = g.render(i);
            int[] inst = s.instanceIds().values();
            for (SceneObject o : s.objects()) {
                Label label = CS.byId(o.labelId());
                assertEquals(label.name(), o.label());
                assertTrue(label.hasInstances());
                assertEquals(o.labelId(), o.instanceId() / 1000);
                int count = 0;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        if (inst[y * W + x] == o.instanceId()) {
                            count++;
                            assertTrue(o.box().contains(x, y), o + " has pixel " + x + "," + y + " outside its box");
                        }
                    }
                }
                assertEquals(o.pixels(), count, o.toString());
                seen++;
            }
            long distinct = Arrays.stream(inst).filter(v -> v >= 1000).distinct().count();
            assertEquals(distinct, s.objects().size(), "every visible instance is listed once");
        }
        assertTrue(seen > 20, "road scenes hold people and vehicles, saw " + seen);
    }

    @Test
    void labelsDoNotDependOnTheAppearanceAndFlatColoursEqualTheColourImage() {
        SceneGenerator realistic = gen(SceneKind.MIXED, 8);
        SceneGenerator flat = SceneGenerator.builder().setSize(W, H).optSeed(8).optAppearance(Appearance.FLAT).build();
        for (int i = 0; i < 4; i++) {
            Scene r = realistic.render(i);
            Scene f = flat.render(i);
            assertArrayEquals(r.labelIds().values(), f.labelIds().values(), "scene " + i);
            assertArrayEquals(r.instanceIds().values(), f.instanceIds().values(), "scene " + i);
            assertArrayEquals(f.colorImage(), f.rgb(), "scene " + i);
            assertFalse(Arrays.equals(r.colorImage(), r.rgb()));
        }
    }

    @Test
    void railScenesShowTheTrackAheadAndRoadScenesHaveNone() {
        for (int i = 0; i < 4; i++) {
            Scene s = gen(SceneKind.RAIL, 21).render(i);
            assertEquals(SceneLayout.RAIL, s.layout());
            assertTrue(s.layout().hasTrack());
            assertEquals(10, s.labelIds().get(W / 2, H - 1), "rail scene " + i + " bottom centre");
            assertTrue(count(s, 10) > W * H / 20, "rail scene " + i + " has rail track pixels");
            Scene road = gen(SceneKind.ROAD, 21).render(i);
            assertEquals(0, count(road, 10), "road scene " + i + " has no track");
            assertTrue(count(road, 7) > W * H / 10, "road scene " + i + " has road");
        }
    }

    @Test
    void areaZonesHoldOnlyTheirOwnGroundOrWhatStandsOnIt() {
        Set<Integer> things = Set.of(24, 25, 26, 27, 28, 29, 30, 31, 32, 33);
        for (SceneKind kind : new SceneKind[] {SceneKind.RAIL, SceneKind.ROAD, SceneKind.MIXED}) {
            SceneGenerator g = gen(kind, 4);
            for (int i = 0; i < 4; i++) {
                Scene s = g.render(i);
                for (AreaOutline z : s.zones()) {
                    if (z.area() == Area.CARRIAGEWAY && s.layout() == SceneLayout.RAIL) {
                        continue; // a road beside the railway lies behind lineside fences and masts
                    }
                    Set<Integer> allowed = new TreeSet<>(things);
                    allowed.add(1);
                    if (z.area() == Area.TRACK || s.layout() == SceneLayout.ROAD_WITH_TRAM) {
                        allowed.add(10);
                    }
                    if (z.area() == Area.CARRIAGEWAY) {
                        allowed.add(7);
                    }
                    int checked = 0;
                    for (int y = 1; y < H - 1; y++) {
                        for (int x = 1; x < W - 1; x++) {
                            if (insideWithMargin(z, x, y)) {
                                int id = s.labelIds().get(x, y);
                                assertTrue(allowed.contains(id), kind + " scene " + i + " " + z.area() + " zone pixel "
                                        + x + "," + y + " holds label " + id);
                                checked++;
                            }
                        }
                    }
                    assertTrue(checked > 50, kind + " scene " + i + " " + z.area() + " zone covers pixels");
                }
            }
        }
    }

    private static boolean insideWithMargin(AreaOutline z, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                if (!z.contains((x + 0.5 + dx) / W, (y + 0.5 + dy) / H)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void scenesCoverTheCityscapesClasses() {
        Set<Integer> seen = new TreeSet<>();
        SceneGenerator g = gen(SceneKind.MIXED, 1);
        for (int i = 0; i < 16; i++) {
            for (int v : g.render(i).labelIds().values()) {
                seen.add(v);
            }
        }
        for (String name : new String[] {"road", "sidewalk", "rail track", "building", "fence", "pole", "traffic light",
            "traffic sign", "vegetation", "terrain", "sky", "person", "car", "truck", "bus", "train", "bicycle"}) {
            assertTrue(seen.contains(CS.byName(name).id()), name + " appears in 16 mixed scenes; seen " + seen);
        }
    }

    @Test
    void thingsStandOnTheGroundWhereTheCameraProjectsThem() {
        DriveGenerator d = DriveGenerator.builder().setSize(W, H).setFrames(5).optKind(SceneKind.RAIL).optSeed(3)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 0, 4).withDistance(20)).build();
        Scene s = d.render(2);
        SceneObject person = s.objects().stream().filter(o -> o.intrusion() == 0).findFirst().orElseThrow();
        double distance = 20 - d.speed() * 2 / d.fps();
        assertEquals(distance, person.distance(), 1e-9);
        Camera c = s.camera();
        double feetRow = c.horizonRow() + c.focal() * c.mountHeight() / distance;
        assertEquals(Math.ceil(feetRow), person.box().y1(), 1.0, "the box ends where the feet touch the ground");
        int bottomRow = -1;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                if (s.instanceIds().get(x, y) == person.instanceId()) {
                    bottomRow = Math.max(bottomRow, y);
                }
            }
        }
        assertEquals(feetRow, bottomRow + 0.5, 1.5, "the lowest person pixel sits on the ground line");
        double heightPx = person.box().height();
        assertTrue(heightPx > c.focal() * 1.5 / distance && heightPx < c.focal() * 2.0 / distance,
                "a person is 1.55 to 1.95 m tall: " + heightPx + " px at " + distance + " m");
    }

    @Test
    void theImageComesAsPackedIntsBytesAndABufferedImage() {
        Scene s = gen(SceneKind.ROAD, 1).render(0);
        byte[] bytes = s.rgbBytes();
        java.awt.image.BufferedImage img = s.toImage();
        for (int i = 0; i < W * H; i += 97) {
            int p = s.rgb()[i];
            assertEquals((p >> 16) & 0xFF, bytes[3 * i] & 0xFF);
            assertEquals((p >> 8) & 0xFF, bytes[3 * i + 1] & 0xFF);
            assertEquals(p & 0xFF, bytes[3 * i + 2] & 0xFF);
            assertEquals(p, img.getRGB(i % W, i / W) & 0xFFFFFF);
        }
    }

    @Test
    void intrudersComeInTheAskedShareAndMixTrucksOnTheTrackIncluded() {
        SceneGenerator byDefault = gen(SceneKind.RAIL, 31);
        SceneGenerator defaultSpelledOut = SceneGenerator.builder().setSize(W, H).optKind(SceneKind.RAIL).optSeed(31)
                .optIntruders(SceneGenerator.DEFAULT_INTRUDER_SHARE, null).build();
        SceneGenerator trucks = SceneGenerator.builder().setSize(W, H).optKind(SceneKind.RAIL).optSeed(31)
                .optIntruders(1.0, List.of(Actor.TRUCK)).build();
        SceneGenerator none = SceneGenerator.builder().setSize(W, H).optKind(SceneKind.RAIL).optSeed(31)
                .optIntruders(0.0, List.of(Actor.TRUCK)).build();
        int defaultIntruders = 0;
        int truckIntruders = 0;
        for (int i = 0; i < 12; i++) {
            Scene d = byDefault.render(i);
            assertArrayEquals(d.rgb(), defaultSpelledOut.render(i).rgb(), "the default mix keeps scene " + i);
            for (SceneObject o : intruders(d)) {
                assertNotEquals("truck", o.label(), "the default mix has no truck intruder, scene " + i);
                defaultIntruders++;
            }
            for (SceneObject o : intruders(trucks.render(i))) {
                assertEquals("truck", o.label(), "scene " + i);
                assertTrue(o.area() == Area.TRACK || o.area() == Area.CARRIAGEWAY, o.toString());
                truckIntruders++;
            }
            assertEquals(List.of(), intruders(none.render(i)), "share 0, scene " + i);
        }
        assertTrue(defaultIntruders < 12, "about 4 of 10 scenes have one by default, saw " + defaultIntruders);
        assertTrue(truckIntruders >= 10, "every scene has a truck intruder unless it is hidden, saw "
                + truckIntruders);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SceneGenerator.builder().setSize(W, H).optIntruders(1.5, null).build());
        assertEquals("the intruder share 1.5 must be between 0 and 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SceneGenerator.builder().setSize(W, H).optIntruders(0.5, List.of()).build());
        assertTrue(e.getMessage().startsWith("the intruder actors are empty"), e.getMessage());
    }

    private static List<SceneObject> intruders(Scene s) {
        return s.objects().stream().filter(o -> o.intrusion() >= 0).toList();
    }

    @Test
    void builderSaysWhatToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SceneGenerator.builder().build());
        assertEquals("the image size is required: call setSize(width, height)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SceneGenerator.builder().setSize(10, 500).build());
        assertEquals("image size 10x500 is out of range: width and height must be between 32 and 8192 pixels",
                e.getMessage());
    }

    private static int count(Scene s, int labelId) {
        int n = 0;
        for (int v : s.labelIds().values()) {
            n += v == labelId ? 1 : 0;
        }
        return n;
    }
}
