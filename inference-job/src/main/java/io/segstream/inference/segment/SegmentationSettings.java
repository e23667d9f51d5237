package io.segstream.inference.segment;

import io.segstream.connectors.models.ModelReleaseLog;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.alerts.AlertRules;
import io.segstream.schemas.MaskEncoding;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one segmentation subtask needs to open its model, process frames and take model releases; shipped with
 * the job graph.
 *
 * @param modelDir          the configured model: directory holding {@code model.onnx} and {@code model.json},
 *                          readable on every task manager, or its store URI (see {@link ConfiguredModel}); served
 *                          until a release for the job's target replaces it
 * @param segmenterSettings {@code SegmenterOptions} keys and values (provider, threads, TensorRT cache ...)
 * @param rules             alert rules whose zones get per-zone fractions; null for none
 * @param maskEncoding      how masks are encoded
 * @param batchSize         micro-batch size B
 * @param batchWaitMs       longest wait T before a partial batch runs
 * @param live              live mode skips frames older than {@code stalenessMs}; replay mode skips nothing
 * @param stalenessMs       age (wall clock minus capture time) beyond which a live frame is skipped
 * @param targets           release targets the job answers to (see {@link ReleaseTarget})
 * @param modelCacheDir     where released models are downloaded and verified
 * @param storeOptions      how to reach the model stores releases point to
 * @param startupReleases   the models topic up to where the job's release stream starts: read at a fresh start
 *                          to serve the newest valid release; null when the job does not follow the models topic
 */
public record SegmentationSettings(
        String modelDir,
        Map<String, String> segmenterSettings,
        AlertRules rules,
        MaskEncoding maskEncoding,
        int batchSize,
        long batchWaitMs,
        boolean live,
        long stalenessMs,
        Set<String> targets,
        String modelCacheDir,
        ModelStoreOptions storeOptions,
        ModelReleaseLog startupReleases) implements Serializable {
    private static final long serialVersionUID = 2L;

    public SegmentationSettings {
        Objects.requireNonNull(modelDir, "modelDir");
        segmenterSettings = Map.copyOf(segmenterSettings);
        Objects.requireNonNull(maskEncoding, "maskEncoding");
        targets = Set.copyOf(targets);
        Objects.requireNonNull(modelCacheDir, "modelCacheDir");
        Objects.requireNonNull(storeOptions, "storeOptions");
    }

    /** Settings that serve {@code modelDir} and take releases for {@code all} only, cached in the temp folder. */
    public SegmentationSettings(String modelDir, Map<String, String> segmenterSettings, AlertRules rules,
            MaskEncoding maskEncoding, int batchSize, long batchWaitMs, boolean live, long stalenessMs) {
        this(modelDir, segmenterSettings, rules, maskEncoding, batchSize, batchWaitMs, live, stalenessMs,
                Set.of(ReleaseTarget.ALL),
                Path.of(System.getProperty("java.io.tmpdir"), "segstream-models").toString(),
                ModelStoreOptions.defaults(), null);
    }

    /** These settings with the segmenter option {@code key} at {@code value} where the user set none. */
    public SegmentationSettings withSegmenterDefault(String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(segmenterSettings);
        all.putIfAbsent(key, value);
        return new SegmentationSettings(modelDir, all, rules, maskEncoding, batchSize, batchWaitMs, live,
                stalenessMs, targets, modelCacheDir, storeOptions, startupReleases);
    }

    /** These settings reading the releases before {@code log} at a fresh start. */
    public SegmentationSettings withStartupReleases(ModelReleaseLog log) {
        return new SegmentationSettings(modelDir, segmenterSettings, rules, maskEncoding, batchSize, batchWaitMs, live,
                stalenessMs, targets, modelCacheDir, storeOptions, log);
    }
}
