package io.segstream.connectors.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.ModelFormat;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The system alerts of the segmentation operator, as pure records. */
class SystemAlertsTest {
    private static final Instant RELEASED = Instant.parse("2026-03-04T05:06:07Z");

    private static ModelRelease release() {
        return ModelRelease.newBuilder().setName("unet").setVersion("8").setArtifactUri("s3://m/unet/8/")
                .setSha256("0123456789ab" + "f".repeat(52)).setSizeBytes(10).setFormat(ModelFormat.ONNX).setInputWidth(64).setInputHeight(32)
                .setLabelSet("rail-20").setMetrics(Map.of()).setTarget("all").setReleasedAt(RELEASED).build();
    }

    @Test
    void aRejectedReleaseIsOneDeterministicSentenceNamingBothModels() {
        Alert a = SystemAlerts.releaseRejected(release(), "unet:7", "the file is truncated");
        assertEquals("system.model-release-rejected/unet:8/0123456789ab", a.getAlertId());
        assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED, a.getRuleId());
        assertEquals("", a.getCameraId());
        assertEquals(-1, a.getSeq());
        assertEquals(Severity.WARNING, a.getSeverity());
        assertEquals(AlertState.RAISED, a.getState());
        assertEquals(List.of(), a.getClasses());
        assertEquals("7", a.getModelVersion());
        assertEquals(RELEASED, a.getCaptureTime());
        assertEquals("Model release unet:8 was rejected and unet:7 keeps serving: the file is truncated.",
                a.getMessage());
        assertEquals(a, SystemAlerts.releaseRejected(release(), "unet:7", "the file is truncated"),
                "a replay or another subtask sends the same alert");
    }

    @Test
    void aFailedRestoreIsCritical() {
        Alert a = SystemAlerts.restoreFailed(release(), "bootstrap:1", "the store is unreachable.");
        assertEquals("system.model-restore-failed/unet:8/0123456789ab", a.getAlertId());
        assertEquals(Severity.CRITICAL, a.getSeverity());
        assertEquals("After a restart model unet:8 could not be served again, so bootstrap:1 serves instead: the store"
                + " is unreachable.", a.getMessage());
    }
}
