package io.segstream.core.alerts;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassFractions;
import io.segstream.core.masks.ClassMask;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs alert rules over frames given as Cityscapes label-id images (ground truth, or predictions written as
 * {@code labelIds}): the same {@link AlertEngine}, with the class and zone fractions the inference job computes from
 * a mask, so the alerts are those a perfect model would have caused. Collects them in an {@link AlertTimeline}.
 *
 * <pre>{@code
 * LabelAlerts truth = new LabelAlerts(AlertRules.builtIn("railway"));
 * for (int seq = 0; seq < frames; seq++) {
 *     truth.onFrame("cam-1", seq, captureMillis, LabelPng.read8(labelIdsPng, "frame " + seq));
 * }
 * List<AlertEpisode> alerts = truth.timeline().episodes();
 * }</pre>
 */
public final class LabelAlerts {
    private final AlertEngine engine;
    private final LabelSet labelSet;
    private final ZoneMasks zoneMasks = new ZoneMasks();
    private final Map<String, Map<String, RuleState>> states = new HashMap<>();
    private final AlertTimeline timeline = new AlertTimeline();

    public LabelAlerts(AlertRules rules) {
        this.engine = new AlertEngine(rules);
        this.labelSet = LabelSet.named(rules.labelSet());
    }

    /**
     * Applies one frame of {@code cameraId}; frames of a camera come in seq order, as the job sees them.
     *
     * @param labelIds official Cityscapes label ids, one a pixel
     * @return the alerts this frame raised or cleared
     */
    public List<AlertEvent> onFrame(String cameraId, long seq, long captureTimeMillis, LabelImage labelIds) {
        String source = "camera " + cameraId + " seq " + seq;
        byte[] classIds = labelSet.labelIdsToClassIds(labelIds.toBytes(), source);
        int w = labelIds.width();
        int h = labelIds.height();
        Map<String, Polygon> zones = engine.zonesFor(cameraId);
        FrameFractions frame = new FrameFractions(cameraId, seq, captureTimeMillis,
                ClassFractions.of(new ClassMask(w, h, classIds), labelSet).asMap(),
                zoneMasks.zoneClassFractions(zones, classIds, w, h, labelSet),
                new MaskBoxFinder(classIds, w, h, labelSet, zones, zoneMasks));
        List<AlertEvent> events = engine.onFrame(frame, states.computeIfAbsent(cameraId, c -> new HashMap<>()));
        timeline.observed(cameraId, seq);
        events.forEach(timeline::add);
        return events;
    }

    /** The alerts so far, and the last frame of each camera. */
    public AlertTimeline timeline() {
        return timeline;
    }
}
