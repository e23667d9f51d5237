package io.segstream.training.retrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.connectors.models.ModelArtifact;
import io.segstream.connectors.models.ModelReleaseLog;
import io.segstream.connectors.models.ModelReleaser;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreException;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseGate;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.metrics.ClassIoUPng;
import io.segstream.core.metrics.EvaluationException;
import io.segstream.core.metrics.EvaluationResult;
import io.segstream.core.metrics.ModelEvaluator;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.progress.Failures;
import io.segstream.core.progress.ProgressBar;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.ModelRelease;
import io.segstream.training.export.ExportException;
import io.segstream.training.export.ModelExporter;
import io.segstream.training.run.TrainConfig;
import io.segstream.training.run.Trainer;
import io.segstream.training.run.TrainingJob;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Scheduled retraining as one batch: train, export with parity, score the candidate and the model serving the
 * target on the same validation frames with the runtime that serves cameras, gate, and release.
 *
 * <p>Everything that can be checked without training is checked first (data, models topic, label set of what
 * serves, baseline), so that a wrong option fails the run in seconds rather than after hours. The models topic
 * is read again after training, since a release may have landed meanwhile. The serving model is the newest
 * release for the target that fetches and verifies, as a running job would choose it. {@code retrain.json} is
 * written whatever happens after training, with what was learnt up to a failure. The {@code retrain} command
 * only parses options into {@link Settings} and prints the {@link Outcome}.
 *
 * <pre>{@code
 * RetrainPipeline.Outcome o = new RetrainPipeline(settings, System.err).run();   // progress lines on System.err
 * }</pre>
 */
public final class RetrainPipeline {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Everything a retrain needs, parsed and checked by the command. */
    public record Settings(TrainConfig config, String name, String version, URI storeRoot, ModelStoreOptions storeOptions,
            String bootstrap, String topic, String target, ReleaseGate gate, String evalSplit, int evalFrames,
            SegmenterOptions segmenterOptions, boolean dryRun, Duration timeout, Path baseline, Path init,
            boolean allowNewTopic) {}

    /** {@link Settings#baseline()} value that names the bundled bootstrap model. */
    public static final String BUNDLED = BootstrapModel.BUNDLED;

    /**
     * A model scored on the validation frames.
     *
     * @param role {@code candidate}, {@code serving} (a release) or {@code baseline} (--baseline)
     */
    public record Evaluated(String role, String id, String labelSet, EvaluationResult result) {
        public ReleaseGate.Scored scored() {
            return new ReleaseGate.Scored(id, labelSet, result == null ? Double.NaN : result.meanIoU());
        }
    }

    /** What a retrain did; {@code released} is empty when the gate refused or on a dry run. */
    public record Outcome(Evaluated candidate, Optional<Evaluated> serving, ReleaseGate.Decision decision,
            Optional<ModelReleaser.Released> released, Path report) {}

    private final Settings settings;
    private final PrintStream console;

    public RetrainPipeline(Settings settings, PrintStream console) {
        this.settings = settings;
        this.console = console;
    }

    public Outcome run() throws IOException, DatasetException, ExportException, EvaluationException, ModelException,
            ModelStoreException {
        TrainConfig config = settings.config();
        CityscapesDataset data = CityscapesDataset.locate(config.dataPath() == null ? null : Path.of(config.dataPath()));
        if (data.split(settings.evalSplit()).isEmpty()) {
            throw new DatasetException("split " + settings.evalSplit() + " of " + data.root()
                    + " has no annotated frames to score the candidate on");
        }
        checkBeforeTraining(config.labelSet(), releases(true));

        say("training %s on %s", config.modelSpec().label(), data.root());
        Trainer.Outcome trained = TrainingJob.run(config, null, settings.init(), console);
        Path run = trained.run().root();
        Path checkpoint = trained.bestCheckpoint() != null ? trained.bestCheckpoint() : trained.lastCheckpoint();
        Path reportFile = run.resolve("retrain.json");
        ObjectNode report = JSON.createObjectNode();
        report.put("run", run.toString());
        report.put("checkpoint", checkpoint.toString());
        report.put("target", settings.target());
        report.put("split", settings.evalSplit());
        report.put("margin", settings.gate().margin());
        report.put("minimumMeanIoU", settings.gate().minimumMeanIoU());
        report.put("dryRun", settings.dryRun());
        try {
            Outcome o = afterTraining(data, run, checkpoint, reportFile, report);
            JSON.writeValue(reportFile.toFile(), report);
            return o;
        } catch (IOException | ExportException | EvaluationException | ModelException | ModelStoreException
                 | RuntimeException e) {
            report.put("failed", Failures.sentence(e));
            JSON.writeValue(reportFile.toFile(), report);
            throw e;
        }
    }

