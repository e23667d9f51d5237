package io.segstream.core.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.imaging.LabelPng;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneWriterTest {
    private static final int W = 192;
    private static final int H = 96;

    @TempDir
    Path tmp;

    private static SceneGenerator gen(long seed) {
        return SceneGenerator.builder().setSize(W, H).optSeed(seed).build();
    }

    private static TreeSet<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void scenesLandInTheCityscapesLayoutWithTheirExactLabels() throws Exception {
        Path root = tmp.resolve("a");
        SceneWriter.writeScenes(gen(1), root, "val", 5, 2, ProgressListener.none());
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < 5; i++) {
            String city = SceneWriter.CITIES.get(i % 4);
            String stem = String.format("%s_%06d_000019", city, i / 4);
            expected.add("leftImg8bit/val/" + city + "/" + stem + "_leftImg8bit.png");
            for (String kind : new String[] {"labelIds", "instanceIds", "color"}) {
                expected.add("gtFine/val/" + city + "/" + stem + "_gtFine_" + kind + ".png");
            }
        }
        assertEquals(expected, files(root));
        assertEquals("aldmoor_000001_000019", SceneWriter.stillId(4).stem());

        Scene s = gen(1).render(4);
        SceneWriter.FrameId id = SceneWriter.stillId(4);
        assertArrayEquals(s.labelIds().values(),
                LabelPng.read8(SceneWriter.labelPath(root, "val", id, "labelIds")).values());
        assertArrayEquals(s.instanceIds().values(),
                LabelPng.read16(SceneWriter.labelPath(root, "val", id, "instanceIds")).values());
        assertArrayEquals(s.rgb(), readRgb(SceneWriter.imagePath(root, "val", id, false)));
        assertArrayEquals(s.colorImage(), readRgb(SceneWriter.labelPath(root, "val", id, "color")));
    }

    private static int[] readRgb(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3, img.getRaster().getNumBands(), png + " is RGB");
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xFFFFFF;
        }
        return px;
    }

    @Test
    void theSameSeedWritesTheSameBytesWhateverTheThreads() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        SceneWriter.writeScenes(gen(7), a, "train", 4, 3, ProgressListener.none());
        SceneWriter.writeScenes(gen(7), b, "train", 4, 1, ProgressListener.none());
        SceneWriter.writeScenes(gen(8), c, "train", 4, 2, ProgressListener.none());
        assertEquals(files(a), files(b));
        for (String f : files(a)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
            assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(c.resolve(f))),
                    f + " differs under another seed");
        }
    }

    @Test
    void progressIsReportedForEveryScene() throws Exception {
        List<Integer> seen = new ArrayList<>();
        SceneWriter.writeScenes(gen(2), tmp.resolve("p"), "train", 3, 2, (done, total) -> {
            assertEquals(3, total);
            seen.add(done);
        });
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void aDriveWritesItsFramesInOrderWithLabelsAndEvents() throws Exception {
        Path root = tmp.resolve("d");
        DriveGenerator drive = DriveGenerator.builder().setSize(W, H).setFrames(8).optKind(SceneKind.RAIL).optSeed(3)
                .optIntrusion(Intrusion.of(Actor.PERSON, Area.TRACK, 2, 5)).build();
        List<Integer> order = new ArrayList<>();
        Path json = SceneWriter.writeDrive(drive, root, "train", 1, 2, "drive.mp4", "test-codec",
                (f, scene) -> order.add(f), ProgressListener.none());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), order);
        assertEquals(root.resolve("drives/brennfeld_000000/drive.json"), json);
        TreeSet<String> all = files(root);
        for (int f = 0; f < 8; f++) {
            String stem = String.format("brennfeld_000000_%06d", f);
            assertTrue(all.contains("leftImg8bit_sequence/train/brennfeld/" + stem + "_leftImg8bit.png"), stem);
            assertTrue(all.contains("leftImg8bit/train/brennfeld/" + stem + "_leftImg8bit.png"), stem);
            assertTrue(all.contains("gtFine/train/brennfeld/" + stem + "_gtFine_labelIds.png"), stem);
            assertTrue(all.contains("gtFine/train/brennfeld/" + stem + "_gtFine_instanceIds.png"), stem);
            assertTrue(all.contains("gtFine/train/brennfeld/" + stem + "_gtFine_color.png"), stem);
        }
        assertEquals(8 * 5 + 1, all.size());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertEquals("rail", doc.get("layout").asText());
        assertEquals("test-codec", doc.get("codec").asText());
        assertEquals(8, doc.get("frameCount").asInt());
        assertEquals(8, doc.get("frames").size());
        assertEquals(2, doc.get("events").get(0).get("frame").asInt());
        assertEquals("enter", doc.get("events").get(0).get("type").asText());
        assertEquals(6, doc.get("events").get(1).get("frame").asInt());
        assertEquals("exit", doc.get("events").get(1).get("type").asText());
        assertEquals("track", doc.get("zones").get(0).get("area").asText());
        assertEquals("../..", doc.get("root").asText());
        assertTrue(doc.get("intrusions").get(0).get("scripted").asBoolean());
        assertEquals(24000, doc.get("intrusions").get(0).get("instanceId").asInt());
        JsonNode third = doc.get("frames").get(3);
        assertEquals("leftImg8bit_sequence/train/brennfeld/brennfeld_000000_000003_leftImg8bit.png",
                third.get("image").asText());
        assertTrue(third.get("intruders").get(0).get("inside").asBoolean());
        assertTrue(third.get("intruders").get(0).get("pixels").asInt() > 0);
        assertFalse(doc.get("frames").get(7).get("intruders").get(0).get("inside").asBoolean());
    }

    @Test
    void anUnknownSplitIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SceneWriter.writeScenes(gen(1), tmp, "training", 1, 1, ProgressListener.none()));
        assertEquals("split 'training' is not a Cityscapes split; use one of train, val, test", e.getMessage());
    }
}
