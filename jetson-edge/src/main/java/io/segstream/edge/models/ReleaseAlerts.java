package io.segstream.edge.models;

import io.segstream.connectors.models.ModelReleases;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.Severity;
import java.time.Instant;
import java.util.List;

/**
 * The alert that announces a refused release on the alerts topic, with the rule id, id scheme and wording the Flink
 * job uses for the same event ({@code system.model-release-rejected}, no camera, seq -1, an id derived from the
 * release), so consumers treat both alike.
 */
public final class ReleaseAlerts {
    /** A model release failed verification; the serving model stays. */
    public static final String MODEL_RELEASE_REJECTED = "system.model-release-rejected";

    private ReleaseAlerts() {}

    /** The alert for a release that failed verification while {@code servingId} ({@code name:version}) stays. */
    public static Alert rejected(ModelRelease release, String servingId, String reason) {
        String r = reason == null || reason.isBlank() ? "no reason given" : reason.strip();
        return Alert.newBuilder()
                .setAlertId(MODEL_RELEASE_REJECTED + "/" + ModelReleases.id(release).replace(" (", "/")
                        .replace(")", ""))
                .setCameraId("")
                .setSeq(-1)
                .setRuleId(MODEL_RELEASE_REJECTED)
                .setSeverity(Severity.WARNING)
                .setState(AlertState.RAISED)
                .setClasses(List.of())
                .setModelVersion(servingId.substring(servingId.indexOf(':') + 1))
                .setCaptureTime(release.getReleasedAt() == null ? Instant.now() : release.getReleasedAt())
                .setMessage("Model release " + release.getName() + ":" + release.getVersion() + " was rejected and "
                        + servingId + " keeps serving: " + (r.endsWith(".") ? r : r + "."))
                .build();
    }
}
