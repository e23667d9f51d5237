package io.segstream.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.datasets.Annotation;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CityscapesSource#open} on a tiny Cityscapes layout: two train frames labelled both fine and coarse, two
 * train_extra frames labelled coarse only, and a val frame labelled both.
 */
class CityscapesSourceTest {
    private static final int W = 4;
    private static final int H = 2;
    private static final LabelSet SET = LabelSet.named("cityscapes-19");
    // official label ids and their cityscapes-19 train ids
    private static final int UNLABELED = 0;
    private static final int ROAD = 7;
    private static final int SKY = 23;
    private static final int PERSON = 24;
    private static final int CAR = 26;

    @TempDir
    Path root;

    @BeforeEach
    void writeDataset() throws IOException {
        frame("train", "aachen", 0, 19, "gtFine", new int[] {ROAD, ROAD, CAR, CAR, ROAD, ROAD, CAR, SKY});
        frame("train", "aachen", 0, 19, "gtCoarse", new int[] {ROAD, UNLABELED, UNLABELED, CAR, 0, 0, 0, 0});
        frame("train", "aachen", 1, 19, "gtFine", new int[] {SKY, SKY, SKY, SKY, PERSON, ROAD, ROAD, ROAD});
        frame("train", "aachen", 1, 19, "gtCoarse", new int[] {SKY, SKY, 0, 0, 0, 0, ROAD, ROAD});
        frame("train_extra", "augsburg", 0, 0, "gtCoarse", new int[] {CAR, CAR, 0, 0, ROAD, ROAD, ROAD, ROAD});
        frame("train_extra", "bamberg", 3, 7, "gtCoarse", new int[] {0, 0, 0, 0, 0, PERSON, PERSON, 0});
        frame("val", "frankfurt", 0, 19, "gtFine", new int[] {ROAD, ROAD, ROAD, ROAD, ROAD, ROAD, ROAD, ROAD});
        frame("val", "frankfurt", 0, 19, "gtCoarse", new int[] {ROAD, ROAD, ROAD, ROAD, 0, 0, 0, 0});
    }

    @Test
    void withoutCoarseTheFineFramesOfTheSplitOnly() throws Exception {
        CityscapesSource s = CityscapesSource.open(CityscapesDataset.open(root), "train", SET, false);
        assertEquals(List.of("aachen_000000_000019", "aachen_000001_000019"), ids(s));
        assertEquals(List.of(Annotation.FINE, Annotation.FINE), annotations(s));
        assertLoads(s, 0, "train", 0, 19, new int[] {0, 0, 13, 13, 0, 0, 13, 10});
        assertLoads(s, 1, "train", 1, 19, new int[] {10, 10, 10, 10, 11, 0, 0, 0});
    }

    @Test
    void coarseAddsTrainExtraAndKeepsTheFineLabelsOfFramesLabelledBoth() throws Exception {
        CityscapesSource s = CityscapesSource.open(CityscapesDataset.open(root), "train", SET, true);
        assertEquals(List.of("aachen_000000_000019", "aachen_000001_000019", "augsburg_000000_000000",
                "bamberg_000003_000007"), ids(s));
        assertEquals(List.of(Annotation.FINE, Annotation.FINE, Annotation.COARSE, Annotation.COARSE),
                annotations(s));
        assertEquals(List.of("train", "train", "train_extra", "train_extra"),
                s.samples().stream().map(CityscapesSample::split).toList());
        assertLoads(s, 0, "train", 0, 19, new int[] {0, 0, 13, 13, 0, 0, 13, 10});
        assertLoads(s, 1, "train", 1, 19, new int[] {10, 10, 10, 10, 11, 0, 0, 0});
        assertLoads(s, 2, "train_extra", 0, 0, new int[] {13, 13, 255, 255, 0, 0, 0, 0});
        assertLoads(s, 3, "train_extra", 3, 7, new int[] {255, 255, 255, 255, 255, 11, 11, 255});
    }

    @Test
    void coarseOnValAddsNoTrainExtraAndKeepsTheFineFrame() throws Exception {
        CityscapesSource s = CityscapesSource.open(CityscapesDataset.open(root), "val", SET, true);
        assertEquals(List.of("frankfurt_000000_000019"), ids(s));
        assertEquals(List.of(Annotation.FINE), annotations(s));
        assertLoads(s, 0, "val", 0, 19, new int[] {0, 0, 0, 0, 0, 0, 0, 0});
    }

    @Test
    void coarseWithoutAnyGtCoarseFolderIsAnErrorThatNamesTheRoot(@TempDir Path fineOnly) throws Exception {
        writeImage(fineOnly, "train", "aachen", 0, 19);
        LabelPng.write8(new LabelImage(W, H, new int[] {ROAD, ROAD, ROAD, ROAD, CAR, CAR, CAR, CAR}),
                labelFile(fineOnly, "gtFine", "train", "aachen", 0, 19));
        CityscapesDataset data = CityscapesDataset.open(fineOnly);
        assertEquals(1, CityscapesSource.open(data, "train", SET, false).size());
        DatasetException e = assertThrows(DatasetException.class,
                () -> CityscapesSource.open(data, "train", SET, true));
        assertTrue(e.getMessage().contains(fineOnly.toString()) && e.getMessage().contains("gtCoarse/train_extra"),
                e.getMessage());
    }

    private void frame(String split, String city, int seq, int frame, String annotation, int[] labelIds)
            throws IOException {
        writeImage(root, split, city, seq, frame);
        LabelPng.write8(new LabelImage(W, H, labelIds), labelFile(root, annotation, split, city, seq, frame));
    }

    /** An image whose pixels encode the frame, so that a sample loaded from the wrong file shows. */
    private static void writeImage(Path root, String split, String city, int seq, int frame) throws IOException {
        LabelPng.writeRgb(W, H, pixels(seq, frame), root.resolve("leftImg8bit").resolve(split).resolve(city)
                .resolve(String.format("%s_%06d_%06d_leftImg8bit.png", city, seq, frame)));
    }

    private static int[] pixels(int seq, int frame) {
        int[] rgb = new int[W * H];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (seq * 40 + i) << 16 | (frame * 3) << 8 | (200 - 10 * i);
        }
        return rgb;
    }

    private static Path labelFile(Path root, String annotation, String split, String city, int seq, int frame) {
        return root.resolve(annotation).resolve(split).resolve(city)
                .resolve(String.format("%s_%06d_%06d_%s_labelIds.png", city, seq, frame, annotation));
    }

    private static void assertLoads(CityscapesSource s, int index, String split, int seq, int frame, int[] classIds)
            throws IOException {
        TrainingSample t = s.load(index);
        assertEquals(s.id(index), t.id());
        assertEquals(split, s.samples().get(index).split());
        assertEquals(W, t.width());
        assertEquals(H, t.height());
        assertArrayEquals(classIds, LabelImage.of8(W, H, t.classIds()).values(), t.id() + " class ids");
        int[] expected = pixels(seq, frame);
        int[] rgb = new int[W * H];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (t.rgb()[3 * i] & 0xFF) << 16 | (t.rgb()[3 * i + 1] & 0xFF) << 8 | (t.rgb()[3 * i + 2] & 0xFF);
        }
        assertArrayEquals(expected, rgb, t.id() + " pixels");
    }

    private static List<String> ids(CityscapesSource s) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.id(i));
        }
        return out;
    }

    private static List<Annotation> annotations(CityscapesSource s) {
        return s.samples().stream().map(CityscapesSample::annotation).toList();
    }
}
