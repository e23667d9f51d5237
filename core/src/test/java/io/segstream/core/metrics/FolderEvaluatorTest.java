package io.segstream.core.metrics;

import static io.segstream.core.metrics.Frames.CAR;
import static io.segstream.core.metrics.Frames.PERSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.TinyCityscapes;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderEvaluatorTest {
    private static final double EPS = 1e-12;

    @TempDir
    Path tmp;
    Path gt;
    Path pred;

    /** Frame A as aachen (instanceIds without instances), frame B as bochum; predictions in nested folders. */
    @BeforeEach
    void writeDataset() throws Exception {
        gt = tmp.resolve("cityscapes");
        pred = tmp.resolve("pred");
        TinyCityscapes d = new TinyCityscapes(gt);
        d.labels("gtFine", "val", "aachen", 0, 19, Frames.A_GT, Frames.A_GT);
        d.labels("gtFine", "val", "bochum", 0, 19, Frames.B_GT, Frames.B_INST);
        LabelPng.write8(Frames.A_PRED, pred.resolve("run-1/aachen/aachen_000000_000019_leftImg8bit.png"));
        LabelPng.write8(Frames.B_PRED, pred.resolve("bochum_000000_000019.png"));
        Files.writeString(pred.resolve("notes.txt"), "only PNGs count");
    }

    private FolderEvaluator.Builder folder() throws Exception {
        return FolderEvaluator.builder().setGroundTruth(CityscapesDataset.open(gt)).setPredictions(pred);
    }

    @Test
    void scoresAFolderFrameByFrame() throws Exception {
        List<String> seen = new ArrayList<>();
        EvaluationResult r = folder().optProgress((done, total, s) -> seen.add(done + "/" + total + " " + s.id()))
                .build().run();
        assertEquals(List.of("1/2 aachen_000000_000019", "2/2 bochum_000000_000019"), seen);
        assertEquals(2, r.frames());
        // road: TP 4+5, FP 1+1, FN 2+3
        assertEquals(9.0 / 16, r.classIoU("road"), EPS);
        // car: TP 2+3, FP 0+1, FN 2+1
        assertEquals(5.0 / 9, r.classIoU("car"), EPS);
        assertEquals(4.0 / 9, r.classIoU("person"), EPS);
        double mean = (9.0 / 16 + 2.0 / 4 + 1.0 / 3 + 4.0 / 9 + 0 + 5.0 / 9) / 6;
        assertEquals(mean, r.meanIoU(), EPS);
        // only bochum has instances; FP of car and person come from bochum too
        assertEquals((5 * PERSON / 4) / (2 * PERSON + 3), r.classInstIoU("person"), EPS);
        assertEquals((2 * CAR / 3) / (CAR + 1), r.classInstIoU("car"), EPS);
        // flat: TP 8+5, FN 0+3, FP 1+1; vehicle: TP 2+3, FN 2+1, FP 0+1
        assertEquals(13.0 / 18, r.categoryIoU("flat"), EPS);
        assertEquals(5.0 / 9, r.categoryIoU("vehicle"), EPS);
        assertEquals(CAR / (CAR + 2), r.categoryInstIoU("vehicle"), EPS);
        assertTrue(EvaluationReport.classTable(r).contains("| road          | 0.562 |"));
    }

    @Test
    void theFrameListenerSeesGroundTruthAndTrainIdPredictionsAsLabelIds() throws Exception {
        LabelSet set = LabelSet.named("cityscapes-19");
        int[] bTrain = Frames.B_PRED.values().clone();
        for (int i = 0; i < bTrain.length; i++) {
            bTrain[i] = set.classIdOfLabelId(bTrain[i]);
        }
        LabelPng.write8(Frames.img(5, 4, bTrain), pred.resolve("bochum_000000_000019.png"));
        LabelPng.write8(Frames.A_PRED_TRAIN, pred.resolve("run-1/aachen/aachen_000000_000019_leftImg8bit.png"));
        List<String> ids = new ArrayList<>();
        List<int[]> predictions = new ArrayList<>();
        List<int[]> truths = new ArrayList<>();
        folder().optPredictionIds(PredictionIds.TRAIN).optFrameListener((sample, truth, prediction) -> {
            ids.add(sample.id());
            truths.add(truth.values());
            predictions.add(prediction.values());
        }).build().run();
        assertEquals(List.of("aachen_000000_000019", "bochum_000000_000019"), ids);
        assertArrayEquals(Frames.B_GT.values(), truths.get(1), "ground truth as read");
        int[] b = predictions.get(1);
        for (int i = 0; i < b.length; i++) {
            int label = Frames.B_PRED.values()[i];
            // a train class comes back as its label id; a label the set ignores as 0 (unlabeled)
            int expected = set.classIdOfLabelId(label) == LabelSet.IGNORE ? 0 : label;
            assertEquals(expected, b[i], "pixel " + i);
        }
    }

    @Test
    void trainIdPredictionsUseTheLabelSet() throws Exception {
        LabelPng.write8(Frames.A_PRED_TRAIN, pred.resolve("run-1/aachen/aachen_000000_000019_leftImg8bit.png"));
        int[] bTrain = Frames.B_PRED.values().clone();
        LabelSet set = LabelSet.named("cityscapes-19");
        for (int i = 0; i < bTrain.length; i++) {
            bTrain[i] = set.classIdOfLabelId(bTrain[i]);
        }
        LabelPng.write8(Frames.img(5, 4, bTrain), pred.resolve("bochum_000000_000019.png"));
        EvaluationResult r = folder().optPredictionIds(PredictionIds.TRAIN).build().run();
        assertEquals(9.0 / 16, r.classIoU("road"), EPS);
        // caravan has no train id: predicted 255, it becomes unlabeled, which the vehicle iIoU does not count
        assertEquals((2 * CAR / 3) / (CAR + 1), r.classInstIoU("car"), EPS);
        // C: 2 vehicle pixels of 3 now (Sc*2/3 TP, Sc/3 FN); FP road->car 1 (road->caravan is road->unlabeled now)
        assertEquals((2 * CAR / 3) / (2 * CAR / 3 + 1 + CAR / 3), r.categoryInstIoU("vehicle"), EPS);
    }

    @Test
    void missingOrDuplicatePredictionsAreNamed() throws Exception {
        Files.delete(pred.resolve("bochum_000000_000019.png"));
        EvaluationException e = assertThrows(EvaluationException.class, () -> folder().build().run());
        assertEquals("no prediction for bochum_000000_000019 (ground truth "
                + gt.resolve("gtFine/val/bochum/bochum_000000_000019_gtFine_labelIds.png") + "): expected one PNG under "
                + pred + " whose name starts with bochum_000000_000019", e.getMessage());

        LabelPng.write8(Frames.B_PRED, pred.resolve("bochum_000000_000019.png"));
        Path second = pred.resolve("run-1/bochum_000000_000019_color.png");
        LabelPng.write8(Frames.B_PRED, second);
        e = assertThrows(EvaluationException.class, () -> folder().build().run());
        assertEquals("2 predictions for bochum_000000_000019 under " + pred + " (" + pred.resolve("bochum_000000_000019.png")
                + ", " + second + "); keep exactly one PNG whose name starts with bochum_000000_000019", e.getMessage());
    }

    @Test
    void instanceIdsMustBeThereForAllFramesOrNone() throws Exception {
        Path aachen = gt.resolve("gtFine/val/aachen/aachen_000000_000019_gtFine_instanceIds.png");
        Files.delete(aachen);
        EvaluationException e = assertThrows(EvaluationException.class, () -> folder().build().run());
        assertEquals(gt.resolve("gtFine/val/aachen/aachen_000000_000019_gtFine_labelIds.png") + " has no"
                + " _instanceIds.png beside it while 1 other frame(s) have one; instance scores (nIoU) need it for every"
                + " frame", e.getMessage());
        Files.delete(gt.resolve("gtFine/val/bochum/bochum_000000_000019_gtFine_instanceIds.png"));
        EvaluationResult r = folder().build().run();
        assertEquals(9.0 / 16, r.classIoU("road"), EPS);
        assertTrue(Double.isNaN(r.classInstIoU("car")));
    }

    @Test
    void emptyGroundTruthIsAnError() throws Exception {
        Files.createDirectories(gt.resolve("gtFine/test"));
        EvaluationException e = assertThrows(EvaluationException.class, () -> folder().optSplit("test").build().run());
        assertEquals("no ground truth to evaluate: " + gt.resolve("gtFine/test") + " holds no *_gtFine_labelIds.png",
                e.getMessage());
    }
}
