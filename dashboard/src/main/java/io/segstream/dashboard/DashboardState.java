package io.segstream.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.SegmentationMask;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the dashboard knows, with no Kafka and no web server in it: the latest frames and masks of each camera, the
 * active alerts with the frame that raised each, a raise/clear timeline per camera, and system events (dead letters,
 * model releases, rejected releases). Every change becomes a {@link DashboardEvent}; the newest events are kept so a
 * reconnecting page gets what it missed instead of a fresh snapshot.
 *
 * <p>A frame waits for its mask (the job commits masks with its checkpoints, so they come a second or more later);
 * when the mask arrives the two are kept as a pair. Memory is bounded: {@value #WAITING_FRAMES} waiting frames and
 * {@code framesPerCamera} pairs per camera, a fixed number of timeline entries, system events and replayable events.
 * Whatever falls out is counted ({@link #counters()}), never dropped silently. Frames are kept as the bytes that
 * arrived; nothing is decoded here (see {@link OverlayRenderer}).
 *
 * <pre>{@code
 * DashboardState state = new DashboardState(4, System::currentTimeMillis);
 * state.onFrame(frame);
 * state.onMask(mask);                               // a "camera" event for the page
 * Optional<List<DashboardEvent>> missed = state.eventsAfter(lastSeenId);
 * }</pre>
 */
public final class DashboardState {
    /** Rule ids with this prefix are the system's own announcements (a rejected model release), not camera alerts. */
    public static final String SYSTEM_RULE_PREFIX = "system.";
    /** Frames per camera waiting for their masks: a few seconds of a camera at 10-25 fps. */
    static final int WAITING_FRAMES = 64;
    static final int TIMELINE_PER_CAMERA = 50;
    static final int SYSTEM_EVENTS = 100;
    static final int REPLAYABLE_EVENTS = 2000;
    static final int PINNED_ALERT_FRAMES = 256;
    // fast-path alerts repeat after a failover with the same (alert id, state): remember enough to drop repeats
    static final int SEEN_ALERT_KEYS = 20_000;
    private static final int FPS_WINDOW = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int framesPerCamera;
    private final Clock clock;
    private final Map<String, CameraView> cameras = new TreeMap<>();
    private final Map<String, ActiveAlert> active = new LinkedHashMap<>();
    private final Deque<Map<String, Object>> systemEvents = new ArrayDeque<>();
    private final Deque<DashboardEvent> replayable = new ArrayDeque<>();
    private final Set<String> seenAlertKeys = new LinkedHashSet<>();
    private final List<Consumer<DashboardEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private long nextEventId = 1;

    /** A source of "now" in epoch milliseconds; tests pass a fixed one. */
    @FunctionalInterface
    public interface Clock {
        long millis();
    }

    /**
     * @param framesPerCamera how many of the newest frames with their masks each camera keeps, at least 1
     * @param clock           the server's clock, sent with each event so the page can show a stalled camera's age
     */
    public DashboardState(int framesPerCamera, Clock clock) {
        if (framesPerCamera < 1) {
            throw new IllegalArgumentException("framesPerCamera must be at least 1, got " + framesPerCamera);
        }
        this.framesPerCamera = framesPerCamera;
        this.clock = clock;
        for (String c : List.of("frames", "masks", "alerts", "deadLetters", "modelReleases", "framesEvicted",
                "framesWithoutMask", "masksWithoutFrame", "alertsRepeated", "alertsWithoutFrame", "alertFramesNotPinned",
                "clearsWithoutRaise", "cameraRestarts", "timelineEvicted", "systemEventsEvicted", "eventsEvicted")) {
            counters.put(c, 0L);
        }
    }

    /** Calls {@code listener} with every event from now on, in order, on the thread that changed the state. */
    public void addListener(Consumer<DashboardEvent> listener) {
        listeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void removeListener(Consumer<DashboardEvent> listener) {
        listeners.remove(listener);
    }

    /** Keeps the frame until its mask arrives; the page learns of it with the mask. */
    public synchronized void onFrame(CameraFrame f) {
        count("frames");
        CameraView cam = camera(f.getCameraId());
        if (!cam.waiting.isEmpty() && f.getSeq() < cam.waiting.lastKey()) {
            // seq runs backwards only when the camera (or its replay) started again: the old frames are history
            count("cameraRestarts");
            counters.merge("framesEvicted", (long) cam.waiting.size(), Long::sum);
            cam.waiting.clear();
            cam.frameTimes.clear();
        }
        cam.waiting.put(f.getSeq(), f);
        cam.frameTimes.addLast(f.getCaptureTime().toEpochMilli());
        if (cam.frameTimes.size() > FPS_WINDOW) {
            cam.frameTimes.removeFirst();
        }
        while (cam.waiting.size() > WAITING_FRAMES) {
            // the masks lag more than the waiting room holds (job down or far behind)
            cam.waiting.pollFirstEntry();
            count("framesEvicted");
        }
    }

    /** Pairs the mask with its frame and sends the camera's new tile figures. */
    public synchronized void onMask(SegmentationMask m) {
        count("masks");
        CameraView cam = camera(m.getCameraId());
        if (cam.latest != null && m.getSeq() < cam.latest.getSeq()) {
            counters.merge("framesEvicted", (long) cam.pairs.size(), Long::sum);
            cam.pairs.clear();
            cam.latest = null;
        }
        CameraFrame frame = cam.waiting.remove(m.getSeq());
        // older frames still waiting never get a mask: the job skipped them as stale (live mode) or dead-lettered them
        while (!cam.waiting.isEmpty() && cam.waiting.firstKey() < m.getSeq()) {
            cam.waiting.pollFirstEntry();
            count("framesWithoutMask");
        }
        if (frame == null) {
            // written before the dashboard started reading, or pushed out of the waiting room
            count("masksWithoutFrame");
        } else {
            FramePair pair = new FramePair(frame, m);
            cam.pairs.put(m.getSeq(), pair);
            while (cam.pairs.size() > framesPerCamera) {
                cam.pairs.pollFirstEntry();
                count("framesEvicted");
            }
            // an alert can arrive before the mask of its frame (another topic in the same poll)
            for (Map.Entry<String, ActiveAlert> a : active.entrySet()) {
                ActiveAlert alert = a.getValue();
                if (alert.pair == null && alert.alert.getCameraId().equals(m.getCameraId())
                        && alert.alert.getSeq() == m.getSeq() && pinnedFrames() < PINNED_ALERT_FRAMES) {
                    a.setValue(new ActiveAlert(alert.alert, pair));
                    counters.merge("alertsWithoutFrame", -1L, Long::sum);
                    emit("alert-frame", Map.of("alertId", a.getKey()));
                }
            }
        }
        if (cam.latest == null || m.getSeq() >= cam.latest.getSeq()) {
            cam.latest = m;
            cam.lastUpdate = clock.millis();
            // the counters ride along so the page's figures move with the cameras, not only on reconnect
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("tile", tile(cam));
            data.put("counters", new TreeMap<>(counters));
            emit("camera", data);
        }
    }

    /**
     * Raises or clears an alert; system alerts become system events. A repeated (alert id, state), as the fast
     * delivery path gives after a failover, changes nothing and is counted as {@code alertsRepeated}.
     */
    public synchronized void onAlert(Alert a) {
        count("alerts");
        String key = a.getAlertId() + "/" + a.getState();
        if (!seenAlertKeys.add(key)) {
            count("alertsRepeated");
            return;
        }
        if (seenAlertKeys.size() > SEEN_ALERT_KEYS) {
            Iterator<String> oldest = seenAlertKeys.iterator();
            oldest.next();
            oldest.remove();
        }
        if (a.getRuleId().startsWith(SYSTEM_RULE_PREFIX)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("kind", a.getRuleId().substring(SYSTEM_RULE_PREFIX.length()));
            e.put("time", a.getCaptureTime().toEpochMilli());
            e.put("severity", a.getSeverity().toString());
            e.put("camera", a.getCameraId());
            e.put("message", a.getMessage());
            system(e);
            return;
        }
        CameraView cam = camera(a.getCameraId());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("alertId", a.getAlertId());
        entry.put("rule", a.getRuleId());
        entry.put("state", a.getState().toString());
        entry.put("seq", a.getSeq());
        entry.put("time", a.getCaptureTime().toEpochMilli());
        cam.timeline.addLast(entry);
        if (cam.timeline.size() > TIMELINE_PER_CAMERA) {
            cam.timeline.removeFirst();
            count("timelineEvicted");
        }
        if (a.getState() == AlertState.RAISED) {
            FramePair pair = cam.pairs.get(a.getSeq());
            if (pair == null) {
                // until its mask arrives (then the pair is pinned and this count taken back), or for good
                count("alertsWithoutFrame");
            } else if (pinnedFrames() >= PINNED_ALERT_FRAMES) {
                count("alertFramesNotPinned");
                pair = null;
            }
            active.put(a.getAlertId(), new ActiveAlert(a, pair));
        } else if (active.remove(a.getAlertId()) == null) {
            // its raise was before the dashboard started, or it was a repeat after the state was already gone
            count("clearsWithoutRaise");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("alert", alertJson(a, active.get(a.getAlertId())));
        data.put("timelineEntry", entry);
        emit("alert", data);
    }

    /** A dead letter, as a system event. */
    public synchronized void onDeadLetter(DeadLetter d) {
        count("deadLetters");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("kind", "dead-letter");
        e.put("time", d.getTime().toEpochMilli());
        e.put("stage", d.getStage());
        e.put("camera", d.getCameraId());
        e.put("seq", d.getSeq());
        e.put("message", d.getReason());
        e.put("source", d.getSourceTopic() + "/" + d.getSourcePartition() + "@" + d.getSourceOffset());
        system(e);
    }

    /** A model release published on the models topic, as a system event. */
    public synchronized void onRelease(ModelRelease r) {
        count("modelReleases");
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("kind", "model-released");
        e.put("time", r.getReleasedAt().toEpochMilli());
        e.put("severity", "INFO");
        e.put("message", r.getName() + ":" + r.getVersion() + " (" + r.getLabelSet() + ") for " + r.getTarget()
                + " from " + r.getArtifactUri());
        system(e);
    }

    /** Counts what the feed could not decode (a value of another schema, garbage) under {@code undecodable.TOPIC}. */
    public synchronized void onUndecodable(String topic) {
        count("undecodable." + topic);
    }

    /** Everything the page shows, as one event; its id is the newest event's, so later events follow it. */
    public synchronized DashboardEvent snapshot() {
        Map<String, Object> data = new LinkedHashMap<>();
        List<Object> tiles = new ArrayList<>();
        Map<String, Object> timelines = new LinkedHashMap<>();
        for (CameraView cam : cameras.values()) {
            if (cam.latest != null) {
                tiles.add(tile(cam));
            }
            timelines.put(cam.id, List.copyOf(cam.timeline));
        }
        data.put("cameras", tiles);
        List<Object> alerts = new ArrayList<>();
        for (ActiveAlert a : active.values()) {
            alerts.add(alertJson(a.alert, a));
        }
        data.put("activeAlerts", alerts);
        data.put("timelines", timelines);
        data.put("systemEvents", List.copyOf(systemEvents));
        data.put("counters", new TreeMap<>(counters));
        data.put("serverTime", clock.millis());
        return new DashboardEvent(nextEventId - 1, "snapshot", json(data));
    }

    /**
     * The events after {@code id}, oldest first; empty when some of them are no longer kept (then the page needs a
     * {@link #snapshot()}).
     */
    public synchronized Optional<List<DashboardEvent>> eventsAfter(long id) {
        if (id >= nextEventId) {
            return Optional.empty();
        }
        if (id < nextEventId - 1 && (replayable.isEmpty() || replayable.peekFirst().id() > id + 1)) {
            return Optional.empty();
        }
        return Optional.of(replayable.stream().filter(e -> e.id() > id).toList());
    }

    /** The id of the newest event, 0 before the first. */
    public synchronized long lastEventId() {
        return nextEventId - 1;
    }

    /** The frame and mask of {@code seq} of a camera, or of its newest mask whose frame is kept. */
    public synchronized Optional<FramePair> pair(String camera, Long seq) {
        CameraView cam = cameras.get(camera);
        if (cam == null) {
            return Optional.empty();
        }
        if (seq != null && cam.pairs.containsKey(seq)) {
            return Optional.of(cam.pairs.get(seq));
        }
        return cam.pairs.isEmpty() ? Optional.empty() : Optional.of(cam.pairs.lastEntry().getValue());
    }

    /** The frame and mask that raised an active alert, when they were still kept as it arrived. */
    public synchronized Optional<FramePair> raisingPair(String alertId) {
        ActiveAlert a = active.get(alertId);
        return a == null ? Optional.empty() : Optional.ofNullable(a.pair);
    }

    /** Rule ids raised and not cleared on a camera, oldest first. */
    public synchronized List<String> activeRules(String camera) {
        return active.values().stream().filter(a -> a.alert.getCameraId().equals(camera))
                .map(a -> a.alert.getRuleId()).distinct().toList();
    }

    /** The rule of an active alert. */
    public synchronized Optional<String> activeRuleOf(String alertId) {
        ActiveAlert a = active.get(alertId);
        return a == null ? Optional.empty() : Optional.of(a.alert.getRuleId());
    }

    /** Camera ids seen so far. */
    public synchronized List<String> cameraIds() {
        return List.copyOf(cameras.keySet());
    }

    /** Ids of the alerts raised and not cleared. */
    public synchronized List<String> activeAlertIds() {
        return List.copyOf(active.keySet());
    }

    /** What arrived and what was let go, by name (frames, masksEvicted, eventsEvicted, undecodable.TOPIC ...). */
    public synchronized Map<String, Long> counters() {
        return new TreeMap<>(counters);
    }

    /** A frame and its mask, of one camera and seq. */
    public record FramePair(CameraFrame frame, SegmentationMask mask) {}

    private long pinnedFrames() {
        return active.values().stream().filter(a -> a.pair != null).count();
    }

    private CameraView camera(String id) {
        return cameras.computeIfAbsent(id, CameraView::new);
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    private void system(Map<String, Object> e) {
        systemEvents.addLast(e);
        if (systemEvents.size() > SYSTEM_EVENTS) {
            systemEvents.removeFirst();
            count("systemEventsEvicted");
        }
        emit("system", e);
    }

    private Map<String, Object> tile(CameraView cam) {
        SegmentationMask m = cam.latest;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("camera", cam.id);
        t.put("seq", m.getSeq());
        t.put("captureTime", m.getCaptureTime().toEpochMilli());
        t.put("updated", cam.lastUpdate);
        t.put("serverTime", clock.millis());
        t.put("fps", fps(cam));
        t.put("latencyMs", m.getTimings().getEndToEndMs());
        t.put("model", m.getModel().getName() + ":" + m.getModel().getVersion());
        t.put("labelSet", m.getLabelSet());
        t.put("miou", m.getFrameMiou());
        t.put("size", m.getWidth() + "x" + m.getHeight());
        t.put("classFractions", new TreeMap<>(m.getClassFractions()));
        t.put("hasFrame", cam.pairs.containsKey(m.getSeq()));
        return t;
    }

    /** Frames per second over the newest capture times; masks' if the frames topic gives none. */
    private static Double fps(CameraView cam) {
        if (cam.frameTimes.size() < 2) {
            return null;
        }
        long span = cam.frameTimes.peekLast() - cam.frameTimes.peekFirst();
        return span <= 0 ? null : (cam.frameTimes.size() - 1) * 1000.0 / span;
    }

    private static Map<String, Object> alertJson(Alert a, ActiveAlert pinned) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("alertId", a.getAlertId());
        j.put("camera", a.getCameraId());
        j.put("rule", a.getRuleId());
        j.put("severity", a.getSeverity().toString());
        j.put("state", a.getState().toString());
        j.put("seq", a.getSeq());
        j.put("since", a.getCaptureTime().toEpochMilli());
        j.put("zone", a.getZoneId());
        j.put("areaFraction", a.getAreaFraction());
        j.put("classes", List.copyOf(a.getClasses()));
        j.put("model", a.getModelVersion());
        j.put("message", a.getMessage());
        j.put("thumbnail", pinned != null && pinned.pair != null);
        return j;
    }

    private void emit(String type, Object data) {
        DashboardEvent e = new DashboardEvent(nextEventId++, type, json(data));
        replayable.addLast(e);
        if (replayable.size() > REPLAYABLE_EVENTS) {
            replayable.removeFirst();
            count("eventsEvicted");
        }
        for (Consumer<DashboardEvent> l : listeners) {
            l.accept(e);
        }
    }

    static String json(Object data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write dashboard event as JSON", e);
        }
    }

    private static final class CameraView {
        final String id;
        final TreeMap<Long, CameraFrame> waiting = new TreeMap<>();
        final TreeMap<Long, FramePair> pairs = new TreeMap<>();
        final Deque<Long> frameTimes = new ArrayDeque<>();
        final Deque<Map<String, Object>> timeline = new ArrayDeque<>();
        SegmentationMask latest;
        long lastUpdate;

        CameraView(String id) {
            this.id = id;
        }
    }

    private record ActiveAlert(Alert alert, FramePair pair) {}
}
