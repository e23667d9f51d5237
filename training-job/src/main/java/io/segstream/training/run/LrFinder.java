package io.segstream.training.run;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.progress.ProgressBar;
import io.segstream.training.data.Augmentation;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.BatchLoader;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.SampleSource;
import io.segstream.training.loss.LossSpec;
import io.segstream.training.loss.PixelLoss;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.optim.ExponentialSweepSchedule;
import io.segstream.training.optim.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The learning-rate range test (Smith 2017; the seeds' {@code -f/--lrfinder OPTIMIZER}): trains a fresh model while
 * the learning rate grows geometrically from {@code start} to {@code end}, records the smoothed loss, stops once the
 * loss has clearly diverged, writes a loss-versus-LR PNG and suggests a range: from the rate where the loss falls
 * fastest to a tenth of the rate where it is lowest.
 *
 * <pre>{@code
 * LrFinder.Result r = LrFinder.run(config, "adam", 1e-6, 1, 100, trainSource, Path.of("lrfinder.png"), System.err);
 * }</pre>
 */
public final class LrFinder {
    private static final double SMOOTHING = 0.9;
    private static final double DIVERGED = 4.0;

    private LrFinder() {
    }

    /** The sweep and the suggestion. */
    public record Result(double[] learningRates, double[] losses, double[] smoothed, double steepest, double lowest,
            double suggestedMin, double suggestedMax, Path plot) {
    }

    public static Result run(TrainConfig config, String optimizer, double start, double end, int steps,
            SampleSource train, Path plot, PrintStream console) throws IOException {
        Trainer.checkBackend(config);
        LabelSet set = LabelSet.named(config.labelSet());
        PixelLoss loss = LossSpec.create(config.loss(), null, config.topK(), config.miningSteps(), config.gamma());
        IUpdater updater = Optimizers.create(optimizer, start, new ExponentialSweepSchedule(start, end, steps),
                config.momentum());
        ComputationGraph graph = new ComputationGraph(ModelBuilder.builder().setSpec(config.modelSpec())
                .optUpdater(updater).optLoss(loss).optSeed(config.seed()).build().configuration());
        graph.init();
        List<Double> lrs = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        List<Double> smooth = new ArrayList<>();
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        ProgressBar bar = ProgressBar.builder().setOut(console).setUnit("steps").optLabel("lr finder").build();
        ExponentialSweepSchedule sweep = new ExponentialSweepSchedule(start, end, steps);
        Augmentation aug = config.augment()
                ? new Augmentation(config.minScale(), config.maxScale(), true, 0.2, 0.2, 0.2) : Augmentation.NONE;
        try (BatchLoader loader = new BatchLoader(train, new Augmenter(config.width(), config.height(), aug),
                new BatchEncoder(set.numClasses(), Normalization.IMAGENET), config.batch(), config.loaderThreads(),
                2 * config.loaderThreads(), config.seed())) {
            int step = 0;
            sweep:
            for (int epoch = 0; step < steps; epoch++) {
                for (BatchLoader.Batch b : loader.epoch(epoch, 0)) {
                    double lr = sweep.valueAt(step, 0);
                    graph.fit(BatchEncoder.forOutputs(b.data(), graph.getNumOutputArrays()));
                    double l = graph.score();
                    avg = SMOOTHING * avg + (1 - SMOOTHING) * l;
                    double s = avg / (1 - Math.pow(SMOOTHING, step + 1));
                    lrs.add(lr);
                    raw.add(l);
                    smooth.add(s);
                    best = Math.min(best, s);
                    step++;
                    bar.update(step, steps, String.format(Locale.ROOT, "loss %.4f  lr %.2e", s, lr));
                    if (!Double.isFinite(l) || (step > 5 && s > DIVERGED * best) || step >= steps) {
                        break sweep;
                    }
                }
            }
        }
        bar.finish();
        double[] lr = lrs.stream().mapToDouble(Double::doubleValue).toArray();
        double[] ls = raw.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sm = smooth.stream().mapToDouble(Double::doubleValue).toArray();
        int lowest = 0;
        for (int i = 1; i < sm.length; i++) {
            if (sm[i] < sm[lowest]) {
                lowest = i;
            }
        }
        int steepest = 0;
        double slope = Double.POSITIVE_INFINITY;
        for (int i = 1; i <= lowest; i++) {
            double d = (sm[i] - sm[i - 1]) / (Math.log(lr[i]) - Math.log(lr[i - 1]));
            if (d < slope) {
                slope = d;
                steepest = i;
            }
        }
        double max = lr[lowest] / 10;
        double min = Math.min(lr[steepest], max / 10);
        new LinePlot("learning-rate finder (" + optimizer + ")", "learning rate", "loss").logX()
                .series("loss", lr, ls).series("smoothed", lr, sm).write(plot);
        console.println(String.format(Locale.ROOT, "lr finder (%s): steepest descent at %.2e, lowest loss at %.2e;"
                + " suggested range --min-lr %.2e --max-lr %.2e; plot %s", optimizer, lr[steepest], lr[lowest], min,
                max, plot));
        return new Result(lr, ls, sm, lr[steepest], lr[lowest], min, max, plot);
    }
}
