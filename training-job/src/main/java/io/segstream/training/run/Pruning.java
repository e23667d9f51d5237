package io.segstream.training.run;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.Augmentation;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.CityscapesSource;
import io.segstream.training.data.Normalization;
import io.segstream.training.loss.WeightedCrossEntropy;
import io.segstream.training.model.ModelComplexity;
import io.segstream.training.prune.FilterPruner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code segstream prune}: L1 filter pruning of a trained checkpoint in steps, each followed by fine-tuning, as the
 * ICNet seed prunes. Step i removes filters until a fraction {@code schedule[i]} of the original filters of every
 * prunable group is gone ({@link FilterPruner}), scores the pruned network on the validation split, fine-tunes it
 * with the checkpoint's own training options (fewer epochs, a lower learning rate) and goes on from the best
 * fine-tuned checkpoint. Each step's checkpoint carries its channel plan, so {@code export}, {@code predict} and
 * {@code train --init/--resume} take it like any other.
 *
 * <pre>{@code
 * List<Pruning.Step> steps = Pruning.run(Path.of("runs/…/epoch-020_….zip"), List.of(0.25, 0.5),
 *         Map.of("dataPath", "/data/scenes", "epochs", 2, "learningRate", 1e-4), System.err);
 * }</pre>
 */
public final class Pruning {
    private Pruning() {
    }

    /**
     * One row of the pruning table.
     *
     * @param ratio          fraction of the original filters removed from every prunable group
     * @param params         parameters of the network
     * @param gflops         GFLOPs of one forward pass at the training size
     * @param prunedMeanIoU  validation mIoU right after pruning (NaN for the unpruned row)
     * @param meanIoU        validation mIoU after fine-tuning (the unpruned row: before pruning)
     * @param checkpoint     the best checkpoint of the step
     */
    public record Step(double ratio, long params, double gflops, double prunedMeanIoU, double meanIoU,
            Path checkpoint) {
    }

    /**
     * Prunes {@code checkpoint} along {@code schedule} (increasing fractions in (0, 1)); {@code overrides} change
     * the fine-tuning's training options (dataPath, epochs, learningRate, runsDir, …). Returns the unpruned row
     * first, then one row per step.
     */
    public static List<Step> run(Path checkpoint, List<Double> schedule, Map<String, ?> overrides,
            PrintStream console) throws IOException, DatasetException {
        checkSchedule(schedule);
        Checkpoints.Restored start = Checkpoints.load(checkpoint);
        TrainConfig config = TrainConfig.of(start.state().config()).with(overrides);
        LabelSet set = LabelSet.named(config.labelSet());
        CityscapesDataset data = CityscapesDataset.locate(config.dataPath() == null ? null
                : Path.of(config.dataPath()));
        Validator validator = new Validator(new CityscapesSource(data.split("val"), set), config.validationImages(),
                new Augmenter(config.width(), config.height(), Augmentation.NONE),
                new BatchEncoder(set.numClasses(), Normalization.IMAGENET), set, new WeightedCrossEntropy(null),
                config.batch());
        List<Step> steps = new ArrayList<>();
        steps.add(row(0, start.graph(), config, Double.NaN, validator.run(start.graph()).meanIoU(), checkpoint));
        console.println(describe(steps.get(0)));
        Path current = checkpoint;
        ComputationGraph graph = start.graph();
        Map<String, Integer> plan = new LinkedHashMap<>(config.prunedChannels());
        double done = 0;
        Path work = Files.createDirectories(Path.of(config.runsDir()));
        for (double ratio : schedule) {
            // what is left is (1 - done) of the original: remove the share that brings it to (1 - ratio)
            FilterPruner.Pruned pruned = FilterPruner.prune(graph, 1 - (1 - ratio) / (1 - done));
            plan.putAll(pruned.plan());
            TrainConfig step = config.with(Map.of("prunedChannels", Map.copyOf(plan)));
            double prunedIoU = validator.run(pruned.graph()).meanIoU();
            Path prunedZip = work.resolve(String.format(Locale.ROOT, "pruned-%.2f-%d.zip", ratio,
                    System.currentTimeMillis()));
            Checkpoints.save(pruned.graph(), prunedZip, new TrainingState(step.toMap(), 0, 0, 0, Double.NaN, null,
                    List.of(), List.of()));
            console.printf(Locale.ROOT, "pruned to %.0f %% of the filters: %d parameters, val mIoU %.4f before"
                    + " fine-tuning; fine-tuning %d epochs%n", 100 * (1 - ratio), pruned.graph().numParams(),
                    prunedIoU, step.epochs());
            Trainer.Outcome tuned = TrainingJob.run(step, null, prunedZip, console);
            Files.deleteIfExists(prunedZip);
            Files.deleteIfExists(Checkpoints.stateFile(prunedZip));
            current = tuned.bestCheckpoint();
            graph = Checkpoints.load(current).graph();
            steps.add(row(ratio, graph, step, prunedIoU, tuned.bestMeanIoU(), current));
            console.println(describe(steps.get(steps.size() - 1)));
            done = ratio;
        }
        return steps;
    }

    /** The steps as an aligned table. */
    public static String table(List<Step> steps, int width, int height) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-8s %12s %14s %16s %16s  %s%n", "pruned",
                "params", "GFLOPs@" + width + "x" + height, "mIoU pruned", "mIoU fine-tuned", "checkpoint"));
        for (Step s : steps) {
            sb.append(String.format(Locale.ROOT, "%-8s %,12d %14.2f %16s %16.4f  %s%n",
                    String.format(Locale.ROOT, "%.0f %%", 100 * s.ratio()), s.params(), s.gflops(),
                    Double.isNaN(s.prunedMeanIoU()) ? "-" : String.format(Locale.ROOT, "%.4f", s.prunedMeanIoU()),
                    s.meanIoU(), s.checkpoint()));
        }
        return sb.toString();
    }

    private static Step row(double ratio, ComputationGraph graph, TrainConfig config, double prunedIoU,
            double meanIoU, Path checkpoint) {
        ModelComplexity c = ModelComplexity.of(graph.getConfiguration(), config.height(), config.width());
        return new Step(ratio, c.params(), c.flops() / 1e9, prunedIoU, meanIoU, checkpoint);
    }

    private static String describe(Step s) {
        return String.format(Locale.ROOT, "%.0f %% pruned: %,d parameters, %.2f GFLOPs, val mIoU %.4f", 100 * s.ratio(),
                s.params(), s.gflops(), s.meanIoU());
    }

    private static void checkSchedule(List<Double> schedule) {
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("the pruning schedule is empty; give --ratio or --schedule");
        }
        double last = 0;
        for (double r : schedule) {
            if (!(r > last && r < 1)) {
                throw new IllegalArgumentException("pruning ratios must rise within (0, 1), got " + schedule);
            }
            last = r;
        }
    }
}
