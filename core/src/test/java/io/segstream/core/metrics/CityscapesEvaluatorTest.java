package io.segstream.core.metrics;

import static io.segstream.core.metrics.Frames.CAR;
import static io.segstream.core.metrics.Frames.PERSON;
import static io.segstream.core.metrics.Frames.RIDER;
import static io.segstream.core.metrics.Frames.img;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.labels.UnknownLabelException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CityscapesEvaluatorTest {
    private static final double EPS = 1e-12;
    private static final List<String> NINETEEN = List.of("road", "sidewalk", "building", "wall", "fence", "pole",
            "traffic light", "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus",
            "train", "motorcycle", "bicycle");

    private static CityscapesEvaluator evaluator() {
        return CityscapesEvaluator.builder().build();
    }

    private static void assertNaN(double v, String what) {
        assertTrue(Double.isNaN(v), what + " should be NaN but is " + v);
    }

    @Test
    void classIoUCountsFalsePositivesOnlyOnScoredGroundTruth() {
        CityscapesEvaluator eval = evaluator();
        FrameScore frame = eval.add(Frames.A_GT, null, Frames.A_PRED, "A");
        EvaluationResult r = eval.result();

        // road: TP 4, FN 2 (predicted sidewalk), FP 1 (a sky pixel); the unlabeled pixel predicted road is no FP
        assertEquals(4.0 / 7, r.classIoU("road"), EPS);
        // sidewalk: TP 2, FN 0, FP 2 (road pixels)
        assertEquals(2.0 / 4, r.classIoU("sidewalk"), EPS);
        // sky: TP 1, FN 1, FP 1 (a car pixel); the unlabeled pixel predicted sky is no FP
        assertEquals(1.0 / 3, r.classIoU("sky"), EPS);
        // car: TP 2, FN 2 (one predicted unlabeled, one sky), FP 0
        assertEquals(2.0 / 4, r.classIoU("car"), EPS);
        for (String absent : List.of("building", "wall", "fence", "pole", "traffic light", "traffic sign",
                "vegetation", "terrain", "person", "rider", "truck", "bus", "train", "motorcycle", "bicycle")) {
            assertNaN(r.classIoU(absent), absent + " IoU (absent and never predicted)");
        }
        assertNaN(r.classIoU("unlabeled"), "ignored label");
        double mean = (4.0 / 7 + 2.0 / 4 + 1.0 / 3 + 2.0 / 4) / 4;
        assertEquals(mean, r.meanIoU(), EPS);

        // Dice = 2TP/(2TP+FP+FN), precision = TP/(TP+FP), recall = TP/(TP+FN), with the same FP rule
        assertEquals(8.0 / 11, r.dice("road"), EPS);
        assertEquals(4.0 / 5, r.precision("road"), EPS);
        assertEquals(4.0 / 6, r.recall("road"), EPS);
        assertEquals(4.0 / 6, r.dice("sidewalk"), EPS);
        assertEquals(2.0 / 4, r.precision("sidewalk"), EPS);
        assertEquals(1.0, r.recall("sidewalk"), EPS);
        assertEquals(4.0 / 6, r.dice("car"), EPS);
        assertEquals(1.0, r.precision("car"), EPS);
        assertEquals(2.0 / 4, r.recall("car"), EPS);
        assertEquals((8.0 / 11 + 4.0 / 6 + 2.0 / 4 + 4.0 / 6) / 4, r.meanDice(), EPS);
        assertNaN(r.dice("unlabeled"), "Dice of an ignored label");

        // without instanceIds no class has an iIoU
        assertNaN(r.classInstIoU("car"), "car iIoU without instances");
        assertNaN(r.meanInstIoU(), "mean iIoU");

        assertEquals(6.0 / 16, r.prior("road"), EPS);
        assertEquals(2.0 / 16, r.prior("unlabeled"), EPS);
        assertEquals(1, r.confusionMatrix().get(0, 7));
        assertEquals(1, r.confusionMatrix().get(26, 23));
        assertEquals(16, r.confusionMatrix().total());

        // the frame's own score: correct 4+2+1+2 of the 14 pixels that are not ignored
        assertEquals(mean, frame.meanIoU(), EPS);
        assertEquals(9.0 / 14, frame.pixelAccuracy(), EPS);
        assertEquals(14, frame.evaluatedPixels());
        assertEquals(1, eval.frames());
    }

    @Test
    void categoriesUseTheBlockOfTheirScoredLabels() {
        CityscapesEvaluator eval = evaluator();
        eval.add(Frames.A_GT, null, Frames.A_PRED, "A");
        EvaluationResult r = eval.result();
        // flat = {road, sidewalk}: TP 4+2+2 = 8 (road predicted sidewalk is inside the block), FN 0, FP 1 (sky row)
        assertEquals(8.0 / 9, r.categoryIoU("flat"), EPS);
        assertEquals(1.0 / 3, r.categoryIoU("sky"), EPS);
        // vehicle: TP 2, FN 2, FP 0
        assertEquals(2.0 / 4, r.categoryIoU("vehicle"), EPS);
        for (String c : List.of("void", "construction", "object", "nature", "human")) {
            assertNaN(r.categoryIoU(c), c);
        }
        assertEquals((8.0 / 9 + 1.0 / 3 + 2.0 / 4) / 3, r.meanCategoryIoU(), EPS);
        assertEquals(List.of("void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"),
                r.categories());
        assertTrue(r.isScoredCategory("flat"));
        assertTrue(!r.isScoredCategory("void"));
    }

    @Test
    void instanceLevelScoresWeighEachInstanceByTheAverageSizeOfItsClass() {
        CityscapesEvaluator eval = evaluator();
        eval.add(Frames.B_GT, Frames.B_INST, Frames.B_PRED, "B");
        EvaluationResult r = eval.result();

        assertEquals(5.0 / 9, r.classIoU("road"), EPS);
        assertEquals(4.0 / 9, r.classIoU("person"), EPS);
        assertEquals(0.0, r.classIoU("rider"), EPS);
        assertEquals(3.0 / 5, r.classIoU("car"), EPS);
        assertEquals((5.0 / 9 + 4.0 / 9 + 0 + 3.0 / 5) / 4, r.meanIoU(), EPS);

        // person A (4 px, weight S/4): 3 TP, 1 FN; person B (2 px, weight S/2): 1 TP, 1 FN; FP 3 (2 rider + 1 road)
        double personTp = 3 * PERSON / 4 + 1 * PERSON / 2;
        double personFn = 1 * PERSON / 4 + 1 * PERSON / 2;
        double person = personTp / (personTp + 3 + personFn);
        assertEquals((5 * PERSON / 4) / (2 * PERSON + 3), person, EPS, "the arithmetic itself");
        assertEquals(person, r.classInstIoU("person"), EPS);
        // rider R: 0 TP, 2 FN (weight Sr/2), FP 1
        assertEquals(0.0, r.classInstIoU("rider"), EPS);
        // car C (3 px, weight Sc/3): 2 TP, 1 FN (caravan); FP 1 (a road pixel); the group pixel is no instance
        double car = (2 * CAR / 3) / (2 * CAR / 3 + 1 + CAR / 3);
        assertEquals(car, r.classInstIoU("car"), EPS);
        assertNaN(r.classInstIoU("truck"), "truck iIoU: no instance, no FP");
        assertNaN(r.classInstIoU("road"), "road has no instances");
        assertEquals((person + 0 + car) / 3, r.meanInstIoU(), EPS);

        // human = {person, rider}: TP 4+1+2 = 7, FN 1 (B predicted road), FP 1 (road predicted person)
        assertEquals(7.0 / 9, r.categoryIoU("human"), EPS);
        // vehicle: TP 3, FN 1 (caravan is ignored, so outside the block), FP 1: road predicted caravan does not count
        assertEquals(3.0 / 5, r.categoryIoU("vehicle"), EPS);
        assertEquals(5.0 / 9, r.categoryIoU("flat"), EPS);
        assertEquals((5.0 / 9 + 7.0 / 9 + 3.0 / 5) / 3, r.meanCategoryIoU(), EPS);

        // human iIoU: any human prediction counts: A 4 TP; B 1 TP + 1 FN; R 2 TP; FP 1
        double humanTp = 4 * PERSON / 4 + 1 * PERSON / 2 + 2 * RIDER / 2;
        double humanFn = 1 * PERSON / 2;
        double human = humanTp / (humanTp + 1 + humanFn);
        assertEquals((1.5 * PERSON + RIDER) / (2 * PERSON + RIDER + 1), human, EPS, "the arithmetic itself");
        assertEquals(human, r.categoryInstIoU("human"), EPS);
        // vehicle iIoU: the caravan pixel of C is a TP; FP uses every vehicle id, caravan too: road->car, road->caravan
        double vehicle = CAR / (CAR + 2);
        assertEquals(vehicle, r.categoryInstIoU("vehicle"), EPS);
        assertNaN(r.categoryInstIoU("flat"), "flat has labels without instances");
        assertEquals((human + vehicle) / 2, r.meanCategoryInstIoU(), EPS);
    }

    @Test
    void trainIdPredictionsScoreLikeTheirLabelIds() {
        CityscapesEvaluator byTrainId = CityscapesEvaluator.builder().optPredictionIds(PredictionIds.TRAIN).build();
        byTrainId.add(Frames.A_GT, null, Frames.A_PRED_TRAIN, "A");
        CityscapesEvaluator byLabelId = evaluator();
        byLabelId.add(Frames.A_GT, null, Frames.A_PRED, "A");
        EvaluationResult t = byTrainId.result();
        assertEquals(4.0 / 7, t.classIoU("road"), EPS);
        assertEquals(2.0 / 4, t.classIoU("car"), EPS);
        assertEquals(byLabelId.result().classScores(), t.classScores());
        assertArrayEquals(byLabelId.result().confusionMatrix().toArray(), t.confusionMatrix().toArray());
    }

    @Test
    void rail20ScoresRailTrackThatCityscapesIgnores() {
        LabelImage gt = img(4, 1, 10, 10, 7, 7);
        CityscapesEvaluator rail = CityscapesEvaluator.builder()
                .optLabelSet(LabelSet.named("rail-20"))
                .optPredictionIds(PredictionIds.TRAIN)
                .build();
        rail.add(gt, null, img(4, 1, 19, 19, 19, 0), "rail");
        EvaluationResult r = rail.result();
        // rail track: TP 2, FP 1 (road predicted rail); road: TP 1, FN 1
        assertEquals(2.0 / 3, r.classIoU("rail track"), EPS);
        assertEquals(1.0 / 2, r.classIoU("road"), EPS);
        // flat = {road, sidewalk, rail track}: the whole frame is inside the block
        assertEquals(1.0, r.categoryIoU("flat"), EPS);
        assertEquals("rail track", r.scoredLabels().get(2).name());

        CityscapesEvaluator official = evaluator();
        official.add(gt, null, img(4, 1, 10, 10, 10, 7), "official");
        EvaluationResult o = official.result();
        assertNaN(o.classIoU("rail track"), "cityscapes-19 ignores rail track");
        // road predicted rail track is a FN of road; rail-track pixels are ignored, so no FP anywhere
        assertEquals(1.0 / 2, o.classIoU("road"), EPS);
        assertEquals(1.0 / 2, o.categoryIoU("flat"), EPS);
        assertEquals(NINETEEN, o.scoredLabels().stream().map(l -> l.name()).toList());
    }

    @Test
    void nanRules() {
        CityscapesEvaluator empty = evaluator();
        EvaluationResult none = empty.result();
        assertNaN(none.meanIoU(), "mean IoU of nothing");
        assertNaN(none.prior("road"), "prior of nothing");
        assertNaN(none.meanCategoryInstIoU(), "mean category iIoU of nothing");

        CityscapesEvaluator ignoredOnly = evaluator();
        FrameScore frame = ignoredOnly.add(img(2, 2, 0, 1, 2, 3), img(2, 2, 0, 1, 2, 3),
                img(2, 2, 7, 24, 26, 23), "void");
        EvaluationResult r = ignoredOnly.result();
        for (double v : r.classScores().values()) {
            assertNaN(v, "class IoU when every ground-truth pixel is ignored");
        }
        for (double v : r.categoryScores().values()) {
            assertNaN(v, "category IoU when every ground-truth pixel is ignored");
        }
        assertNaN(r.meanIoU(), "mean IoU");
        assertNaN(r.meanCategoryIoU(), "mean category IoU");
        assertEquals(1.0 / 4, r.prior("unlabeled"), EPS);
        assertNaN(frame.meanIoU(), "frame mIoU");
        assertNaN(frame.pixelAccuracy(), "frame accuracy");
        assertEquals(0, frame.evaluatedPixels());

        CityscapesEvaluator falsePositiveOnly = evaluator();
        falsePositiveOnly.add(img(2, 1, 7, 7), null, img(2, 1, 7, 24), "fp");
        EvaluationResult fp = falsePositiveOnly.result();
        assertEquals(0.0, fp.classIoU("person"), EPS, "predicted but absent: 0, not NaN");
        assertEquals(0.0, fp.precision("person"), EPS);
        assertNaN(fp.recall("person"), "recall of a class absent from ground truth");
        assertEquals(1.0 / 2, fp.classIoU("road"), EPS);
        assertEquals((1.0 / 2 + 0.0) / 2, fp.meanIoU(), EPS);
    }

    @Test
    void perfectPredictionsScoreOneWhereverAScoreIsDefined() {
        CityscapesEvaluator eval = evaluator();
        eval.add(Frames.B_GT, Frames.B_INST, Frames.B_GT, "B");
        eval.add(Frames.A_GT, Frames.A_GT, Frames.A_GT, "A");
        EvaluationResult r = eval.result();
        List<Map<String, Double>> all = List.of(r.classScores(), r.classInstScores(), r.categoryScores(),
                r.categoryInstScores(), r.diceScores(), r.precisionScores(), r.recallScores());
        for (Map<String, Double> scores : all) {
            scores.forEach((name, v) -> assertTrue(Double.isNaN(v) || v == 1.0, name + " scores " + v));
        }
        for (String c : List.of("road", "sidewalk", "sky", "person", "rider", "car")) {
            assertEquals(1.0, r.classIoU(c), 0, c);
            assertEquals(1.0, r.dice(c), 0, c);
        }
        for (String c : List.of("person", "rider", "car")) {
            assertEquals(1.0, r.classInstIoU(c), 0, c);
        }
        assertEquals(1.0, r.categoryInstIoU("human"), 0);
        assertEquals(1.0, r.categoryInstIoU("vehicle"), 0);
        for (double mean : new double[] {r.meanIoU(), r.meanInstIoU(), r.meanCategoryIoU(), r.meanCategoryInstIoU(),
            r.meanDice(), r.meanPrecision(), r.meanRecall()}) {
            assertEquals(1.0, mean, 0);
        }
    }

    @Test
    void countsAreSixtyFourBit() {
        ConfusionMatrix m = new ConfusionMatrix(34);
        m.add(7, 7, 3_000_000_000L);
        m.add(7, 8, 1_000_000_000L);
        m.add(0, 8, 5_000_000_000L);
        assertEquals(4_000_000_000L, m.rowSum(7));
        assertEquals(9_000_000_000L, m.total());
        EvaluationLabels labels = new EvaluationLabels(LabelSet.defaultSet());
        assertEquals(3.0 / 4, Scores.classIoU(m, labels, 7), EPS);
        // sidewalk: FP only from the scored road row, not from the 5e9 unlabeled pixels
        assertEquals(0.0, Scores.classIoU(m, labels, 8), EPS);
        assertEquals(1_000_000_000L, Scores.falsePositives(m, labels, 8));
    }

    @Test
    void badFramesFailWithTheirSourceAndChangeNothing() {
        CityscapesEvaluator eval = evaluator();
        eval.add(Frames.A_GT, null, Frames.A_PRED, "A");
        EvaluationResult before = eval.result();

        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> eval.add(Frames.A_GT, null, img(2, 1, 7, 7), "cam-3 seq 9"));
        assertEquals("cam-3 seq 9: the prediction is 2x1 but the ground truth is 4x4", size.getMessage());

        UnknownLabelException e = assertThrows(UnknownLabelException.class,
                () -> eval.add(img(2, 1, 7, 7), null, img(2, 1, 7, 34), "p.png"));
        assertEquals("p.png: prediction pixel (1, 0) holds label id 34, which is not a Cityscapes label id (0..33;"
                + " predictions are read as label ids)", e.getMessage());

        e = assertThrows(UnknownLabelException.class,
                () -> eval.add(img(2, 1, 7, 40), null, img(2, 1, 7, 7), "g.png"));
        assertEquals("g.png: ground-truth pixel (1, 0) holds label id 40, which is not a Cityscapes label id (0..33)",
                e.getMessage());

        CityscapesEvaluator train = CityscapesEvaluator.builder().optPredictionIds(PredictionIds.TRAIN).build();
        e = assertThrows(UnknownLabelException.class,
                () -> train.add(img(2, 1, 7, 7), null, img(2, 1, 0, 19), "t.png"));
        assertEquals("t.png: prediction pixel (1, 0) holds train id 19, which label set 'cityscapes-19' does not"
                + " define (0..18 or 255; predictions are read as train ids)", e.getMessage());

        e = assertThrows(UnknownLabelException.class,
                () -> eval.add(img(2, 1, 24, 24), img(2, 1, 24000, 40001), img(2, 1, 24, 24), "i.png"));
        assertEquals("i.png: instanceIds pixel (1, 0) holds 40001, which names no Cityscapes label"
                + " (label id = value / 1000)", e.getMessage());

        e = assertThrows(UnknownLabelException.class,
                () -> eval.add(img(2, 1, 7, 7), img(2, 1, 7000, 7001), img(2, 1, 7, 7), "r.png"));
        assertEquals("r.png: instanceIds holds 7000, an instance of 'road', which Cityscapes does not split into"
                + " instances", e.getMessage());

        assertEquals(1, eval.frames());
        assertArrayEquals(before.confusionMatrix().toArray(), eval.result().confusionMatrix().toArray());
        assertEquals(before.classInstScores(), eval.result().classInstScores());
    }

    @Test
    void scoringAFrameAloneLeavesTheTotalsAlone() {
        CityscapesEvaluator eval = evaluator();
        FrameScore s = eval.score(Frames.A_GT, Frames.A_PRED, "A");
        assertEquals((4.0 / 7 + 2.0 / 4 + 1.0 / 3 + 2.0 / 4) / 4, s.meanIoU(), EPS);
        assertEquals(0, eval.frames());
        assertEquals(0, eval.result().confusionMatrix().total());
    }

    @Test
    void mergedEvaluatorsEqualOne() {
        CityscapesEvaluator one = evaluator();
        one.add(Frames.A_GT, Frames.A_GT, Frames.A_PRED, "A");
        one.add(Frames.B_GT, Frames.B_INST, Frames.B_PRED, "B");
        CityscapesEvaluator a = evaluator();
        a.add(Frames.A_GT, Frames.A_GT, Frames.A_PRED, "A");
        CityscapesEvaluator b = evaluator();
        b.add(Frames.B_GT, Frames.B_INST, Frames.B_PRED, "B");
        a.merge(b);
        assertEquals(2, a.frames());
        assertEquals(one.result().classScores(), a.result().classScores());
        assertEquals(one.result().classInstScores(), a.result().classInstScores());
        assertEquals(one.result().categoryInstScores(), a.result().categoryInstScores());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.merge(CityscapesEvaluator.builder().optLabelSet(LabelSet.named("rail-20")).build()));
        assertEquals("cannot merge an evaluator of rail-20/LABEL into one of cityscapes-19/LABEL", e.getMessage());
    }
}
