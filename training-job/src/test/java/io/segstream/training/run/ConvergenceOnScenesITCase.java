package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.metrics.CityscapesEvaluator;
import io.segstream.core.metrics.EvaluationResult;
import io.segstream.core.metrics.PredictionIds;
import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.training.data.Augmentation;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.ClassWeights;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.CityscapesSource;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.loss.WeightedCrossEntropy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short training on generated road scenes (core's scene generator, read back through core's Cityscapes reader)
 * lifts validation IoU clearly above chance, chance being the scores of predicting the most frequent training class
 * everywhere. The assertion is on the large, easy classes (road, sidewalk, building, vegetation, sky, car), which a
 * few dozen steps can learn; the mIoU over all classes is printed with it.
 */
@Tag("slow")
class ConvergenceOnScenesITCase {
    private static final List<String> EASY = List.of("road", "sidewalk", "building", "vegetation", "sky", "car");

    @TempDir
    Path tmp;

    @Test
    void shortTrainingBeatsChanceClearly() throws Exception {
        Path root = tmp.resolve("scenes");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(11).build(),
                root, "train", 32, 2, ProgressListener.none());
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(12).build(),
                root, "val", 8, 2, ProgressListener.none());
        LabelSet set = LabelSet.named("cityscapes-19");
        CityscapesDataset data = CityscapesDataset.open(root);
        CityscapesSource train = new CityscapesSource(data.split("train"), set);
        CityscapesSource val = new CityscapesSource(data.split("val"), set);
        EvaluationResult chance = majorityClass(train, val, set);

        Map<String, Object> o = new HashMap<>();
        o.put("model", "fcn");
        o.put("encoder", "resnet18");
        o.put("widthMultiplier", 0.25);
        o.put("dataPath", root.toString());
        o.put("width", 256);
        o.put("height", 128);
        o.put("minScale", 1.0);
        o.put("maxScale", 1.0);
        o.put("batch", 4);
        o.put("epochs", 8);
        o.put("learningRate", 3e-3);
        o.put("loaderThreads", 1);
        o.put("runsDir", tmp.resolve("runs").toString());
        Trainer.Outcome out = TrainingJob.run(TrainConfig.of(o), null, System.out);

        Validator validator = new Validator(val, 0, new Augmenter(256, 128, Augmentation.NONE),
                new BatchEncoder(set.numClasses(), Normalization.IMAGENET), set, new WeightedCrossEntropy(null), 4);
        EvaluationResult trained = validator.run(out.graph()).evaluation();
        double chanceEasy = easyMean(chance);
        double trainedEasy = easyMean(trained);
        System.out.printf(Locale.ROOT, "convergence: %d steps; easy-class mean IoU chance %.4f -> trained %.4f;"
                + " mIoU chance %.4f -> trained %.4f (best during training %.4f); per epoch %s; class IoU %s%n",
                out.history().get(out.history().size() - 1).iteration(), chanceEasy, trainedEasy, chance.meanIoU(),
                trained.meanIoU(), out.bestMeanIoU(), out.history().stream()
                        .map(m -> String.format(Locale.ROOT, "%.4f", m.valMeanIoU())).toList(),
                trained.classScores());
        assertTrue(trainedEasy >= chanceEasy + 0.25,
                "easy-class mean IoU " + trainedEasy + " is not clearly above chance " + chanceEasy);
        assertTrue(trained.meanIoU() > chance.meanIoU() + 0.05,
                "mIoU " + trained.meanIoU() + " is not above chance " + chance.meanIoU());
    }

    private static double easyMean(EvaluationResult r) {
        return EASY.stream().mapToDouble(r::classIoU).average().orElseThrow();
    }

    /** Scores of predicting the training set's most frequent class for every validation pixel. */
    private static EvaluationResult majorityClass(CityscapesSource train, CityscapesSource val, LabelSet set)
            throws Exception {
        long[] counts = ClassWeights.count(train, set.numClasses(), train.size());
        int majority = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[majority]) {
                majority = c;
            }
        }
        CityscapesEvaluator eval = CityscapesEvaluator.builder().optLabelSet(set)
                .optPredictionIds(PredictionIds.TRAIN).build();
        for (int i = 0; i < val.size(); i++) {
            TrainingSample s = val.load(i);
            byte[] prediction = new byte[s.classIds().length];
            Arrays.fill(prediction, (byte) majority);
            eval.add(LabelImage.of8(s.width(), s.height(), set.classIdsToLabelIds(s.classIds(), s.id())), null,
                    LabelImage.of8(s.width(), s.height(), prediction), s.id());
        }
        return eval.result();
    }
}
