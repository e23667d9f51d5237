package io.segstream.cli;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.models.ModelReleaseLog;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.schemas.ModelRelease;
import io.segstream.training.retrain.RetrainPipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream releases}: the model registry as the running jobs see it: every release on the models topic,
 * oldest first, and the newest release per target.
 *
 * <pre>{@code ./segstream releases --bootstrap kafka:9092 --target datacenter}</pre>
 */
@Command(
        name = "releases",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Lists the model releases on the models topic in release order (time, model, target, label set, input"
                + " size, validation mIoU, sha256, training run) and, per target, the newest release: the one a job"
                + " for that target serves when it verifies (a job passes over one that does not and serves the one"
                + " before).",
            "val mIoU is the training run's best validation score, at the training size; gate mIoU is what"
                + " 'segstream retrain' measured before releasing: ONNX Runtime on the full validation frames, the"
                + " figure its gate compared (- for models released by hand).",
            "With --target only the releases a deployment answering to that target takes are listed."
        })
final class ReleasesCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--target", paramLabel = "TARGET",
            description = "Only the releases a deployment answering to TARGET takes (its own and those for all).")
    String target;

    @Option(names = "--name", paramLabel = "NAME", description = "Only releases of this model name.")
    String name;

    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "segstream.",
            description = "Prefix of the topic names; the models topic is <prefix>models (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws IOException {
        String topic = SegstreamTopics.builder().optPrefix(topicPrefix).build().models();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        List<ModelRelease> all = ModelReleaseLog.atEnd(bootstrap, topic, timeout).read(timeout);
        Set<String> only = target == null ? null : Set.of(ReleaseTarget.validate(target));
        List<ModelRelease> shown = new ArrayList<>();
        for (ModelRelease r : all) {
            if ((only == null || ReleaseTarget.applies(r.getTarget(), only))
                    && (name == null || r.getName().equals(name))) {
                shown.add(r);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (shown.isEmpty()) {
            out.printf("no releases on %s at %s%s%n", topic, bootstrap, filters());
            out.flush();
            return 0;
        }
        out.print(table(shown));
        out.println();
        Map<String, ModelRelease> newest = new LinkedHashMap<>();
        if (only != null) {
            newest.put(only.iterator().next(), ModelReleases.newestFirst(shown, only).get(0));
        } else {
            for (ModelRelease r : shown) {
                newest.put(r.getTarget(), r);
            }
        }
        newest.forEach((t, r) -> out.printf("newest for %-12s %s:%s (released %s)%n", t, r.getName(), r.getVersion(),
                TIME.format(r.getReleasedAt())));
        out.flush();
        return 0;
    }

    private String filters() {
        List<String> f = new ArrayList<>();
        if (target != null) {
            f.add("target " + target);
        }
        if (name != null) {
            f.add("name " + name);
        }
        return f.isEmpty() ? "" : " for " + String.join(", ", f);
    }

    /** One row per release, aligned. */
    static String table(List<ModelRelease> releases) {
        TextTable t = new TextTable(List.of("released (UTC)", "model", "target", "label set", "input", "val mIoU",
                "gate mIoU", "sha256", "training run")).textColumns(1, 2, 3, 4, 7, 8);
        for (ModelRelease r : releases) {
            t.row(List.of(TIME.format(r.getReleasedAt()), r.getName() + ":" + r.getVersion(), r.getTarget(),
                    r.getLabelSet(), r.getInputWidth() + "x" + r.getInputHeight(), metric(r, "miou"),
                    metric(r, RetrainPipeline.GATE_MIOU), r.getSha256().substring(0, 12),
                    r.getTrainingRunId() == null ? "-" : r.getTrainingRunId()));
        }
        return t.toString();
    }

    private static String metric(ModelRelease r, String key) {
        Double v = r.getMetrics().get(key);
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
