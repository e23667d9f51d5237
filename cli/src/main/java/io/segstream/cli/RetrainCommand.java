package io.segstream.cli;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.models.ModelReleaser;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseGate;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.labels.Label;
import io.segstream.core.metrics.EvaluationResult;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.training.retrain.RetrainPipeline;
import io.segstream.training.run.TrainConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code segstream retrain}: train, evaluate, gate, export and release as one batch command, for a scheduler such
 * as a Kubernetes CronJob.
 *
 * <pre>{@code
 * ./segstream retrain -m fcn --encoder resnet18 -p /data/rail -t 1024x512 -e 20 --label-set rail-20 \
 *     --to s3://models/rail --bootstrap kafka:9092 --target datacenter --margin 0.005
 * }</pre>
 */
@Command(
        name = "retrain",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Retrains a model and releases it only if it is better than the one serving the target: trains as"
                + " 'segstream train' does, exports the best checkpoint with the parity check, scores the candidate"
                + " and the serving model (the newest release for --target that fetches and verifies) on the same"
                + " validation frames with ONNX Runtime, and releases the candidate when its mIoU beats the serving"
                + " model's by more than --margin.",
            "The run directory gets export/NAME-VERSION/, retrain.json (both models' scores, the decision and"
                + " where the release went) and retrain-iou.png (IoU per class of both)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:released (with --dry-run: would release)",
            "1:failed: unreadable data, broker or store unreachable, export parity failed, ...",
            "2:invalid command line: a missing or bad option (one sentence, then where to read --help)",
            "3:not released: the candidate did not pass the gate (the reason is printed)"
        })
final class RetrainCommand implements Callable<Integer> {
    /** Exit status when the gate keeps the serving model. */
    static final int NOT_RELEASED = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions training = new TrainOptions();

    @Option(names = "--name", paramLabel = "NAME",
            description = "Model name to release under (default: the model label, e.g. fcn8-resnet18).")
    String name;

    @Option(names = "--model-version", paramLabel = "V",
            description = "Version to release as (default: one more than the highest whole-number version released"
                    + " under the name).")
    String version;

