package io.segstream.connectors.models;

import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.Severity;
import java.time.Instant;
import java.util.List;

/**
 * Alerts about a serving process itself (the Flink job, the edge agent) rather than a camera, on the alerts topic
 * beside the rule alerts; both send the same ones, so consumers treat them alike. Their
 * {@code rule_id} starts with {@code system.}; they name no camera (empty {@code camera_id}) and no frame
 * ({@code seq} -1), and their ids are deterministic, so a consumer can drop the copies that several subtasks
 * or a replay send.
 */
public final class SystemAlerts {
    /** A model release failed verification; the serving model stays. */
    public static final String MODEL_RELEASE_REJECTED = "system.model-release-rejected";
    /** The release a restored job was serving could not be fetched or verified again; it fell back. */
    public static final String MODEL_RESTORE_FAILED = "system.model-restore-failed";

    private SystemAlerts() {}

    /** The alert for a release that failed verification while {@code servingId} ({@code name:version}) stays. */
    public static Alert releaseRejected(ModelRelease release, String servingId, String reason) {
        return alert(MODEL_RELEASE_REJECTED, Severity.WARNING, release, servingId, "Model release "
                + release.getName() + ":" + release.getVersion() + " was rejected and " + servingId
                + " keeps serving: " + sentence(reason));
    }

    /** The alert for a restored job that could not serve its release again and serves {@code servingId} instead. */
    public static Alert restoreFailed(ModelRelease release, String servingId, String reason) {
        return alert(MODEL_RESTORE_FAILED, Severity.CRITICAL, release, servingId, "After a restart model "
                + release.getName() + ":" + release.getVersion() + " could not be served again, so " + servingId
                + " serves instead: " + sentence(reason));
    }

    private static Alert alert(String ruleId, Severity severity, ModelRelease release, String servingId,
            String message) {
        return Alert.newBuilder()
                .setAlertId(ruleId + "/" + ModelReleases.id(release).replace(" (", "/").replace(")", ""))
                .setCameraId("")
                .setSeq(-1)
                .setRuleId(ruleId)
                .setSeverity(severity)
                .setState(AlertState.RAISED)
                .setClasses(List.of())
                .setModelVersion(servingId.substring(servingId.indexOf(':') + 1))
                .setCaptureTime(release.getReleasedAt() == null ? Instant.now() : release.getReleasedAt())
                .setMessage(message)
                .build();
    }

    /** The reason without a trailing full stop, so the alert reads as one sentence. */
    private static String sentence(String reason) {
        String r = reason == null || reason.isBlank() ? "no reason given" : reason.strip();
        return r.endsWith(".") ? r.substring(0, r.length() - 1) + "." : r + ".";
    }
}
