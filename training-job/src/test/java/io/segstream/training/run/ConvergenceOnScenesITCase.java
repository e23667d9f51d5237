package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.metrics.CityscapesEvaluator;
import io.segstream.core.metrics.PredictionIds;
import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.training.data.ClassWeights;
import io.segstream.training.data.CityscapesSource;
import io.segstream.training.data.TrainingSample;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short training on generated road scenes (core's scene generator, read back through core's Cityscapes reader)
 * lifts validation mIoU clearly above chance, here the mIoU of predicting the most frequent training class
 * everywhere.
 */
@Tag("slow")
class ConvergenceOnScenesITCase {
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
        double chance = majorityClassMeanIoU(new CityscapesSource(data.split("train"), set),
                new CityscapesSource(data.split("val"), set), set);

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
        o.put("epochs", 6);
        o.put("learningRate", 3e-3);
        o.put("loaderThreads", 1);
        o.put("runsDir", tmp.resolve("runs").toString());
        Trainer.Outcome out = TrainingJob.run(TrainConfig.of(o), null, System.out);

        double best = out.bestMeanIoU();
        System.out.printf(Locale.ROOT, "convergence: chance (majority class) mIoU %.4f, trained best mIoU %.4f,"
                + " per epoch %s%n", chance, best, out.history().stream()
                .map(m -> String.format(Locale.ROOT, "%.4f", m.valMeanIoU())).toList());
        assertTrue(best >= chance + 0.10 && best >= 2 * chance,
                "best val mIoU " + best + " is not clearly above chance " + chance);
    }

    /** mIoU of predicting the training set's most frequent class for every validation pixel. */
    private static double majorityClassMeanIoU(CityscapesSource train, CityscapesSource val, LabelSet set)
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
        return eval.result().meanIoU();
    }
}
