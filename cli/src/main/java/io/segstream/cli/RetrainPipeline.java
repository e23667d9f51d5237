package io.segstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import io.segstream.core.model.ModelException;
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
 * <p>The models topic is read before training, so that an unreachable broker fails the run in seconds rather
 * than after hours, and again after training, since a release may have landed meanwhile. The serving model is
 * the newest release for the target that fetches and verifies, as a running job would choose it.
 */
final class RetrainPipeline {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Everything a retrain needs, parsed and checked by the command. */
    record Settings(TrainConfig config, String name, String version, URI storeRoot, ModelStoreOptions storeOptions,
            String bootstrap, String topic, String target, ReleaseGate gate, String evalSplit, int evalFrames,
            SegmenterOptions segmenterOptions, boolean dryRun, Duration timeout, Path baseline, Path init) {}

    /** {@link Settings#baseline()} value that names the bundled bootstrap model. */
    static final String BUNDLED = "bundled";

    /** A model scored on the validation frames. */
    record Evaluated(String id, String labelSet, Path dir, EvaluationResult result) {
        ReleaseGate.Scored scored() {
            return new ReleaseGate.Scored(id, labelSet, result == null ? Double.NaN : result.meanIoU());
        }
    }

    /** What a retrain did; {@code released} is empty when the gate refused or on a dry run. */
    record Outcome(Path run, Path checkpoint, Evaluated candidate, Optional<Evaluated> serving, List<String> passedOver,
            ReleaseGate.Decision decision, Optional<ModelReleaser.Released> released, Path report) {}

    private final Settings settings;
    private final PrintStream console;

    RetrainPipeline(Settings settings, PrintStream console) {
        this.settings = settings;
        this.console = console;
    }

    Outcome run() throws IOException, DatasetException, ExportException, EvaluationException, ModelException,
            ModelStoreException {
        TrainConfig config = settings.config();
        CityscapesDataset data = CityscapesDataset.locate(config.dataPath() == null ? null : Path.of(config.dataPath()));
        int frames = data.split(settings.evalSplit()).size();
        if (frames == 0) {
            throw new DatasetException("split " + settings.evalSplit() + " of " + data.root()
                    + " has no annotated frames to score the candidate on");
        }
        List<ModelRelease> before = releases();
        say("models topic %s on %s holds %d release(s); %s for target %s", settings.topic(), settings.bootstrap(),
                before.size(), ModelReleases.newestFirst(before, Set.of(settings.target())).stream().findFirst()
                        .map(r -> "newest is " + ModelReleases.id(r)).orElse("none yet"), settings.target());

        say("training %s on %s", config.modelSpec().label(), data.root());
        Trainer.Outcome trained = TrainingJob.run(config, null, settings.init(), console);
        Path checkpoint = trained.bestCheckpoint() != null ? trained.bestCheckpoint() : trained.lastCheckpoint();

        List<ModelRelease> log = releases();
        String name = settings.name() != null ? settings.name() : config.modelSpec().label();
        String version = settings.version() != null ? settings.version() : ModelReleases.nextVersion(log, name);
        Path exportDir = trained.run().root().resolve("export").resolve(name + "-" + version);
        say("exporting %s as %s:%s to %s", checkpoint.getFileName(), name, version, exportDir);
        ModelExporter.Report exported = ModelExporter.builder().setCheckpoint(checkpoint).setOutput(exportDir)
                .optName(name).optVersion(version).build().export();
        say("parity with DL4J: max abs difference %.3g, argmax agreement %.4f %%", exported.parity().maxAbsDiff(),
                exported.parity().argmaxAgreement() * 100);

        Evaluated candidate = evaluate(name + ":" + version, exportDir, data);
        List<String> passedOver = new ArrayList<>();
        Optional<Evaluated> serving = serving(log, candidate, data, trained.run().root(), passedOver);
        ReleaseGate.Decision decision = settings.gate().decide(candidate.scored(), serving.map(Evaluated::scored));
        say("%s: %s", decision.release() ? (settings.dryRun() ? "would release (dry run)" : "releasing")
                : "not releasing", decision.reason());

        Optional<ModelReleaser.Released> released = Optional.empty();
        if (decision.release() && !settings.dryRun()) {
            released = Optional.of(ModelReleaser.builder()
                    .setModelDir(exportDir)
                    .setStoreRoot(settings.storeRoot())
                    .setBootstrapServers(settings.bootstrap())
                    .optTopic(settings.topic())
                    .optTarget(settings.target())
                    .optTrainingRunId(trained.run().root().getFileName().toString())
                    .optStoreOptions(settings.storeOptions())
                    .optTimeout(settings.timeout())
                    .build()
                    .release());
        }
        if (serving.isPresent() && serving.get().result() != null) {
            Map<String, EvaluationResult> chart = new LinkedHashMap<>();
            chart.put("serving " + serving.get().id(), serving.get().result());
            chart.put("candidate " + candidate.id(), candidate.result());
            ClassIoUPng.write(chart, trained.run().root().resolve("retrain-iou.png"));
        }
        Path report = trained.run().root().resolve("retrain.json");
        Outcome outcome = new Outcome(trained.run().root(), checkpoint, candidate, serving, passedOver, decision,
                released, report);
        writeReport(outcome);
        return outcome;
    }