    @Option(names = "--to", paramLabel = "URI",
            description = "Model store root the candidate is stored under: file:///srv/models (or a folder),"
                    + " http(s)://host/models, s3://bucket/prefix. Required unless --dry-run.")
    String to;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--target", paramLabel = "TARGET", defaultValue = ReleaseTarget.ALL,
            description = "Target released to and compared against: all, datacenter, edge or a camera group"
                    + " (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--margin", paramLabel = "MIOU", defaultValue = "0.005",
            description = "How much the candidate's validation mIoU must exceed the serving model's (strictly more;"
                    + " negative accepts a bounded regression; default: ${DEFAULT-VALUE}).")
    double margin;

    @Option(names = "--min-miou", paramLabel = "MIOU", defaultValue = "0",
            description = "Lowest validation mIoU a candidate may have, also for a first release"
                    + " (default: ${DEFAULT-VALUE}).")
    double minMeanIoU;

    @Option(names = "--eval-split", paramLabel = "NAME", defaultValue = "val",
            description = "Split both models are scored on (default: ${DEFAULT-VALUE}).")
    String evalSplit;

    @Option(names = "--eval-frames", paramLabel = "N", defaultValue = "0",
            description = "Score the first N frames of the split only (default: ${DEFAULT-VALUE} = all).")
    int evalFrames;

    @Option(names = "--baseline", paramLabel = "DIR|bundled",
            description = "Model to beat when nothing verifiable is released for --target, e.g. the model directory"
                    + " the jobs were started with, or 'bundled' for the bundled bootstrap model (default: none, so the"
                    + " first candidate needs only --min-miou).")
    Path baseline;

    @Option(names = "--dry-run", description = "Do everything but store and publish the candidate.")
    boolean dryRun;

    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "segstream.",
            description = "Prefix of the topic names; the models topic is <prefix>models (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--store", paramLabel = "KEY=VALUE",
            description = "Model store setting, repeatable (as for 'segstream release'): s3.endpoint=..., "
                    + "s3.path-style=true, s3.region=..., s3.anonymous=true, timeout-ms=30000.")
    Map<String, String> store = new LinkedHashMap<>();

    @Option(names = "--segmenter", paramLabel = "KEY=VALUE",
            description = "ONNX Runtime setting for scoring, repeatable: provider=CUDA, device-id=0, intra-op-threads=4.")
    Map<String, String> segmenter = new LinkedHashMap<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the broker and the store (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--allow-new-topic",
            description = "Release even when the models topic does not exist yet (the first release of a new"
                    + " deployment); without it a missing topic, usually a mistyped --topic-prefix, stops the run.")
    boolean allowNewTopic;

    @Override
    public Integer call() throws Exception {
        RetrainPipeline.Settings settings = settings();
        RetrainPipeline.Outcome o = new RetrainPipeline(settings, System.err).run();

        PrintWriter out = spec.commandLine().getOut();
        out.print(table(o, evalSplit));
        out.printf("report: %s%n", o.report());
        if (o.released().isPresent()) {
            ModelReleaser.Released r = o.released().get();
            out.printf("released %s:%s for target %s: %s (sha256 %s, %s partition %d offset %d)%n",
                    r.release().getName(), r.release().getVersion(), r.release().getTarget(),
                    r.release().getArtifactUri(), r.release().getSha256().substring(0, 12), r.topic(), r.partition(),
                    r.offset());
            out.println("because " + o.decision().reason());
        }
        out.flush();
        if (!o.decision().release()) {
            spec.commandLine().getErr().println("segstream retrain: not released: " + o.decision().reason());
            spec.commandLine().getErr().flush();
            return NOT_RELEASED;
        }
        if (dryRun) {
            out.println("dry run: would release, " + o.decision().reason());
            out.flush();
        }
        return 0;
    }

    /** The options, checked before anything runs: a mistake here is a bad command line (exit 2), not a failure. */
    private RetrainPipeline.Settings settings() {
        CommandLine cmd = spec.commandLine();
        if (to == null && !dryRun) {
            throw new ParameterException(cmd, "--to URI is required to release; give the model store root, or"
                    + " --dry-run to only score and decide");
        }
        if (evalFrames < 0) {
            throw new ParameterException(cmd, "--eval-frames must be 0 (all) or more, got " + evalFrames);
        }
        if (timeoutSeconds <= 0) {
            throw new ParameterException(cmd, "--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        try {
            URI storeRoot = to == null ? null : ReleaseCommand.storeRoot(to);
            if (storeRoot != null) {
                ModelStore.Scheme.of(storeRoot);
            }
            return new RetrainPipeline.Settings(TrainConfig.of(training.toMap()), name, version, storeRoot,
                    ModelStoreOptions.fromMap(store), bootstrap,
                    SegstreamTopics.builder().optPrefix(topicPrefix).build().models(), ReleaseTarget.validate(target),
                    new ReleaseGate(margin, minMeanIoU), evalSplit, evalFrames, SegmenterOptions.fromMap(segmenter),
                    dryRun, Duration.ofSeconds(timeoutSeconds), baseline, training.initPath(), allowNewTopic);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new ParameterException(cmd, "--init bundled: the bundled model could not be extracted ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Per-class IoU of the serving model and the candidate, with the change, and the means. */
    static String table(RetrainPipeline.Outcome o, String split) {
        EvaluationResult cand = o.candidate().result();
        EvaluationResult serv = o.serving().map(RetrainPipeline.Evaluated::result).orElse(null);
        List<String> head = new ArrayList<>(List.of("class"));
        if (serv != null) {
            head.add(o.serving().get().role() + " " + o.serving().get().id());
        }
        head.add("candidate " + o.candidate().id());
        if (serv != null) {
            head.add("change");
        }
        TextTable t = new TextTable(head);
        for (Label l : cand.scoredLabels()) {
            t.row(row(l.name(), serv == null ? null : serv.classIoU(l.name()), cand.classIoU(l.name())));
        }
        t.row(row("mIoU", serv == null ? null : serv.meanIoU(), cand.meanIoU()));
        t.row(row("category mIoU", serv == null ? null : serv.meanCategoryIoU(), cand.meanCategoryIoU()));
        return t + String.format(Locale.ROOT, "(%d frames of split %s, scored with ONNX Runtime by the official rules)%n",
                cand.frames(), split);
    }

    private static List<String> row(String name, Double serving, double candidate) {
        List<String> r = new ArrayList<>(List.of(name));
        if (serving != null) {
            r.add(score(serving));
        }
        r.add(score(candidate));
        if (serving != null) {
            r.add(Double.isFinite(serving) && Double.isFinite(candidate)
                    ? String.format(Locale.ROOT, "%+.4f", candidate - serving) : "");
        }
        return r;
    }

    private static String score(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "nan";
    }
}
