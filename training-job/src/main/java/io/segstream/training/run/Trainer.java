package io.segstream.training.run;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.progress.ProgressBar;
import io.segstream.training.data.Augmentation;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.BatchLoader;
import io.segstream.training.data.CachedSource;
import io.segstream.training.data.ClassWeights;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.SampleSource;
import io.segstream.training.export.ExportedWeights;
import io.segstream.training.loss.LossSpec;
import io.segstream.training.loss.PixelLoss;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelSpec;
import io.segstream.training.optim.Optimizers;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: batches from a {@link BatchLoader}, gradients from DL4J, optional gradient accumulation,
 * DL4J's updater, validation with the Cityscapes evaluator, checkpoints, metrics and plots in a
 * {@link RunDirectory}.
 *
 * <p>Each optimiser step sums the gradients of {@code accumulate} batches (BN running statistics move by their mean)
 * and hands them to DL4J's updater with the total batch size, so accumulation over k batches of n equals one step on
 * k·n images. The global ND4J random generator is reseeded from (seed, step, micro-batch) before every forward pass,
 * so dropout — like the data order and augmentation — is a function of the position in training, and a resumed run
 * continues exactly where the straight run would be.
 *
 * <pre>{@code
 * Trainer.Outcome out = new Trainer(config, trainSource, valSource, System.err).run();
 * }</pre>
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainConfig config;
    private final SampleSource train;
    private final SampleSource val;
    private final PrintStream console;
    private Path resumeFrom;
    private Path initFrom;
    private Path runsParent;

    /** What a run produced. */
    public record Outcome(RunDirectory run, Path bestCheckpoint, Path lastCheckpoint, double bestMeanIoU,
            List<EpochMetrics> history, ComputationGraph graph) {
    }

    public Trainer(TrainConfig config, SampleSource train, SampleSource val, PrintStream console) {
        this.config = config;
        this.train = train;
        this.val = val;
        this.console = console;
        this.runsParent = Path.of(config.runsDir());
    }

    /** Continues from a checkpoint written by an earlier run (weights, optimiser state, schedule and data position). */
    public Trainer resumeFrom(Path checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Starts from the weights of a checkpoint, or of a model directory segstream exported ({@link ExportedWeights}),
     * with a fresh optimiser, schedule and data order: fine-tuning a trained model on new data. It must hold the same
     * architecture and label set; the training size may differ.
     */
    public Trainer initFrom(Path checkpoint) {
        this.initFrom = checkpoint;
        return this;
    }

    /** Runs until the configured number of epochs is done. */
    public Outcome run() throws IOException {
        checkBackend(config);
        if (resumeFrom != null && initFrom != null) {
            throw new IllegalArgumentException("resume a run or start from a checkpoint's weights, not both");
        }
        ModelSpec spec = config.modelSpec();
        LabelSet labelSet = LabelSet.named(config.labelSet());
        int classes = labelSet.numClasses();
        BatchEncoder encoder = new BatchEncoder(classes, Normalization.IMAGENET);
        Augmentation aug = config.augment()
                ? new Augmentation(config.minScale(), config.maxScale(), true, 0.2, 0.2, 0.2) : Augmentation.NONE;
        Augmenter augmenter = new Augmenter(config.width(), config.height(), aug);
        boolean rareCrops = config.augment() && config.rareClassCrop() > 0;
        long[] pixelCounts = config.classWeights().equals("auto") || rareCrops
                ? ClassWeights.count(train, classes, 200) : null;
        if (rareCrops) {
            augmenter = augmenter.withRareClassCrops(config.rareClassCrop(), pixelCounts);
            LOG.info("rare-class crops: {} % of crops placed on a class drawn by 1 / pixel share; pixels per class {}",
                    Math.round(100 * config.rareClassCrop()), java.util.Arrays.toString(pixelCounts));
        }
        double[] weights = classWeights(pixelCounts, classes);
        PixelLoss loss = LossSpec.create(config.loss(), weights, config.topK(), config.miningSteps(), config.gamma());

        try (BatchLoader loader = new BatchLoader(train, augmenter, encoder, config.batch(), config.loaderThreads(),
                2 * config.loaderThreads(), config.seed())) {
            int stepsPerEpoch = loader.batchesPerEpoch() / config.accumulate();
            if (stepsPerEpoch == 0) {
                throw new IllegalArgumentException(loader.batchesPerEpoch() + " batches per epoch cannot make one step of"
                        + " " + config.accumulate() + " accumulated batches; lower --accumulate or -b");
            }
            long totalSteps = (long) stepsPerEpoch * config.epochs();
            ComputationGraph graph;
            TrainingState state;
            if (resumeFrom != null) {
                Checkpoints.Restored r = Checkpoints.load(resumeFrom);
                checkCompatible(r.state());
                // the configuration is rebuilt from this run's options (a longer -e stretches the schedule); weights,
                // optimiser state and step count come from the checkpoint
                graph = new ComputationGraph(build(spec, loss, totalSteps).configuration());
                graph.init();
                if (Checkpoints.copyWeights(r.graph(), graph, resumeFrom)) {
                    graph.getUpdater().getStateViewArray().assign(r.graph().getUpdater().getStateViewArray());
                } else {
                    LOG.warn("{} was written by an earlier segstream whose layers are ordered differently: its weights"
                            + " were carried over by layer name and the optimiser's state starts afresh", resumeFrom);
                }
                graph.getConfiguration().setIterationCount((int) r.state().iteration());
                graph.getConfiguration().setEpochCount(r.state().epoch());
                state = r.state();
            } else {
                graph = new ComputationGraph(build(spec, loss, totalSteps).configuration());
                graph.init();
                if (initFrom != null && ExportedWeights.isModelDirectory(initFrom)) {
                    ExportedWeights exported = ExportedWeights.load(initFrom);
                    checkSameNetwork(exported.training(), initFrom);
                    exported.copyInto(graph);
                } else if (initFrom != null) {
                    Checkpoints.Restored r = Checkpoints.load(initFrom);
                    checkSameNetwork(r.state().config(), initFrom);
                    Checkpoints.copyWeights(r.graph(), graph, initFrom);
                }
                state = new TrainingState(config.toMap(), 0, 0, 0, Double.NaN, null, List.of(), List.of());
            }
            int valWidth = config.valWidth() > 0 ? config.valWidth() : config.width();
            int valHeight = config.valHeight() > 0 ? config.valHeight() : config.height();
            Validator validator = new Validator(val, config.validationImages(),
                    new Augmenter(valWidth, valHeight, Augmentation.NONE), encoder, labelSet, loss, config.batch());
            // validation at another size than the crops (the size the model is deployed at) runs a second graph of
            // that size, given the trained graph's parameters before each validation
            ComputationGraph valGraph = null;
            if (valWidth != config.width() || valHeight != config.height()) {
                valGraph = new ComputationGraph(build(spec.withSize(valWidth, valHeight), loss, totalSteps)
                        .configuration());
                valGraph.init();
            }
            RunDirectory run = RunDirectory.create(runsParent, spec.label(), LocalDate.now());
            config.write(run.config());
            run.log("run " + run.root().getFileName() + ": " + spec.label() + " " + config.width() + "x"
                    + config.height() + ", " + graph.numParams() + " parameters, " + train.size() + " training and "
                    + validator.frames() + " validation frames, " + stepsPerEpoch + " steps per epoch"
                    + (resumeFrom != null ? ", resumed from " + resumeFrom : "")
                    + (initFrom != null ? ", weights from " + initFrom : ""));
            LOG.info("training {} in {}", spec.label(), run.root());
            if (valGraph != null) {
                run.log("validation at " + valWidth + "x" + valHeight + ", training crops " + config.width() + "x"
                        + config.height());
            }
            return new Loop(graph, valGraph, loader, validator, run, state, stepsPerEpoch, loss).run();
        }
    }

    /** The DL4J configuration this run trains (also used by the learning-rate finder). */
    ModelBuilder.BuiltModel build(ModelSpec spec, PixelLoss loss, long totalSteps) {
        ISchedule schedule = Schedules.of(config, totalSteps);
        IUpdater updater = Optimizers.create(config.optimizer(), config.learningRate(), schedule, config.momentum());
        ModelBuilder b = ModelBuilder.builder().setSpec(spec).optUpdater(updater).optLoss(loss).optSeed(config.seed())
                .optHeadLrMultiplier(config.headLrMultiplier()).optWeightDecay(config.weightDecay())
                .optChannelPlan(config.prunedChannels());
        if (config.clipNorm() > 0) {
            b.optGradientNormalization(GradientNormalization.ClipL2PerLayer, config.clipNorm());
        } else if (config.clipValue() > 0) {
            b.optGradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue, config.clipValue());
        }
        if (config.mixedPrecision()) {
            b.optDataType(DataType.HALF);
        }
        return b.build();
    }

    private double[] classWeights(long[] pixelCounts, int classes) {
        String w = config.classWeights();
        if (w.equals("none")) {
            return null;
        }
        if (w.equals("auto")) {
            double[] weights = ClassWeights.fromCounts(pixelCounts);
            LOG.info("class weights from label frequencies: {}", java.util.Arrays.toString(weights));
            return weights;
        }
        return ClassWeights.parse(w, classes);
    }

    private void checkSameNetwork(Map<String, ?> trainedWith, Path checkpoint) {
        List<String> network = List.of("model", "backbone", "encoder", "fcnStride", "widthMultiplier", "labelSet",
                "prunedChannels");
        // a model directory's training block may carry notes beside the options (recipe, where it was scored)
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        network.forEach(key -> {
            if (trainedWith.get(key) != null) {
                options.put(key, trainedWith.get(key));
            }
        });
        TrainConfig before = TrainConfig.of(options);
        for (String key : network) {
            Object a = before.toMap().get(key);
            Object b = config.toMap().get(key);
            if (!java.util.Objects.equals(a, b)) {
                throw new IllegalArgumentException("cannot start from " + checkpoint + ": it holds a network trained"
                        + " with " + key + "=" + a + " but this run builds " + key + "=" + b);
            }
        }
    }

    private void checkCompatible(TrainingState state) {
        TrainConfig before = TrainConfig.of(state.config());
        for (String key : List.of("model", "backbone", "encoder", "fcnStride", "widthMultiplier", "labelSet", "width",
                "height", "batch", "accumulate", "seed", "optimizer", "schedule", "loss", "prunedChannels")) {
            Object a = before.toMap().get(key);
            Object b = config.toMap().get(key);
            if (!java.util.Objects.equals(a, b)) {
                throw new IllegalArgumentException("cannot resume: the checkpoint was trained with " + key + "=" + a
                        + " but this run asks for " + key + "=" + b + "; resume with the same settings");
            }
        }
    }

    /**
     * Whether a validation result beats the best so far: a higher mIoU, or the same mIoU at a lower validation loss
     * (small or early runs often tie on mIoU while the loss still falls).
     */
    public static boolean isBetter(double meanIoU, double loss, double bestMeanIoU, double bestLoss) {
        if (Double.isNaN(bestMeanIoU)) {
            return true;
        }
        if (meanIoU != bestMeanIoU) {
            return meanIoU > bestMeanIoU;
        }
        return Double.isNaN(bestLoss) || loss < bestLoss;
    }

    /** Refuses FP16 training where the backend would not run it: the CPU backend has no fast half precision. */
    static void checkBackend(TrainConfig config) {
        if (!config.mixedPrecision()) {
            return;
        }
        String backend = Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT);
        if (!backend.contains("jcublas")) {
            throw new IllegalArgumentException("--mixed-precision needs the CUDA backend: ND4J's CPU backend"
                    + " (nd4j-native) computes FP16 without any speed-up, and DL4J has no mixed-precision training"
                    + " (FP32 master weights with loss scaling); on a GPU node build with -Pnd4j-cuda, where the flag"
                    + " trains the network in FP16");
        }
    }

    /** One run's mutable loop state. */
    private final class Loop {
        private final ComputationGraph graph;
        /** The graph validation runs (null: {@link #graph} itself). */
        private final ComputationGraph valGraph;
        private final BatchLoader loader;
        private final Validator validator;
        private final RunDirectory run;
        private final int stepsPerEpoch;
        private final PixelLoss lossConfig;
        private final List<EpochMetrics> history;
        private final List<double[]> steps;
        private long iteration;
        private double bestMeanIoU;
        private double bestLoss;
        private Path best;
        private Path last;
        private double lossSum;
        private int lossCount;
        private long imagesSinceRow;
        private long rowStart = System.nanoTime();
        private final long runStart = System.nanoTime();
        private final double secondsBefore;
        private final int startEpoch;
        private final int startBatch;

        Loop(ComputationGraph graph, ComputationGraph valGraph, BatchLoader loader, Validator validator,
                RunDirectory run, TrainingState state, int stepsPerEpoch, PixelLoss loss) {
            this.graph = graph;
            this.valGraph = valGraph;
            this.loader = loader;
            this.validator = validator;
            this.run = run;
            this.stepsPerEpoch = stepsPerEpoch;
            this.lossConfig = lossLayerLoss(graph, loss);
            this.history = new ArrayList<>(state.history());
            this.steps = new ArrayList<>(state.steps());
            this.iteration = state.iteration();
            this.bestMeanIoU = state.bestMeanIoU();
            this.bestLoss = history.stream().filter(m -> m.valMeanIoU() == bestMeanIoU)
                    .mapToDouble(EpochMetrics::valLoss).min().orElse(Double.NaN);
            this.secondsBefore = history.isEmpty() ? 0 : history.get(history.size() - 1).seconds();
            this.startEpoch = state.epoch();
            this.startBatch = state.batchInEpoch();
        }

        Outcome run() throws IOException {
            int micro = config.accumulate();
            for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
                int first = epoch == startEpoch ? startBatch : 0;
                int batchesToUse = stepsPerEpoch * micro;
                int done = first / micro;
                ProgressBar bar = newBar(epoch, done);
                INDArray accumulated = null;
                int inStep = 0;
                for (BatchLoader.Batch b : loader.epoch(epoch, first)) {
                    if (b.index() >= batchesToUse) {
                        break;
                    }
                    accumulated = forwardBackward(b.data(), inStep, accumulated);
                    inStep++;
                    if (inStep == micro) {
                        applyStep(accumulated, micro, epoch);
                        accumulated = null;
                        inStep = 0;
                        done++;
                        bar.update(done, stepsPerEpoch, String.format(Locale.ROOT, "loss %.4f  lr %.2e  %.1f img/s",
                                lossCount == 0 ? Double.NaN : lossSum / lossCount, currentLr(epoch),
                                imagesPerSecond()));
                        if (config.validateEvery() > 0 && iteration % config.validateEvery() == 0
                                && done < stepsPerEpoch) {
                            bar.finish();
                            validateAndSave(epoch, done * micro);
                            // validation time must not count in the training rate
                            bar = newBar(epoch, done);
                        }
                    }
                }
                bar.finish();
                validateAndSave(epoch + 1, 0);
                if (epoch == startEpoch && train instanceof CachedSource cache) {
                    String line = String.format(Locale.ROOT, "sample cache: %d of %d training samples kept in memory"
                            + " (%d MB of a %d MB budget, --cache-mb)%s", cache.cached(), cache.size(),
                            cache.bytes() >> 20, cache.budgetBytes() >> 20, cache.cached() == cache.size() ? ""
                                    : "; the other " + (cache.size() - cache.cached()) + " are decoded again each"
                                    + " epoch");
                    console.println(line);
                    run.log(line);
                }
            }
            writeOutputs();
            return new Outcome(run, best, last, bestMeanIoU, List.copyOf(history), graph);
        }

        /** The progress line of an epoch from step {@code done} on. */
        private ProgressBar newBar(int epoch, int done) {
            return ProgressBar.builder().setOut(console).setUnit("steps")
                    .optLabel(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, config.epochs()))
                    .optStartPosition(done).build();
        }

        private INDArray forwardBackward(MultiDataSet data, int microIndex, INDArray accumulated) {
            Nd4j.getRandom().setSeed(StepSeeds.of(config.seed(), iteration, microIndex));
            lossConfig.setStep(iteration);
            data = BatchEncoder.forOutputs(data, graph.getNumOutputArrays());
            graph.setInputs(data.getFeatures());
            graph.setLabels(data.getLabels());
            graph.setLayerMaskArrays(null, data.getLabelsMaskArrays());
            graph.computeGradientAndScore();
            double score = graph.score();
            lossSum += score;
            lossCount++;
            imagesSinceRow += data.getFeatures(0).size(0);
            steps.add(new double[] {iteration, score, Double.NaN});
            INDArray g = graph.getFlattenedGradients();
            if (config.accumulate() == 1) {
                return g;
            }
            return accumulated == null ? g.dup() : accumulated.addi(g);
        }

        private void applyStep(INDArray accumulated, int micro, int epoch) {
            Gradient gradient = graph.gradient();
            INDArray view = graph.getFlattenedGradients();
            if (accumulated != view) {
                view.assign(accumulated);
                // BN running statistics come as "gradients" that move them; their sum over the micro-batches must
                // become a mean, since the updater leaves them undivided
                for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
                    String k = e.getKey();
                    if (k.endsWith("_mean") || k.endsWith("_var") || k.endsWith("_log10stdev")) {
                        e.getValue().divi(micro);
                    }
                }
            }
            int batchSize = config.batch() * micro;
            graph.getUpdater().update(gradient, (int) iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
            INDArray params = graph.params();
            params.subi(view.reshape(params.shape()));
            double[] lastStep = steps.get(steps.size() - 1);
            lastStep[2] = currentLr(epoch);
            iteration++;
            graph.getConfiguration().setIterationCount((int) iteration);
            graph.getConfiguration().setEpochCount(epoch);
            graph.clearLayerMaskArrays();
        }

        private double currentLr(int epoch) {
            IUpdater u = baseUpdater(graph);
            if (u == null || !u.hasLearningRate()) {
                return Double.NaN;
            }
            return u.getLearningRate((int) Math.max(0, iteration - 1), epoch);
        }

        private double imagesPerSecond() {
            double s = (System.nanoTime() - rowStart) / 1e9;
            return s <= 0 ? 0 : imagesSinceRow / s;
        }

        private void validateAndSave(int epochLabel, int batchInEpoch) throws IOException {
            double ips = imagesPerSecond();
            Validator.Result r;
            if (valGraph == null) {
                r = validator.run(graph);
            } else {
                // parameters include batch norm's running statistics
                valGraph.setParams(graph.params());
                r = validator.run(valGraph);
            }
            double seconds = secondsBefore + (System.nanoTime() - runStart) / 1e9;
            int epochIndex = batchInEpoch == 0 ? epochLabel : epochLabel + 1;
            EpochMetrics m = new EpochMetrics(epochIndex, iteration, lossCount == 0 ? Double.NaN : lossSum / lossCount,
                    currentLr(epochLabel), r.loss(), r.meanIoU(), r.pixelAccuracy(), ips, seconds);
            history.add(m);
            String line = String.format(Locale.ROOT, "epoch %d iteration %d: train loss %.4f, val loss %.4f, val mIoU"
                    + " %.4f, pixel accuracy %.4f, lr %.3g, %.1f images/s", m.epoch(), m.iteration(), m.trainLoss(),
                    m.valLoss(), m.valMeanIoU(), m.valPixelAccuracy(), m.learningRate(), m.imagesPerSecond());
            console.println(line);
            run.log(line);
            lossSum = 0;
            lossCount = 0;
            imagesSinceRow = 0;
            rowStart = System.nanoTime();

            boolean improved = isBetter(r.meanIoU(), r.loss(), bestMeanIoU, bestLoss);
            Path previousLast = last;
            Path file = run.checkpoints().resolve(Checkpoints.name(m.epoch(), r.meanIoU(), r.loss()));
            if (improved) {
                bestMeanIoU = r.meanIoU();
                bestLoss = r.loss();
            }
            // epochLabel is the next epoch to train after an epoch end, the current one in the middle of an epoch
            TrainingState state = new TrainingState(config.toMap(), epochLabel, batchInEpoch, iteration, bestMeanIoU,
                    improved ? file.getFileName().toString() : best == null ? null : best.getFileName().toString(),
                    List.copyOf(history), List.copyOf(steps));
            Checkpoints.save(graph, file, state);
            last = file;
            if (improved) {
                Path oldBest = best;
                best = file;
                deleteCheckpoint(oldBest, previousLast);
            }
            deleteCheckpoint(previousLast, best);
            writeOutputs();
        }

        private void deleteCheckpoint(Path candidate, Path keep) throws IOException {
            if (candidate != null && !candidate.equals(keep) && !candidate.equals(last) && !candidate.equals(best)) {
                Files.deleteIfExists(candidate);
                Files.deleteIfExists(Checkpoints.stateFile(candidate));
            }
        }

        private void writeOutputs() throws IOException {
            StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
            for (EpochMetrics m : history) {
                csv.append(m.csv()).append('\n');
            }
            Files.writeString(run.metricsCsv(), csv);
            Checkpoints.JSON.writeValue(run.metricsJson().toFile(), Map.of("model", config.modelSpec().label(),
                    "bestMeanIoU", bestMeanIoU, "bestCheckpoint", best == null ? "" : best.getFileName().toString(),
                    "epochs", history));
            double[] it = new double[steps.size()];
            double[] ls = new double[steps.size()];
            double[] lr = new double[steps.size()];
            for (int i = 0; i < steps.size(); i++) {
                it[i] = steps.get(i)[0];
                ls[i] = steps.get(i)[1];
                lr[i] = steps.get(i)[2];
            }
            double[] hx = new double[history.size()];
            double[] tl = new double[history.size()];
            double[] vl = new double[history.size()];
            double[] miou = new double[history.size()];
            for (int i = 0; i < history.size(); i++) {
                hx[i] = history.get(i).iteration();
                tl[i] = history.get(i).trainLoss();
                vl[i] = history.get(i).valLoss();
                miou[i] = history.get(i).valMeanIoU();
            }
            new LinePlot("loss", "iteration", "loss").series("train (per step)", it, ls)
                    .series("train (mean)", hx, tl).series("validation", hx, vl).write(run.plot("loss"));
            new LinePlot("learning rate", "iteration", "lr").series(config.optimizer(), it, lr).write(run.plot("lr"));
            new LinePlot("validation mIoU", "iteration", "mIoU").series("val mIoU", hx, miou).write(run.plot("miou"));
        }
    }

    /** The updater of the first layer with parameters (the run's optimiser; head layers may have a scaled copy). */
    static IUpdater baseUpdater(ComputationGraph graph) {
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            if (l.numParams() > 0 && l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) {
                return b.getIUpdater();
            }
        }
        return null;
    }

    /** The loss object the graph's loss layer actually uses (the configuration is copied at initialisation). */
    static PixelLoss lossLayerLoss(ComputationGraph graph, PixelLoss fallback) {
        if (graph.getLayer(ModelBuilder.LOSS).conf().getLayer() instanceof CnnLossLayer l
                && l.getLossFn() instanceof PixelLoss p) {
            return p;
        }
        return fallback;
    }

    /** Seeds of the global random generator per optimiser step and micro-batch. */
    static final class StepSeeds {
        private StepSeeds() {
        }

        static long of(long seed, long iteration, int micro) {
            long h = seed * 0x9E3779B97F4A7C15L ^ (iteration + 1) * 0xC2B2AE3D27D4EB4FL ^ (micro + 7L) * 0x165667B19E3779F9L;
            return h ^ (h >>> 29);
        }
    }
}
