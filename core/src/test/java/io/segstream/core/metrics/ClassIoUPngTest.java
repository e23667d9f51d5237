package io.segstream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassIoUPngTest {
    private static final int SERVING = 0xA0A0A0;
    private static final int CANDIDATE = 0x1F77B4;

    @TempDir
    Path tmp;

    private static EvaluationResult score(String set, LabelImage prediction) {
        CityscapesEvaluator eval = CityscapesEvaluator.builder().optLabelSet(LabelSet.named(set)).build();
        eval.add(Frames.A_GT, null, prediction, "A");
        return eval.result();
    }

    /** How many pixels of {@code rgb} each row below the legend holds, for the rows that hold any. */
    private static Set<Integer> bars(BufferedImage img, int rgb) {
        Set<Integer> out = new TreeSet<>();
        for (int y = 60; y < img.getHeight(); y++) {
            int run = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    run++;
                }
            }
            if (run > 0) {
                out.add(run);
            }
        }
        return out;
    }

    @Test
    void barsAreAsLongAsTheIoU() throws Exception {
        Map<String, EvaluationResult> byModel = new LinkedHashMap<>();
        byModel.put("serving road:1", score("cityscapes-19", Frames.A_GT));
        byModel.put("candidate road:2", score("cityscapes-19", Frames.A_PRED));
        Path png = tmp.resolve("charts/iou.png");
        ClassIoUPng.write(byModel, png);
        BufferedImage img = ImageIO.read(png.toFile());
        // candidate: road 4/7, sidewalk 2/4, sky 1/3, car 2/4, mean 0.476; full length is 460 px
        Set<Integer> candidate = bars(img, CANDIDATE);
        assertTrue(candidate.contains((int) Math.round(460 * 4.0 / 7)), candidate.toString());
        assertTrue(candidate.contains((int) Math.round(460 * 1.0 / 3)), candidate.toString());
        assertTrue(candidate.contains(230), candidate.toString());
        assertTrue(bars(img, SERVING).contains(460), "the perfect model's bars are full length");
    }

    @Test
    void refusesModelsThatDoNotCompare() {
        Map<String, EvaluationResult> byModel = new LinkedHashMap<>();
        byModel.put("a", score("cityscapes-19", Frames.A_GT));
        byModel.put("b", score("rail-20", Frames.A_GT));
        assertEquals("models of different label sets do not compare: a scores cityscapes-19, b rail-20",
                assertThrows(IllegalArgumentException.class, () -> ClassIoUPng.render(byModel)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassIoUPng.render(Map.of()));
    }
}