    private List<ModelRelease> releases() throws IOException {
        return ModelReleaseLog.atEnd(settings.bootstrap(), settings.topic(), settings.timeout())
                .read(settings.timeout());
    }

    /**
     * The newest release for the target that fetches and opens, scored on the same frames; releases that fail
     * are passed over with the reason, as a job would pass them over.
     */
    private Optional<Evaluated> serving(List<ModelRelease> log, Evaluated candidate, CityscapesDataset data,
            Path run, List<String> passedOver) throws EvaluationException, ModelStoreException, ModelException,
            IOException {
        List<ModelRelease> newestFirst = ModelReleases.newestFirst(log, Set.of(settings.target()));
        try (ModelStore store = ModelStore.open(settings.storeOptions())) {
            for (ModelRelease r : newestFirst) {
                String id = r.getName() + ":" + r.getVersion();
                if (!r.getLabelSet().equals(candidate.labelSet())) {
                    return Optional.of(new Evaluated(id, r.getLabelSet(), null, null));
                }
                try {
                    Path dir = store.fetch(ModelArtifact.of(r), run.resolve("serving-models"));
                    return Optional.of(evaluate(id, dir, data));
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
        Evaluated baseline;
        try (OnnxSegmenter seg = OnnxSegmenter.open(dir, settings.segmenterOptions())) {
            if (!seg.labelSet().name().equals(candidate.labelSet())) {
                return Optional.of(new Evaluated(seg.manifest().id(), seg.labelSet().name(), dir, null));
            }
            baseline = evaluate(seg.manifest().id(), dir, data);
        }
        return Optional.of(baseline);
    }

    private Evaluated evaluate(String id, Path dir, CityscapesDataset data) throws ModelException, EvaluationException {
        try (OnnxSegmenter seg = OnnxSegmenter.open(dir, settings.segmenterOptions())) {
            say("scoring %s on %s frames of split %s", id, settings.evalFrames() > 0 ? "the first "
                    + settings.evalFrames() : "all", settings.evalSplit());
            ProgressBar bar = ProgressBar.builder().setOut(console).setUnit("frames").optLabel("scoring " + id)
                    .build();
            EvaluationResult r = ModelEvaluator.builder().setSegmenter(seg).setGroundTruth(data)
                    .optSplit(settings.evalSplit()).optLimit(settings.evalFrames())
                    .optProgress((done, total, sample) -> bar.update(done, total)).build().run();
            bar.finish();
            return new Evaluated(id, seg.labelSet().name(), dir, r);
        }
    }

    private void writeReport(Outcome o) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", o.run().toString());
        root.put("checkpoint", o.checkpoint().toString());
        root.put("target", settings.target());
        root.put("split", settings.evalSplit());
        root.set("candidate", scores(o.candidate()));
        o.serving().ifPresentOrElse(s -> root.set("serving", scores(s)), () -> root.putNull("serving"));
        ArrayNode over = root.putArray("passedOver");
        o.passedOver().forEach(over::add);
        root.put("margin", settings.gate().margin());
        root.put("minimumMeanIoU", settings.gate().minimumMeanIoU());
        root.put("release", o.decision().release());
        root.put("dryRun", settings.dryRun());
        root.put("reason", o.decision().reason());
        o.released().ifPresent(r -> {
            ObjectNode rel = root.putObject("released");
            rel.put("name", r.release().getName());
            rel.put("version", r.release().getVersion());
            rel.put("artifact", r.release().getArtifactUri());
            rel.put("sha256", r.release().getSha256());
            rel.put("topic", r.topic());
            rel.put("partition", r.partition());
            rel.put("offset", r.offset());
        });
        JSON.writeValue(o.report().toFile(), root);
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
