package io.segstream.core.alerts;

import io.segstream.schemas.AlertState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alert state machine: per (camera, rule) a {@link RuleState}, advanced one frame at a time by the pure
 * function {@link #step}. The caller keeps the states (a map in tests, Flink keyed state in the job).
 *
 * <p>Semantics, all in frames counted by seq:
 * <ul>
 *   <li>A frame <em>counts</em> when the rule's classes cover at least {@code min_fraction} of the zone.
 *       An idle rule raises at frame s when at least N of frames s-M+1..s count and s has left the
 *       cooldown.</li>
 *   <li>A raised rule clears at frame s when at most K of frames s-M'+1..s reach the clear fraction.</li>
 *   <li>After a clear at frame c the rule cannot raise before frame c + cooldown_frames + 1; the windows
 *       keep filling meanwhile, so it raises at the first frame after the cooldown whose window qualifies.</li>
 *   <li>Gaps: seqs that never arrive (dropped as stale, dead-lettered) count as frames below every
 *       threshold. After a gap of at least M' frames only the arriving frame is in the clear window, so a
 *       raised alert clears there unless that frame alone exceeds K; a silent camera keeps its alert raised
 *       until frames return.</li>
 *   <li>A frame whose seq is not above the last applied seq (a duplicate or a late frame) changes nothing.</li>
 *   <li>A frame without fractions for the rule's zone counts as 0 coverage and is flagged in the
 *       {@link RuleStep}.</li>
 *   <li>The alert id is {@link #alertId}(camera, seq of the raising frame, rule id): the same frames give
 *       the same ids in every replay, and a CLEARED event carries its RAISED event's id.</li>
 * </ul>
 *
 * <pre>{@code
 * AlertEngine engine = new AlertEngine(AlertRules.load(Path.of("config/rules/railway.yaml")));
 * Map<String, RuleState> states = new HashMap<>();     // per camera
 * for (FrameFractions frame : frames) {
 *     for (AlertEvent event : engine.onFrame(frame, states)) {
 *         publish(event.toAvro(modelVersion));
 *     }
 * }
 * }</pre>
 */
public final class AlertEngine {
    private static final HexFormat HEX = HexFormat.of();

    private final AlertRules rules;
    private final Map<String, List<AlertRule>> rulesByCamera = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Polygon>> zonesByCamera = new ConcurrentHashMap<>();

    public AlertEngine(AlertRules rules) {
        this.rules = rules;
    }

    public AlertRules rules() {
        return rules;
    }

    /** The rules that apply to {@code cameraId}; resolved once per camera. */
    public List<AlertRule> rulesFor(String cameraId) {
        return rulesByCamera.computeIfAbsent(cameraId, rules::rulesFor);
    }

    /** The zone polygons of {@code cameraId} by zone id; resolved once per camera. */
    public Map<String, Polygon> zonesFor(String cameraId) {
        return zonesByCamera.computeIfAbsent(cameraId, rules::zonesFor);
    }

    /**
     * Applies one frame to every rule of its camera.
     *
     * @param states this camera's rule states by rule id; updated in place
     * @return the RAISED and CLEARED events of this frame, in rule order
     */
    public List<AlertEvent> onFrame(FrameFractions frame, Map<String, RuleState> states) {
        List<AlertEvent> events = new ArrayList<>();
        for (AlertRule rule : rulesFor(frame.cameraId())) {
            RuleStep step = step(rule, states.get(rule.id()), frame);
            states.put(rule.id(), step.state());
            if (step.event() != null) {
                events.add(step.event());
            }
        }
        return events;
    }

    /**
     * Advances one rule's state by one frame.
     *
     * @param prior the state after the camera's previous frame, or null before its first frame
     */
    public static RuleStep step(AlertRule rule, RuleState prior, FrameFractions frame) {
        long seq = frame.seq();
        if (prior != null && seq <= prior.lastSeq()) {
            return new RuleStep(prior, null, true, false);
        }
        boolean zoneMissing = !frame.hasZone(rule.zoneId());
        // fractions travel as floats, so thresholds compare at float precision: 2 of 100 pixels reach 0.02
        float coverage = (float) frame.coverage(rule.zoneId(), rule.classes());
        long shift = prior == null ? Long.SIZE : seq - prior.lastSeq();
        long raiseHistory = shifted(prior == null ? 0 : prior.raiseHistory(), shift)
                | (coverage >= (float) rule.minFraction() ? 1 : 0);
        long clearHistory = shifted(prior == null ? 0 : prior.clearHistory(), shift)
                | (coverage >= (float) rule.clear().fraction() ? 1 : 0);
        boolean raised = prior != null && prior.raised();
        long raisedSeq = prior == null ? 0 : prior.raisedSeq();
        long quietUntil = prior == null ? Long.MIN_VALUE : prior.quietUntilSeq();

        AlertEvent event = null;
        if (!raised) {
            if (seq >= quietUntil && count(raiseHistory, rule.debounce().of()) >= rule.debounce().atLeast()) {
                raised = true;
                raisedSeq = seq;
                event = event(rule, frame, AlertState.RAISED, alertId(frame.cameraId(), seq, rule.id()), coverage);
            }
        } else if (count(clearHistory, rule.clear().of()) <= rule.clear().atMost()) {
            raised = false;
            quietUntil = seq + rule.cooldownFrames() + 1;
            event = event(rule, frame, AlertState.CLEARED, alertId(frame.cameraId(), raisedSeq, rule.id()), coverage);
        }
        RuleState next = new RuleState(seq, raiseHistory, clearHistory, raised, raisedSeq, quietUntil);
        return new RuleStep(next, event, false, zoneMissing);
    }

    private static long shifted(long history, long shift) {
        return shift >= Long.SIZE ? 0 : history << shift;
    }

    private static int count(long history, int window) {
        long mask = window >= Long.SIZE ? -1L : (1L << window) - 1;
        return Long.bitCount(history & mask);
    }

    private static AlertEvent event(AlertRule rule, FrameFractions frame, AlertState state, String alertId,
            float coverage) {
        NormalisedBox box = frame.boxFinder().find(rule.zoneId(), rule.classes());
        String where = rule.zoneId() == null ? "the frame" : "zone " + rule.zoneId();
        String what = String.join(", ", rule.classes()) + (rule.classes().size() == 1 ? " covers" : " cover");
        String message = String.format(Locale.ROOT, "%s%s: %s %.2f%% of %s (camera %s, frame %d)", rule.title(),
                state == AlertState.RAISED ? "" : " cleared", what, coverage * 100, where, frame.cameraId(),
                frame.seq());
        return new AlertEvent(alertId, frame.cameraId(), frame.seq(), rule.id(), rule.severity(), state,
                rule.classes(), rule.zoneId(), coverage, box, frame.captureTimeMillis(), message);
    }

    /**
     * The deterministic alert id: the first 128 bits, in hex, of SHA-256 over camera id, seq and rule id
     * joined by newlines (rule ids and seqs hold no newline, so the triple is recoverable and ids don't
     * collide by concatenation).
     */
    public static String alertId(String cameraId, long seq, String ruleId) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((cameraId + "\n" + seq + "\n" + ruleId).getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }
}
