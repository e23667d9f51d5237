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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A short training (64 steps, 128 for Bayesian SegNet) of every model of the zoo on generated road scenes (core's
 * scene generator, read back through core's Cityscapes reader) lifts validation IoU clearly above chance, chance being
 * the scores of predicting the most frequent training class everywhere. The assertion is on the large, easy classes
 * (road, sidewalk, building, vegetation, sky, car), which a few dozen steps can learn, and on the mIoU over all
 * classes.
 */
@Tag("slow")
class ConvergenceOnScenesITCase {
    private static final List<String> EASY = List.of("road", "sidewalk", "building", "vegetation", "sky", "car");

    @TempDir
    Path tmp;

    /**
     * One model's short training and the margins it must clear over chance.
     *
     * @param name        the case as the report names it
     * @param width       training and validation width (height is half of it)
     * @param options     training options over the shared ones (model, encoder, width, learning rate, scale range,
     *                    epochs where a model needs more than 8)
     * @param easyMargin  how far the easy-class mean IoU must rise above chance
     * @param miouMargin  how far the 19-class mIoU must rise above chance
     */
    record Case(String name, int width, Map<String, Object> options, double easyMargin, double miouMargin) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Every model of the zoo. The first three train at 256x128, the rest at 128x64 to keep CI short; all but the first
     * with the seeds' full augmentation (scale 0.5-2, crop, flip, colour jitter). Bayesian SegNet, a 26-convolution
     * encoder-decoder without a skip path and with dropout 0.5 after its six central units, learns more slowly than the
     * rest: it trains 128 steps at lr 3e-3 (at 64 steps and lr 1e-3 its loss barely moves; training-job/README.md).
     */
    static Stream<Case> cases() {
        Stream<Case> first = Stream.of(
                // without scale augmentation (flips and colour jitter only)
                new Case("fcn8-resnet18 x0.25", 256, Map.of("model", "fcn", "encoder", "resnet18",
                        "widthMultiplier", 0.25, "learningRate", 3e-3, "minScale", 1.0, "maxScale", 1.0), 0.25, 0.05),
                // depthwise layers and the pyramid-pooling branch at 4x8 feature maps must survive inference-mode
                // batch norm
                new Case("fastscnn x0.25", 256, Map.of("model", "fastscnn", "widthMultiplier", 0.25,
                        "learningRate", 3e-3), 0.15, 0.03),
                // three resolutions, cascade fusion and label guidance (three losses)
                new Case("icnet x0.25", 256, Map.of("model", "icnet", "widthMultiplier", 0.25,
                        "learningRate", 3e-3), 0.15, 0.03),
                new Case("unet x0.125", 128, Map.of("model", "unet", "widthMultiplier", 0.125,
                        "learningRate", 3e-3), 0.15, 0.03),
                new Case("separable_unet", 128, Map.of("model", "separable_unet", "learningRate", 3e-3), 0.15, 0.03),
                new Case("deeplabv3+-mobilenetv2 x0.5", 128, Map.of("model", "deeplabv3+", "backbone", "mobilenetv2",
                        "widthMultiplier", 0.5, "learningRate", 3e-3), 0.15, 0.03),
                new Case("deeplabv3+-xception x0.125", 128, Map.of("model", "deeplabv3+", "backbone", "xception",
                        "widthMultiplier", 0.125, "learningRate", 3e-3), 0.15, 0.03),
                new Case("bayes_segnet x0.25", 128, Map.of("model", "bayes_segnet", "widthMultiplier", 0.25,
                        "learningRate", 3e-3, "epochs", 16), 0.15, 0.03));
        Stream<Case> fcn = Stream.of("mobilenetv2", "resnet18", "vgg16").flatMap(encoder -> Stream.of(32, 16, 8)
                .filter(stride -> !(encoder.equals("resnet18") && stride == 8))
                // FCN-32s at 128x64 predicts from a 4x2 map, so its boundaries are coarse: a smaller easy-class margin;
                // the MobileNetV2 encoder at x0.25 still wanders at 64 steps (FCN-16s: 0.201 against the 0.200 it
                // needs), so it trains 96
                .map(stride -> new Case("fcn" + stride + "-" + encoder + " x0.25", 128, Map.of("model", "fcn",
                        "encoder", encoder, "fcnStride", stride, "widthMultiplier", 0.25, "learningRate", 3e-3,
                        "epochs", encoder.equals("mobilenetv2") ? 12 : 8), stride == 32 ? 0.12 : 0.15, 0.03)));
        return Stream.concat(first, fcn);
    }

    /** The cases, or those whose name matches the regular expression in {@code SEGSTREAM_CONVERGENCE_CASES}. */
    static Stream<Case> selectedCases() {
        String only = System.getenv("SEGSTREAM_CONVERGENCE_CASES");
        return only == null || only.isBlank() ? cases() : cases().filter(c -> c.name().matches(only));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectedCases")
    void shortTrainingBeatsChanceClearly(Case c) throws Exception {
        Path root = tmp.resolve("scenes");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(11).build(),
                root, "train", 32, 2, ProgressListener.none());
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(256, 128).optKind(SceneKind.ROAD).optSeed(12).build(),
                root, "val", 8, 2, ProgressListener.none());
        LabelSet set = LabelSet.named("cityscapes-19");
        CityscapesDataset data = CityscapesDataset.open(root);
        CityscapesSource train = new CityscapesSource(data.split("train"), set);
        CityscapesSource val = new CityscapesSource(data.split("val"), set);
        int width = c.width();
        int height = width / 2;
        EvaluationResult chance = majorityClass(train, val, set, new Augmenter(width, height, Augmentation.NONE));

        Map<String, Object> o = new HashMap<>();
        o.put("dataPath", root.toString());
        o.put("width", width);
        o.put("height", height);
        o.put("batch", 4);
        o.put("epochs", 8);
        o.put("loaderThreads", 1);
        o.put("runsDir", tmp.resolve("runs").toString());
        o.putAll(c.options());
        Trainer.Outcome out = TrainingJob.run(TrainConfig.of(o), null, System.out);

        Validator validator = new Validator(val, 0, new Augmenter(width, height, Augmentation.NONE),
                new BatchEncoder(set.numClasses(), Normalization.IMAGENET), set, new WeightedCrossEntropy(null), 4);
        EvaluationResult trained = validator.run(out.graph()).evaluation();
        double chanceEasy = easyMean(chance);
        double trainedEasy = easyMean(trained);
        System.out.printf(Locale.ROOT, "convergence %s: %d steps; easy-class mean IoU chance %.4f -> trained %.4f;"
                + " mIoU chance %.4f -> trained %.4f (best during training %.4f); per epoch %s; class IoU %s%n",
                c.name(), out.history().get(out.history().size() - 1).iteration(), chanceEasy, trainedEasy,
                chance.meanIoU(), trained.meanIoU(), out.bestMeanIoU(), out.history().stream()
                        .map(m -> String.format(Locale.ROOT, "%.4f", m.valMeanIoU())).toList(),
                trained.classScores());
        assertTrue(trainedEasy >= chanceEasy + c.easyMargin(), c.name() + ": easy-class mean IoU " + trainedEasy
                + " is not " + c.easyMargin() + " above chance " + chanceEasy);
        assertTrue(trained.meanIoU() > chance.meanIoU() + c.miouMargin(), c.name() + ": mIoU " + trained.meanIoU()
                + " is not " + c.miouMargin() + " above chance " + chance.meanIoU());
    }

    private static double easyMean(EvaluationResult r) {
        return EASY.stream().mapToDouble(r::classIoU).average().orElseThrow();
    }

    /** Scores of predicting the training set's most frequent class for every validation pixel. */
    private static EvaluationResult majorityClass(CityscapesSource train, CityscapesSource val, LabelSet set,
            Augmenter size) throws Exception {
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
            TrainingSample s = size.resizeOnly(val.load(i));
            byte[] prediction = new byte[s.classIds().length];
            Arrays.fill(prediction, (byte) majority);
            eval.add(LabelImage.of8(s.width(), s.height(), set.classIdsToLabelIds(s.classIds(), s.id())), null,
                    LabelImage.of8(s.width(), s.height(), prediction), s.id());
        }
        return eval.result();
    }
}