    private Outcome afterTraining(CityscapesDataset data, Path run, Path checkpoint, Path reportFile,
            ObjectNode report) throws IOException, ExportException, EvaluationException, ModelException,
            ModelStoreException {
        TrainConfig config = settings.config();
        List<ModelRelease> log = releases(false);
        String name = settings.name() != null ? settings.name() : config.modelSpec().label();
        String version = settings.version() != null ? settings.version() : ModelReleases.nextVersion(log, name);
        Path exportDir = run.resolve("export").resolve(name + "-" + version);
        say("exporting %s as %s:%s to %s", checkpoint.getFileName(), name, version, exportDir);
        ModelExporter.Report exported = ModelExporter.builder().setCheckpoint(checkpoint).setOutput(exportDir)
                .optName(name).optVersion(version).build().export();
        say("parity with DL4J: max abs difference %.3g, argmax agreement %.4f %%", exported.parity().maxAbsDiff(),
                exported.parity().argmaxAgreement() * 100);

        Evaluated candidate = evaluate("candidate", name + ":" + version, exportDir, data);
        report.set("candidate", scores(candidate));
        recordGateScore(exportDir, candidate);
        List<String> passedOver = new ArrayList<>();
        Optional<Evaluated> serving = serving(log, candidate, data, run, passedOver);
        serving.ifPresentOrElse(s -> report.set(s.role(), scores(s)), () -> report.putNull("serving"));
        report.putArray("passedOver").addAll(passedOver.stream().map(report::textNode).toList());

        Map<String, EvaluationResult> chart = new LinkedHashMap<>();
        serving.filter(s -> s.result() != null).ifPresent(s -> chart.put(s.role() + " " + s.id(), s.result()));
        chart.put("candidate " + candidate.id(), candidate.result());
        ClassIoUPng.write(chart, run.resolve("retrain-iou.png"));

        ReleaseGate.Decision decision = settings.gate().decide(candidate.scored(), serving.map(Evaluated::scored));
        report.put("release", decision.release());
        report.put("reason", decision.reason());
        say("gate %s", decision.release() ? "passed" : "refused: the serving model stays");

        Optional<ModelReleaser.Released> released = Optional.empty();
        if (decision.release() && !settings.dryRun()) {
            released = Optional.of(ModelReleaser.builder()
                    .setModelDir(exportDir)
                    .setStoreRoot(settings.storeRoot())
                    .setBootstrapServers(settings.bootstrap())
                    .optTopic(settings.topic())
                    .optTarget(settings.target())
                    .optTrainingRunId(run.getFileName().toString())
                    .optStoreOptions(settings.storeOptions())
                    .optTimeout(settings.timeout())
                    .build()
                    .release());
        }
        released.ifPresentOrElse(r -> {
            ObjectNode rel = report.putObject("released");
            rel.put("name", r.release().getName());
            rel.put("version", r.release().getVersion());
            rel.put("artifact", r.release().getArtifactUri());
            rel.put("sha256", r.release().getSha256());
            rel.put("topic", r.topic());
            rel.put("partition", r.partition());
            rel.put("offset", r.offset());
        }, () -> report.putNull("released"));
        return new Outcome(candidate, serving, decision, released, reportFile);
    }

    /**
     * Fails in seconds what would otherwise fail after training: a models topic no deployment reads (a mistyped
     * prefix), a serving release or baseline of another label set, a baseline that is not a model directory.
     */
    private void checkBeforeTraining(String labelSet, List<ModelRelease> releases) throws ModelException {
        Optional<ModelRelease> newest = ModelReleases.newestFirst(releases, Set.of(settings.target())).stream()
                .findFirst();
        say("models topic %s on %s holds %d release(s); %s", settings.topic(), settings.bootstrap(), releases.size(),
                newest.map(r -> "the newest that target " + settings.target() + " takes is " + ModelReleases.id(r)
                        + (r.getTarget().equals(settings.target()) ? "" : " (released for " + r.getTarget() + ")"))
                        .orElse("none for target " + settings.target() + " yet"));
        if (newest.isPresent() && !newest.get().getLabelSet().equals(labelSet)) {
            throw new IllegalArgumentException("the newest release for target " + settings.target() + ", "
                    + ModelReleases.id(newest.get()) + ", predicts label set " + newest.get().getLabelSet()
                    + " but this run would train " + labelSet + ", and their mIoU do not compare; retrain with"
                    + " --label-set " + newest.get().getLabelSet() + " or release the new model by hand");
        }
        if (settings.baseline() != null) {
            String baselineSet = BUNDLED.equals(settings.baseline().toString()) ? BootstrapModel.LABEL_SET
                    : ModelDirectory.at(settings.baseline()).readManifest().labelSetName();
            if (!baselineSet.equals(labelSet)) {
                throw new IllegalArgumentException("--baseline " + settings.baseline() + " predicts label set "
                        + baselineSet + " but this run would train " + labelSet + "; their mIoU do not compare");
            }
        }
    }

