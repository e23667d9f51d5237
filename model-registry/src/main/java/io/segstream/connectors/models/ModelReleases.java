package io.segstream.connectors.models;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.core.model.ModelManifest;
import io.segstream.schemas.ModelFormat;
import io.segstream.schemas.ModelRelease;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pure rules between a {@link ModelRelease} record and the model it announces: building the record from a
 * stored model, and finding where a fetched manifest contradicts the record it was released with.
 *
 * <pre>{@code
 * ModelRelease r = ModelReleases.describe(stored, "datacenter", Optional.empty(), Instant.now());
 * List<String> problems = ModelReleases.contradictions(r, fetchedManifest);   // empty when they agree
 * }</pre>
 */
public final class ModelReleases {
    /** Keys of a manifest's {@code training} object that may hold the training run id. */
    private static final List<String> RUN_ID_KEYS = List.of("runId", "run_id", "trainingRunId");

    private ModelReleases() {}

    /**
     * The release record of a stored model.
     *
     * @param target        {@code all}, {@code datacenter}, {@code edge} or a camera group ({@link ReleaseTarget})
     * @param trainingRunId the run that trained the model; empty: taken from the manifest's training
     *                      configuration ({@code runId}), if it has one
     */
    public static ModelRelease describe(StoredModel stored, String target, Optional<String> trainingRunId,
            Instant releasedAt) {
        ModelManifest m = stored.manifest();
        ModelArtifact a = stored.artifact();
        List<Float> mean = new ArrayList<>();
        for (float v : m.mean()) {
            mean.add(v);
        }
        List<Float> std = new ArrayList<>();
        for (float v : m.std()) {
            std.add(v);
        }
        return ModelRelease.newBuilder()
                .setName(a.name())
                .setVersion(a.version())
                .setArtifactUri(a.uri().toString())
                .setSha256(a.sha256())
                .setSizeBytes(a.sizeBytes())
                .setFormat(ModelFormat.ONNX)
                .setInputWidth(m.inputWidth())
                .setInputHeight(m.inputHeight())
                .setMean(mean)
                .setStd(std)
                .setLabelSet(m.labelSetName())
                .setMetrics(new LinkedHashMap<>(m.metrics()))
                .setTrainingRunId(trainingRunId.or(() -> runIdOf(m.training())).orElse(null))
                .setTarget(ReleaseTarget.validate(target))
                .setReleasedAt(Objects.requireNonNull(releasedAt, "releasedAt"))
                .build();
    }

    private static Optional<String> runIdOf(JsonNode training) {
        for (String key : RUN_ID_KEYS) {
            JsonNode n = training.path(key);
            if (n.isTextual() && !n.asText().isBlank()) {
                return Optional.of(n.asText());
            }
        }
        return Optional.empty();
    }

    /**
     * Where the fetched {@code manifest} contradicts the {@code release} it came with: name, version, label set,
     * input size, and the SHA-256 the manifest pins. Empty when they agree.
     */
    public static List<String> contradictions(ModelRelease release, ModelManifest manifest) {
        List<String> problems = new ArrayList<>();
        same(problems, "name", release.getName(), manifest.name());
        same(problems, "version", release.getVersion(), manifest.version());
        same(problems, "label set", release.getLabelSet(), manifest.labelSetName());
        if (release.getInputWidth() != manifest.inputWidth() || release.getInputHeight() != manifest.inputHeight()) {
            problems.add("the release says input " + release.getInputWidth() + "x" + release.getInputHeight()
                    + " but the manifest says " + manifest.inputWidth() + "x" + manifest.inputHeight());
        }
        manifest.sha256().filter(pin -> !pin.equals(release.getSha256())).ifPresent(pin -> problems.add(
                "the manifest pins SHA-256 " + pin + " but the release says " + release.getSha256()));
        return problems;
    }

    private static void same(List<String> problems, String what, String released, String inManifest) {
        if (!Objects.equals(released, inManifest)) {
            problems.add("the release says " + what + " '" + released + "' but the manifest says '" + inManifest + "'");
        }
    }

    /** {@code name:version (sha256 prefix)} for logs and messages. */
    public static String id(ModelRelease release) {
        String sha = release.getSha256() == null ? "" : release.getSha256();
        return release.getName() + ":" + release.getVersion() + " (" + sha.substring(0, Math.min(12, sha.length()))
                + ")";
    }

    /** Whether two records announce the same bytes under the same name and version. */
    public static boolean sameModel(ModelRelease a, ModelRelease b) {
        return a != null && b != null && a.getName().equals(b.getName()) && a.getVersion().equals(b.getVersion())
                && a.getSha256().equals(b.getSha256());
    }

    /**
     * The releases a deployment answering to {@code targets} would take, newest first: the first is the one it
     * serves, unless it fails verification, in which case the deployment falls back along this list.
     *
     * @param log the models topic in topic (release) order
     */
    public static List<ModelRelease> newestFirst(List<ModelRelease> log, Set<String> targets) {
        List<ModelRelease> out = new ArrayList<>();
        for (int i = log.size() - 1; i >= 0; i--) {
            if (ReleaseTarget.applies(log.get(i).getTarget(), targets)) {
                out.add(log.get(i));
            }
        }
        return out;
    }

    /**
     * The version after the highest whole-number version released under {@code name}, or {@code 1} when there
     * is none; versions that are not whole numbers (e.g. {@code 2026-11-21}) are left out.
     */
    public static String nextVersion(List<ModelRelease> log, String name) {
        long highest = 0;
        for (ModelRelease r : log) {
            if (r.getName().equals(name) && r.getVersion().matches("\\d{1,18}")) {
                highest = Math.max(highest, Long.parseLong(r.getVersion()));
            }
        }
        return Long.toString(highest + 1);
    }
}
