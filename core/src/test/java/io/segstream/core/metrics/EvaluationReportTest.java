package io.segstream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationReportTest {
    @TempDir
    Path dir;

    private static EvaluationResult frameA() {
        CityscapesEvaluator eval = CityscapesEvaluator.builder().build();
        eval.add(Frames.A_GT, null, Frames.A_PRED, "A");
        return eval.result();
    }

    @Test
    void scoresRoundAsPythonFormatsThem() {
        assertEquals("0.562", EvaluationReport.score(0.5625), "half-even on the exact binary value, as Python");
        assertEquals("0.571", EvaluationReport.score(4.0 / 7));
        assertEquals("0.667", EvaluationReport.score(2.0 / 3));
        assertEquals("1.000", EvaluationReport.score(1.0));
        assertEquals("0.000", EvaluationReport.score(0.0));
        assertEquals("0.001", EvaluationReport.score(0.0005000000000000001));
        assertEquals("nan", EvaluationReport.score(Double.NaN));
    }

    @Test
    void categoryTableMatchesTheOfficialLayout() {
        String expected = """
                IoU Over Categories
                | categories    |   IoU |  nIoU |
                |---------------|------:|------:|
                | flat          | 0.889 |   nan |
                | construction  |   nan |   nan |
                | object        |   nan |   nan |
                | nature        |   nan |   nan |
                | sky           | 0.333 |   nan |
                | human         |   nan |   nan |
                | vehicle       | 0.500 |   nan |
                | Score Average | 0.574 |   nan |
                """;
        // average (8/9 + 1/3 + 1/2) / 3 = 0.5740..
        assertEquals(expected, EvaluationReport.categoryTable(frameA()));
    }

    @Test
    void classTableHasOneRowPerScoredClassAndTheAverages() {
        List<String> lines = List.of(EvaluationReport.classTable(frameA()).split("\n"));
        assertEquals("IoU Over Classes", lines.get(0));
        assertEquals("| classes       |   IoU |  nIoU |  Dice | Precision | Recall |", lines.get(1));
        assertEquals("|---------------|------:|------:|------:|----------:|-------:|", lines.get(2));
        // road: IoU 4/7, Dice 8/11, precision 4/5, recall 4/6
        assertEquals("| road          | 0.571 |   nan | 0.727 |     0.800 |  0.667 |", lines.get(3));
        assertEquals("| building      |   nan |   nan |   nan |       nan |    nan |", lines.get(5));
        assertEquals("| car           | 0.500 |   nan | 0.667 |     1.000 |  0.500 |", lines.get(16));
        assertEquals(3 + 19 + 1, lines.size());
        // mean IoU (4/7 + 1/2 + 1/3 + 1/2)/4 = 0.4762; mean precision (4/5 + 1/2 + 1/2 + 1)/4 = 0.7; recall
        // (4/6 + 1 + 1/2 + 1/2)/4 = 0.6667
        assertEquals("| Score Average | 0.476 |   nan | 0.640 |     0.700 |  0.667 |", lines.get(22));
    }

    @Test
    void jsonHasTheOfficialFieldsAndBareNaN() throws Exception {
        Path file = dir.resolve("out/result.json");
        EvaluationReport.writeJson(frameA(), file);
        String text = Files.readString(file);
        assertTrue(text.contains("\"unlabeled\" : NaN"), "NaN is written bare, as Python's json writes it");
        JsonNode json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(text);
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("confMatrix", "priors", "labels", "classScores", "classInstScores", "categoryScores",
                "categoryInstScores", "averageScoreClasses", "averageScoreInstClasses", "averageScoreCategories",
                "averageScoreInstCategories", "diceScores", "precisionScores", "recallScores", "averageDice",
                "averagePrecision", "averageRecall", "labelSet", "frames"), fields);
        assertEquals(34, json.get("confMatrix").size());
        assertEquals(34, json.get("confMatrix").get(0).size());
        assertEquals(4, json.get("confMatrix").get(7).get(7).asLong());
        assertEquals(1, json.get("confMatrix").get(26).get(23).asLong());
        assertEquals(26, json.get("labels").get("car").asInt());
        assertEquals(34, json.get("classScores").size());
        assertEquals(4.0 / 7, json.get("classScores").get("road").asDouble(), 1e-15);
        assertTrue(Double.isNaN(json.get("classScores").get("unlabeled").asDouble()));
        assertEquals(8.0 / 9, json.get("categoryScores").get("flat").asDouble(), 1e-15);
        assertEquals(6.0 / 16, json.get("priors").get("road").asDouble(), 1e-15);
        assertEquals(8.0 / 11, json.get("diceScores").get("road").asDouble(), 1e-15);
        assertEquals((4.0 / 7 + 2.0 / 4 + 1.0 / 3 + 2.0 / 4) / 4, json.get("averageScoreClasses").asDouble(), 1e-15);
        assertEquals("cityscapes-19", json.get("labelSet").asText());
    }

    @Test
    void confusionMatrixPngShowsFullRowsDarkAndAbsentRowsGrey() throws Exception {
        CityscapesEvaluator eval = CityscapesEvaluator.builder().build();
        eval.add(Frames.A_GT, null, Frames.A_GT, "perfect");
        Path file = dir.resolve("confusion.png");
        ConfusionMatrixPng.write(eval.result(), file);
        BufferedImage img = ImageIO.read(file.toFile());
        int dark = 0;
        int grey = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                if (rgb == 0x08306B) {
                    dark++;
                } else if (rgb == 0xE1E1E1) {
                    grey++;
                }
            }
        }
        // four classes are present and fully correct: their diagonal cells are the darkest colour
        assertTrue(dark > 4 * 20 * 20, "dark pixels: " + dark);
        // fifteen classes are absent from the ground truth: their rows are grey across 20 cells
        assertTrue(grey > 15 * 20 * 20 * 20, "grey pixels: " + grey);
        assertTrue(img.getWidth() > 20 * 34 && img.getHeight() > 19 * 34);
    }
}