    /**
     * The releases on the models topic. Before training a missing topic is refused unless allowed: releasing
     * to a topic that no job or agent reads (a mistyped --topic-prefix) would report success and change nothing.
     */
    private List<ModelRelease> releases(boolean beforeTraining) throws IOException {
        ModelReleaseLog log = ModelReleaseLog.atEnd(settings.bootstrap(), settings.topic(), settings.timeout());
        if (beforeTraining && log.endOffsets().isEmpty() && !settings.allowNewTopic()) {
            throw new IOException("the models topic " + settings.topic() + " does not exist on "
                    + settings.bootstrap() + ", so no job or agent reads releases there; check --topic-prefix, or pass"
                    + " --allow-new-topic for the first release of a new deployment");
        }
        return log.read(settings.timeout());
    }

    /** Keeps the gate's figures in the manifest, so that the release (and {@code segstream releases}) shows them. */
    private void recordGateScore(Path exportDir, Evaluated candidate) throws IOException, ModelException {
        ModelDirectory dir = ModelDirectory.at(exportDir);
        ModelManifest m = dir.readManifest();
        Map<String, Double> metrics = new LinkedHashMap<>(m.metrics());
        if (Double.isFinite(candidate.result().meanIoU())) {
            metrics.put(GATE_MIOU, candidate.result().meanIoU());
        }
        metrics.put(GATE_FRAMES, (double) candidate.result().frames());
        m.toBuilder().optMetrics(metrics).build().write(dir.manifestFile());
    }

    /** Manifest metric: validation mIoU the retrain gate measured (ONNX Runtime, full frame size). */
    public static final String GATE_MIOU = "gateMiou";
    /** Manifest metric: frames behind {@link #GATE_MIOU}. */
    static final String GATE_FRAMES = "gateFrames";

    /**
     * The newest release for the target that fetches and opens, scored on the same frames; releases that fail
     * are passed over with the reason, as a job would pass them over. When none is left, the baseline.
     */
    private Optional<Evaluated> serving(List<ModelRelease> log, Evaluated candidate, CityscapesDataset data,
            Path run, List<String> passedOver) throws EvaluationException, ModelStoreException, ModelException,
            IOException {
        List<ModelRelease> newestFirst = ModelReleases.newestFirst(log, Set.of(settings.target()));
        try (ModelStore store = ModelStore.open(settings.storeOptions())) {
            for (ModelRelease r : newestFirst) {
                String id = r.getName() + ":" + r.getVersion();
                if (!r.getLabelSet().equals(candidate.labelSet())) {
                    return Optional.of(new Evaluated("serving", id, r.getLabelSet(), null));
                }
                try {
                    Path dir = store.fetch(ModelArtifact.of(r), run.resolve("serving-models"));
                    return Optional.of(evaluate("serving", id, dir, data));
                } catch (ModelStoreException | ModelException | IllegalArgumentException e) {
                    String why = id + " is passed over: " + e.getMessage();
                    passedOver.add(why);
                    say("%s", why);
                }
            }
        }
        say(newestFirst.isEmpty() ? "nothing is released for target %s yet"
                : "no release for target %s fetches and verifies", settings.target());
        if (settings.baseline() == null) {
            return Optional.empty();
        }
        // jobs started with a configured model serve it until the first release: that is the model to beat
        Path dir = settings.baseline();
        if (BUNDLED.equals(dir.toString())) {
            dir = BootstrapModel.extractBundled(run.resolve("serving-models").resolve(BootstrapModel.NAME)).dir();
        }
        ModelManifest m = ModelDirectory.at(dir).readManifest();
        if (!m.labelSetName().equals(candidate.labelSet())) {
            return Optional.of(new Evaluated("baseline", m.id(), m.labelSetName(), null));
        }
        return Optional.of(evaluate("baseline", m.id(), dir, data));
    }

    private Evaluated evaluate(String role, String id, Path dir, CityscapesDataset data) throws ModelException,
            EvaluationException {
        try (OnnxSegmenter seg = OnnxSegmenter.open(dir, settings.segmenterOptions())) {
            say("scoring %s %s on %s frames of split %s", role, id, settings.evalFrames() > 0 ? "the first "
                    + settings.evalFrames() : "all", settings.evalSplit());
            ProgressBar bar = ProgressBar.builder().setOut(console).setUnit("frames").optLabel("scoring " + id)
                    .build();
            EvaluationResult r = ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(data)
                    .optSplit(settings.evalSplit()).optLimit(settings.evalFrames())
                    .optProgress((done, total, sample) -> bar.update(done, total)).build().run();
            bar.finish();
            return new Evaluated(role, id, seg.labelSet().name(), r);
        }
    }

    private static ObjectNode scores(Evaluated e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", e.id());
        n.put("labelSet", e.labelSet());
        if (e.result() != null) {
            n.put("frames", e.result().frames());
            putScore(n, "meanIoU", e.result().meanIoU());
            putScore(n, "meanCategoryIoU", e.result().meanCategoryIoU());
            ObjectNode classes = n.putObject("classIoU");
            e.result().scoredLabels().forEach(l -> putScore(classes, l.name(), e.result().classIoU(l.name())));
        }
        return n;
    }

    private static void putScore(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private void say(String format, Object... args) {
        console.println("retrain: " + String.format(Locale.ROOT, format, args));
    }
}
