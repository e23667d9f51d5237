package io.segstream.inference.segment;

import io.segstream.core.alerts.AlertRules;
import io.segstream.schemas.MaskEncoding;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * What one segmentation subtask needs to open its model and process frames; shipped with the job graph.
 *
 * @param modelDir          directory holding {@code model.onnx} and {@code model.json}, readable on every task manager
 * @param segmenterSettings {@code SegmenterOptions} keys and values (provider, threads, TensorRT cache ...)
 * @param rules             alert rules whose zones get per-zone fractions; null for none
 * @param maskEncoding      how masks are encoded
 * @param batchSize         micro-batch size B
 * @param batchWaitMs       longest wait T before a partial batch runs
 * @param live              live mode skips frames older than {@code stalenessMs}; replay mode skips nothing
 * @param stalenessMs       age (wall clock minus capture time) beyond which a live frame is skipped
 */
public record SegmentationSettings(
        String modelDir,
        Map<String, String> segmenterSettings,
        AlertRules rules,
        MaskEncoding maskEncoding,
        int batchSize,
        long batchWaitMs,
        boolean live,
        long stalenessMs) implements Serializable {
    private static final long serialVersionUID = 1L;

    public SegmentationSettings {
        Objects.requireNonNull(modelDir, "modelDir");
        segmenterSettings = Map.copyOf(segmenterSettings);
        Objects.requireNonNull(maskEncoding, "maskEncoding");
    }
}
