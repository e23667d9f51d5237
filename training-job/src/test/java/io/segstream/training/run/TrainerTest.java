package io.segstream.training.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.Augmentation;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.InMemorySource;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.ToyScenes;
import io.segstream.training.loss.WeightedCrossEntropy;
import io.segstream.training.model.ModelBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The training loop on tiny in-memory scenes: run directory contents and exact resume. */
class TrainerTest {
    @TempDir
    Path tmp;

    private Map<String, Object> options(String model, int epochs) {
        Map<String, Object> o = new HashMap<>();
        o.put("model", model);
        o.put("labelSet", "cityscapes-19");
        o.put("width", 64);
        o.put("height", 32);
        o.put("widthMultiplier", 0.125);
        o.put("batch", 2);
        o.put("epochs", epochs);
        o.put("loaderThreads", 1);
        o.put("runsDir", tmp.resolve("runs").toString());
        o.put("learningRate", 3e-3);
        o.put("seed", 7L);
        return o;
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    @Test
    void writesTheRunDirectory() throws Exception {
        InMemorySource train = new InMemorySource(ToyScenes.make(8, 96, 48, 1));
        InMemorySource val = new InMemorySource(ToyScenes.make(2, 96, 48, 2));
        Map<String, Object> o = options("deeplabv3+", 2);
        o.put("accumulate", 2);
        o.put("clipNorm", 1.0);
        o.put("schedule", "polynomial");
        Trainer.Outcome out = new Trainer(TrainConfig.of(o), train, val, quiet()).run();
        Path run = out.run().root();
        assertTrue(run.getFileName().toString().matches("\\d{4}-\\d{2}-\\d{2}_deeplabv3\\+-mobilenetv2__1"),
                run.toString());
        for (String f : List.of("config.json", "train.log", "metrics.csv", "metrics.json", "loss.png", "lr.png",
                "miou.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size());
        assertTrue(out.bestCheckpoint().getFileName().toString().matches("epoch-00\\d_miou-0\\.\\d{4}_loss-\\d+\\.\\d{4}\\.zip"));
        assertTrue(Files.isRegularFile(Checkpoints.stateFile(out.lastCheckpoint())));
        try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
            assertTrue(files.count() <= 4, "only the best and the last checkpoint are kept");
        }
        assertEquals(2, out.history().size());
        // 8 images in batches of 2, two batches a step: 2 steps an epoch
        assertEquals(4, out.history().get(1).iteration());
        assertTrue(out.history().get(1).learningRate() < out.history().get(0).learningRate(), "polynomial decay");
    }

    @Test
    void resumingGivesTheStraightRunsWeights() throws Exception {
        InMemorySource train = new InMemorySource(ToyScenes.make(4, 96, 48, 3));
        InMemorySource val = new InMemorySource(ToyScenes.make(2, 96, 48, 4));
        Map<String, Object> o = options("deeplabv3+", 2);
        o.put("optimizer", "adam");
        o.put("schedule", "warmup");
        o.put("warmupSteps", 3);
        o.put("decay", 0.5);
        Trainer.Outcome straight = new Trainer(TrainConfig.of(o), train, val, quiet()).run();

        o.put("epochs", 1);
        Trainer.Outcome first = new Trainer(TrainConfig.of(o), train, val, quiet()).run();
        o.put("epochs", 2);
        Trainer.Outcome resumed = new Trainer(TrainConfig.of(o), train, val, quiet())
                .resumeFrom(first.lastCheckpoint()).run();

        INDArray a = straight.graph().params();
        INDArray b = resumed.graph().params();
        double maxDiff = a.sub(b).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, "max parameter difference " + maxDiff);
        assertEquals(straight.history().get(1).iteration(), resumed.history().get(1).iteration());
        assertEquals(straight.history().get(1).trainLoss(), resumed.history().get(1).trainLoss(), 1e-4);
        INDArray ua = straight.graph().getUpdater().getStateViewArray();
        INDArray ub = resumed.graph().getUpdater().getStateViewArray();
        assertTrue(ua.sub(ub).amaxNumber().doubleValue() < 1e-4, "optimizer state matches");
    }

    @Test
    void fineTuningStartsFromTheCheckpointsWeightsWithAFreshOptimizer() throws Exception {
        InMemorySource train = new InMemorySource(ToyScenes.make(4, 96, 48, 5));
        InMemorySource val = new InMemorySource(ToyScenes.make(2, 96, 48, 6));
        Map<String, Object> o = options("fcn", 1);
        o.put("fcnStride", 32);
        Trainer.Outcome trained = new Trainer(TrainConfig.of(o), train, val, quiet()).run();

        // a learning rate so small that one epoch cannot move the weights: what comes out is what went in
        o.put("optimizer", "sgd");
        o.put("momentum", 0.0);
        o.put("learningRate", 1e-12);
        o.put("seed", 99L);
        Trainer.Outcome tuned = new Trainer(TrainConfig.of(o), train, val, quiet())
                .initFrom(trained.lastCheckpoint()).run();
        Trainer.Outcome fresh = new Trainer(TrainConfig.of(o), train, val, quiet()).run();
        assertTrue(maxWeightDiff(trained, tuned) < 1e-6, "weights from the checkpoint");
        assertTrue(maxWeightDiff(trained, fresh) > 1e-3, "seed 99 makes other weights");
        assertEquals(2, tuned.history().get(0).iteration(), "the step count starts again");

        o.put("labelSet", "rail-20");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainConfig.of(o), train, val, quiet()).initFrom(trained.lastCheckpoint()).run());
        assertEquals("cannot start from " + trained.lastCheckpoint() + ": it holds a network trained with"
                + " labelSet=cityscapes-19 but this run builds labelSet=rail-20", e.getMessage());
    }

    @Test
    void validationRunsAtItsOwnSizeWithTheTrainedWeights() throws Exception {
        InMemorySource train = new InMemorySource(ToyScenes.make(4, 96, 48, 1));
        InMemorySource val = new InMemorySource(ToyScenes.make(2, 96, 48, 2));
        Map<String, Object> o = options("deeplabv3+", 1);
        o.put("valWidth", 128);
        o.put("valHeight", 64);
        TrainConfig config = TrainConfig.of(o);
        Trainer.Outcome out = new Trainer(config, train, val, quiet()).run();
        assertTrue(Files.readString(out.run().log()).contains("validation at 128x64, training crops 64x32"));

        // the same validation, done by hand on a 128x64 graph given the trained weights
        LabelSet set = LabelSet.named("cityscapes-19");
        ComputationGraph at128 = new ComputationGraph(
                ModelBuilder.builder().setSpec(config.modelSpec().withSize(128, 64))
                        .build().configuration());
        at128.init();
        at128.setParams(out.graph().params());
        Validator byHand = new Validator(val, 0, new Augmenter(128, 64,
                Augmentation.NONE), new BatchEncoder(19,
                Normalization.IMAGENET), set,
                new WeightedCrossEntropy(null), 2);
        Validator.Result r = byHand.run(at128);
        assertEquals(r.meanIoU(), out.history().get(0).valMeanIoU(), 1e-6);
        assertEquals(r.pixelAccuracy(), out.history().get(0).valPixelAccuracy(), 1e-6);

        o.put("valWidth", 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(o));
        assertTrue(e.getMessage().contains("100"), e.getMessage());
        o.put("valWidth", 0);
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(o), "one side given alone");
    }

    @Test
    void theBestCheckpointHasTheHighestMiouAndOnATieTheLowerLoss() {
        assertTrue(Trainer.isBetter(0.2, 3.0, Double.NaN, Double.NaN), "the first validation is the best so far");
        assertTrue(Trainer.isBetter(0.3, 3.0, 0.2, 1.0));
        assertTrue(!Trainer.isBetter(0.1, 0.5, 0.2, 1.0), "a lower loss does not outweigh a lower mIoU");
        assertTrue(Trainer.isBetter(0.2, 0.9, 0.2, 1.0), "same mIoU, lower loss");
        assertTrue(!Trainer.isBetter(0.2, 1.0, 0.2, 1.0), "an equal result keeps the earlier checkpoint");
        assertTrue(!Trainer.isBetter(Double.NaN, 0.1, 0.2, 1.0), "no score is not better");
    }

    /** Largest difference of learned weights; batch-norm running statistics move with every batch and are left out. */
    private static double maxWeightDiff(Trainer.Outcome a, Trainer.Outcome b) {
        double max = 0;
        for (Map.Entry<String, INDArray> e : a.graph().paramTable().entrySet()) {
            if (!e.getKey().endsWith("_mean") && !e.getKey().endsWith("_log10stdev")) {
                INDArray other = b.graph().paramTable().get(e.getKey());
                max = Math.max(max, e.getValue().sub(other).amaxNumber().doubleValue());
            }
        }
        return max;
    }
}
