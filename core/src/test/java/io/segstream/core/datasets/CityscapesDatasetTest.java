package io.segstream.core.datasets;

import static io.segstream.core.datasets.TinyCityscapes.filled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CityscapesDatasetTest {
    @TempDir
    Path root;

    private TinyCityscapes data() {
        return new TinyCityscapes(root);
    }

    /** Two cities of val, written out of order, with an extra file of each kind the reader must skip. */
    private void writeVal() throws Exception {
        TinyCityscapes d = data();
        d.image("leftImg8bit", "val", "zurich", 0, 19, 4, 2);
        d.fineLabels("val", "zurich", 0, 19, filled(4, 2, 7));
        d.image("leftImg8bit", "val", "aachen", 12, 19, 4, 2);
        d.fineLabels("val", "aachen", 12, 19, filled(4, 2, 23));
        d.image("leftImg8bit", "val", "aachen", 3, 19, 4, 2);
        d.labels("gtFine", "val", "aachen", 3, 19, new LabelImage(4, 2, new int[] {7, 7, 24, 24, 26, 26, 0, 10}),
                new LabelImage(4, 2, new int[] {7, 7, 24000, 24001, 26000, 26000, 0, 10}));
        Files.writeString(root.resolve("gtFine/val/aachen/aachen_000003_000019_gtFine_polygons.json"), "{}");
        LabelPng.write8(filled(4, 2, 0), root.resolve("gtFine/val/aachen/aachen_000003_000019_gtFine_labelTrainIds.png"));
        Files.writeString(root.resolve("leftImg8bit/val/aachen/README.txt"), "not an image");
    }

    @Test
    void listsFramesSortedByCitySequenceAndFrameWithAllTheirFiles() throws Exception {
        writeVal();
        List<CityscapesSample> val = CityscapesDataset.open(root).split("val");
        assertEquals(List.of("aachen_000003_000019", "aachen_000012_000019", "zurich_000000_000019"),
                val.stream().map(CityscapesSample::id).toList());
        CityscapesSample s = val.get(0);
        assertEquals("val", s.split());
        assertEquals("aachen", s.city());
        assertEquals(3, s.sequence());
        assertEquals(19, s.frame());
        assertEquals(Annotation.FINE, s.annotation());
        Path city = root.resolve("gtFine/val/aachen");
        assertEquals(Optional.of(root.resolve("leftImg8bit/val/aachen/aachen_000003_000019_leftImg8bit.png")), s.image());
        assertEquals(Optional.of(city.resolve("aachen_000003_000019_gtFine_labelIds.png")), s.labelIds());
        assertEquals(Optional.of(city.resolve("aachen_000003_000019_gtFine_instanceIds.png")), s.instanceIds());
        assertEquals(Optional.of(city.resolve("aachen_000003_000019_gtFine_color.png")), s.color());
        assertThrows(UnsupportedOperationException.class, () -> val.add(s), "listings are immutable");
        assertEquals(val, CityscapesDataset.open(root).split("val"), "listings are deterministic");
    }

    @Test
    void loadsPixelsOnDemand() throws Exception {
        writeVal();
        CityscapesSample s = CityscapesDataset.open(root).split("val").get(0);
        assertArrayEquals(new int[] {7, 7, 24, 24, 26, 26, 0, 10}, s.loadLabelIds().values());
        assertArrayEquals(new int[] {7, 7, 24000, 24001, 26000, 26000, 0, 10}, s.loadInstanceIds().values());
        assertArrayEquals(new int[] {0, 0, 11, 11, 13, 13, 255, 19}, s.loadClassIds(LabelSet.named("rail-20")).values());
        RgbImage rgb = s.loadRgb();
        assertEquals(4, rgb.width());
        assertEquals(2, rgb.height());
        // pixel 1 of the fixture gradient: red 40, green 7, blue = frame 19
        assertEquals(40, rgb.toRgbBytes()[3] & 0xFF);
        assertEquals(7, rgb.toRgbBytes()[4] & 0xFF);
        assertEquals(19, rgb.toRgbBytes()[5] & 0xFF);
        assertEquals(4, s.loadImage().getWidth());
        assertEquals(0x804080, s.loadColor().getRGB(0, 0) & 0xFFFFFF, "road is drawn 128,64,128");
    }

    @Test
    void badPixelsSurfaceOnlyWhenLoaded() throws Exception {
        TinyCityscapes d = data();
        d.image("leftImg8bit", "val", "bonn", 0, 1, 2, 1);
        Path labels = d.labels("gtFine", "val", "bonn", 0, 1, new LabelImage(2, 1, new int[] {7, 7}), null);
        LabelPng.write8(new LabelImage(2, 1, new int[] {7, 40}), labels);
        CityscapesSample s = CityscapesDataset.open(root).split("val").get(0);
        assertEquals(Optional.empty(), s.instanceIds());
        ImageFormatException e = assertThrows(ImageFormatException.class, s::loadLabelIds);
        assertEquals(labels + ": pixel (1, 0) holds label id 40, which is not a Cityscapes label id (0..33)",
                e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, s::loadInstanceIds);
        assertEquals("sample bonn_000000_000001 of split val has no instanceIds image in this listing",
                none.getMessage());
    }

    @Test
    void rootComesFromThePathOrTheEnvironment() throws Exception {
        writeVal();
        assertEquals(root, CityscapesDataset.locate(root, Map.of()).root());
        assertEquals(root, CityscapesDataset.locate(null, Map.of(CityscapesDataset.ENV_ROOT, root.toString())).root());

        DatasetException e = assertThrows(DatasetException.class, () -> CityscapesDataset.locate(null, Map.of()));
        assertEquals("no Cityscapes root given: pass its path or set CITYSCAPES_DATASET to the folder that holds"
                + " leftImg8bit/ and gtFine/", e.getMessage());
        Path nowhere = root.resolve("nowhere");
        e = assertThrows(DatasetException.class,
                () -> CityscapesDataset.locate(null, Map.of(CityscapesDataset.ENV_ROOT, nowhere.toString())));
        assertEquals("CITYSCAPES_DATASET names " + nowhere + ", which does not exist or is not a folder", e.getMessage());
        e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(nowhere));
        assertEquals("Cityscapes root " + nowhere + " does not exist or is not a folder; pass the folder that holds"
                + " leftImg8bit/ and gtFine/", e.getMessage());
    }

    @Test
    void missingSplitOrFolderIsNamed() throws Exception {
        writeVal();
        data().image("leftImg8bit", "train", "bonn", 0, 1, 4, 2);
        CityscapesDataset ds = CityscapesDataset.open(root);
        assertEquals(List.of("train", "val"), ds.splits("leftImg8bit"));
        DatasetException e = assertThrows(DatasetException.class, () -> ds.split("vall"));
        assertEquals("split 'vall' not found: " + root.resolve("leftImg8bit/vall") + " does not exist (leftImg8bit/ has"
                + " train, val)", e.getMessage());
        e = assertThrows(DatasetException.class, () -> ds.split("train"));
        assertEquals("split 'train' not found: " + root.resolve("gtFine/train") + " does not exist (gtFine/ has val)",
                e.getMessage());
        e = assertThrows(DatasetException.class, () -> ds.split("val", Annotation.COARSE));
        assertEquals(root + " has no gtCoarse/ folder; is it a Cityscapes root?", e.getMessage());
    }

    @Test
    void imageWithoutLabelAndLabelWithoutImageAreErrors() throws Exception {
        writeVal();
        Path lonely = data().image("leftImg8bit", "val", "bonn", 5, 19, 4, 2);
        DatasetException e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals("1 image of split val has no gtFine labelIds, e.g. " + lonely + " (expected "
                + root.resolve("gtFine/val/bonn/bonn_000005_000019_gtFine_labelIds.png") + ")", e.getMessage());

        Files.delete(lonely);
        Path orphan = data().fineLabels("val", "bonn", 6, 19, filled(4, 2, 7));
        data().fineLabels("val", "bonn", 7, 19, filled(4, 2, 7));
        e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals("2 gtFine labels of split val have no image, e.g. " + orphan + " (expected "
                + root.resolve("leftImg8bit/val/bonn/bonn_000006_000019_leftImg8bit.png") + ")", e.getMessage());

        List<CityscapesSample> gt = CityscapesDataset.open(root).annotations("val");
        assertEquals(5, gt.size(), "ground truth alone is enough to evaluate");
        assertFalse(gt.get(2).image().isPresent());
        assertTrue(gt.get(0).image().isPresent());
    }

    @Test
    void imageAndLabelSizesMustMatch() throws Exception {
        TinyCityscapes d = data();
        Path image = d.image("leftImg8bit", "val", "bonn", 0, 1, 4, 2);
        Path labels = d.fineLabels("val", "bonn", 0, 1, filled(2, 2, 7));
        DatasetException e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals("size mismatch: image " + image + " is 4x2 but its labels " + labels + " are 2x2", e.getMessage());

        d.fineLabels("val", "bonn", 0, 1, filled(4, 2, 7));
        Path instances = root.resolve("gtFine/val/bonn/bonn_000000_000001_gtFine_instanceIds.png");
        LabelPng.write16(filled(4, 1, 7), instances);
        e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals("size mismatch: " + labels + " is 4x2 but " + instances + " is 4x1", e.getMessage());
    }

    @Test
    void eightBitInstanceIdsAreAnError() throws Exception {
        TinyCityscapes d = data();
        d.image("leftImg8bit", "val", "bonn", 0, 1, 4, 2);
        d.fineLabels("val", "bonn", 0, 1, filled(4, 2, 7));
        Path instances = root.resolve("gtFine/val/bonn/bonn_000000_000001_gtFine_instanceIds.png");
        LabelPng.write8(filled(4, 2, 7), instances);
        DatasetException e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals(instances + ": instanceIds must be a single-channel 16-bit PNG but it has 1 channel(s) of 8 bits",
                e.getMessage());
    }

    @Test
    void badFileNamesAreNamed() throws Exception {
        Path dir = root.resolve("leftImg8bit/val/bonn");
        Files.createDirectories(dir);
        Files.createDirectories(root.resolve("gtFine/val"));
        Path bad = dir.resolve("bonn_12_000019_leftImg8bit.png");
        Files.writeString(bad, "x");
        DatasetException e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals(bad + " does not follow the Cityscapes name {city}_{seq:06d}_{frame:06d}_leftImg8bit.png",
                e.getMessage());
        Files.delete(bad);
        Path elsewhere = data().image("leftImg8bit", "val", "bonn", 0, 1, 2, 2).resolveSibling(
                "koeln_000000_000001_leftImg8bit.png");
        Files.move(root.resolve("leftImg8bit/val/bonn/bonn_000000_000001_leftImg8bit.png"), elsewhere);
        e = assertThrows(DatasetException.class, () -> CityscapesDataset.open(root).split("val"));
        assertEquals(elsewhere + " lies in the folder of city 'bonn' but its name says city 'koeln'", e.getMessage());
    }

    @Test
    void readsCoarseTrainExtraAndSequences() throws Exception {
        TinyCityscapes d = data();
        d.image("leftImg8bit", "train_extra", "augsburg", 0, 1, 4, 2);
        d.labels("gtCoarse", "train_extra", "augsburg", 0, 1, filled(4, 2, 21), null);
        List<CityscapesSample> extra = CityscapesDataset.open(root).split("train_extra", Annotation.COARSE);
        assertEquals(1, extra.size());
        assertEquals(Annotation.COARSE, extra.get(0).annotation());
        assertEquals(root.resolve("gtCoarse/train_extra/augsburg/augsburg_000000_000001_gtCoarse_labelIds.png"),
                extra.get(0).labelIds().orElseThrow());
        assertTrue(extra.get(0).color().isPresent());
        assertEquals(21, extra.get(0).loadLabelIds().get(3, 1));

        for (int f = 0; f < 3; f++) {
            d.image("leftImg8bit_sequence", "val", "lindau", 0, f, 4, 2);
        }
        d.fineLabels("val", "lindau", 0, 1, filled(4, 2, 7));
        d.image("leftImg8bit", "val", "lindau", 0, 1, 4, 2);
        List<CityscapesSample> seq = CityscapesDataset.open(root).sequence("val");
        assertEquals(List.of(0, 1, 2), seq.stream().map(CityscapesSample::frame).toList());
        assertEquals(List.of(false, true, false), seq.stream().map(s -> s.labelIds().isPresent()).toList());
        assertEquals(root.resolve("leftImg8bit_sequence/val/lindau/lindau_000000_000001_leftImg8bit.png"),
                seq.get(1).image().orElseThrow());
    }

    @Test
    void imagesOfAnUnlabelledSplitAreListed() throws Exception {
        data().image("leftImg8bit", "test", "berlin", 0, 19, 4, 2);
        List<CityscapesSample> test = CityscapesDataset.open(root).images("test");
        assertEquals(1, test.size());
        assertFalse(test.get(0).labelIds().isPresent());
        assertEquals("test/berlin_000000_000019", test.get(0).toString());
    }
}
