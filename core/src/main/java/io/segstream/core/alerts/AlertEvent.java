package io.segstream.core.alerts;

import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A rule's alert being raised or cleared on one camera; the CLEARED event carries its RAISED event's id.
 *
 * @param alertId           deterministic id from (camera, seq of the raising frame, rule id)
 * @param cameraId          camera id
 * @param seq               the frame that caused this state change
 * @param ruleId            rule id
 * @param severity          the rule's severity
 * @param state             RAISED or CLEARED
 * @param classes           the rule's classes
 * @param zoneId            zone id, or null for the whole frame
 * @param areaFraction      fraction of the zone the classes covered in frame {@code seq}
 * @param bbox              box of those pixels in frame {@code seq}, or null when unknown or empty
 * @param captureTimeMillis capture time of frame {@code seq}, epoch milliseconds
 * @param message           one sentence for people
 */
public record AlertEvent(
        String alertId,
        String cameraId,
        long seq,
        String ruleId,
        Severity severity,
        AlertState state,
        List<String> classes,
        String zoneId,
        float areaFraction,
        NormalisedBox bbox,
        long captureTimeMillis,
        String message) {

    public AlertEvent {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(state, "state");
        classes = List.copyOf(classes);
    }

    /** The Avro record for the alerts topic. */
    public Alert toAvro(String modelVersion) {
        return Alert.newBuilder()
                .setAlertId(alertId)
                .setCameraId(cameraId)
                .setSeq(seq)
                .setRuleId(ruleId)
                .setSeverity(severity)
                .setState(state)
                .setClasses(classes)
                .setZoneId(zoneId)
                .setAreaFraction(areaFraction)
                .setBbox(bbox == null ? null : bbox.toAvro())
                .setModelVersion(modelVersion == null ? "" : modelVersion)
                .setCaptureTime(Instant.ofEpochMilli(captureTimeMillis))
                .setMessage(message)
                .build();
    }
}
