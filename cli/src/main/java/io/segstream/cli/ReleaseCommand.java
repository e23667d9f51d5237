package io.segstream.cli;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.models.ModelReleaser;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreException;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.model.ModelException;
import io.segstream.schemas.ModelRelease;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream release}: verifies a model directory, stores it and announces it on the models topic, where
 * running inference jobs and edge agents pick it up and hot-swap to it.
 *
 * <pre>{@code ./segstream release --model export/unet --to s3://models/rail --bootstrap kafka:9092 --target datacenter}</pre>
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Verifies a model directory (model.onnx + model.json: it loads, its shapes and label set match"
                + " the manifest, a smoke run is finite), stores it under --to as NAME/VERSION/, and publishes a"
                + " ModelRelease on the models topic keyed by name:version@target.",
            "Rolling back is releasing an older version again."})
final class ReleaseCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory to release.")
    Path model;

    @Option(names = "--to", required = true, paramLabel = "URI",
            description = {"Model store root: file:///srv/models (or a plain folder), http(s)://host/models (a server"
                + " that takes PUT: artifact repository, WebDAV), s3://bucket/prefix."})
    String to;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--target", paramLabel = "TARGET", defaultValue = ReleaseTarget.ALL,
            description = "Who takes the release: all, datacenter, edge, or a camera group (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "segstream.",
            description = "Prefix of the topic names; the models topic is <prefix>models (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Training run that made the model (default: the manifest's training.runId, if any).")
    String runId;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--store", paramLabel = "KEY=VALUE",
            description = {"Model store setting, repeatable: s3.endpoint=http://minio:9000, s3.path-style=true,"
                + " s3.region=eu-west-1, s3.anonymous=true, timeout-ms=30000. S3 credentials come from the AWS"
                + " environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles, roles)."})
    Map<String, String> store = new LinkedHashMap<>();

    @Override
    public Integer call() throws ModelException, ModelStoreException, IOException {
        URI storeRoot;
        try {
            storeRoot = storeRoot(to);
            ModelStore.Scheme.of(storeRoot);
            ReleaseTarget.validate(target);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ModelReleaser.Released r = ModelReleaser.builder()
                .setModelDir(model)
                .setStoreRoot(storeRoot)
                .setBootstrapServers(bootstrap)
                .optTopic(SegstreamTopics.builder().optPrefix(topicPrefix).build().models())
                .optTarget(target)
                .optTrainingRunId(runId)
                .optStoreOptions(ModelStoreOptions.fromMap(store))
                .optTimeout(Duration.ofSeconds(timeoutSeconds))
                .build()
                .release();
        ModelRelease release = r.release();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("released %s:%s for target %s%s%n", release.getName(), release.getVersion(), release.getTarget(),
                r.stored().alreadyStored() ? " (artifact already stored)" : "");
        out.printf("  %-10s %s%n", "artifact", release.getArtifactUri());
        out.printf("  %-10s %s%n", "sha256", release.getSha256());
        out.printf("  %-10s %d bytes%n", "size", release.getSizeBytes());
        out.printf("  %-10s %s %dx%d%n", "input", release.getLabelSet(), release.getInputWidth(),
                release.getInputHeight());
        out.printf("  %-10s %s partition %d offset %d%n", "topic", r.topic(), r.partition(), r.offset());
        out.flush();
        return 0;
    }

    /** A URI with a scheme as it is; a plain path as the {@code file://} URI of its absolute form. */
    static URI storeRoot(String text) {
        if (text.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            try {
                return new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--to '" + text + "' is not a valid URI: " + e.getReason(), e);
            }
        }
        return Path.of(text).toAbsolutePath().normalize().toUri();
    }
}
