package io.segstream.core.alerts;

import io.segstream.schemas.AlertState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Collects RAISED and CLEARED alerts into {@link AlertEpisode}s and remembers the last frame seen per camera, which
 * tells an alert that is still raised at the end apart from one whose clear simply lies beyond the record.
 *
 * <p>A CLEARED alert carries its RAISED alert's id, which is how the two are paired; a clear whose raise is not in the
 * record (it came before the record started) is left out. Not thread-safe.
 *
 * <pre>{@code
 * AlertTimeline predicted = new AlertTimeline();
 * for (Alert a : alertsTopic) {
 *     predicted.add(a.getCameraId(), a.getRuleId(), a.getAlertId(), a.getSeq(), a.getState());
 * }
 * }</pre>
 */
public final class AlertTimeline {
    private final Map<String, AlertEpisode> open = new LinkedHashMap<>();
    private final List<AlertEpisode> closed = new ArrayList<>();
    private final Map<String, Long> lastSeq = new HashMap<>();

    /** Records one alert state change. */
    public void add(String cameraId, String ruleId, String alertId, long seq, AlertState state) {
        Objects.requireNonNull(alertId, "alertId");
        observed(cameraId, seq);
        if (state == AlertState.RAISED) {
            open.put(alertId, new AlertEpisode(cameraId, ruleId, seq, AlertEpisode.STILL_RAISED));
        } else {
            AlertEpisode raised = open.remove(alertId);
            if (raised != null) {
                closed.add(new AlertEpisode(cameraId, ruleId, raised.raisedSeq(), seq));
            }
        }
    }

    /** Records one event of the {@link AlertEngine}. */
    public void add(AlertEvent event) {
        add(event.cameraId(), event.ruleId(), event.alertId(), event.seq(), event.state());
    }

    /** Notes that frame {@code seq} of {@code cameraId} was seen, alert or not. */
    public void observed(String cameraId, long seq) {
        lastSeq.merge(Objects.requireNonNull(cameraId, "cameraId"), seq, Math::max);
    }

    /** The last frame seen per camera. */
    public Map<String, Long> lastSeqs() {
        return Map.copyOf(lastSeq);
    }

    /** Every alert recorded so far: cleared ones and those still raised, ordered by camera, rule and raise. */
    public List<AlertEpisode> episodes() {
        List<AlertEpisode> all = new ArrayList<>(closed);
        all.addAll(open.values());
        all.sort(AlertAgreement.ORDER);
        return all;
    }
}
