package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.labels.LabelSet;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertEngineTest {
    private static final String CAMERA = "rail-01";
    private static final double HIGH = 0.03;
    private static final double MID = 0.015;
    private static final double LOW = 0.005;

    /** Person in zone z: a frame counts at 2 %, still shows the condition at 1 %. */
    private static AlertRule rule(int atLeast, int of, int clearAtMost, int clearOf, long cooldown) {
        return new AlertRule("person-in-z", "Person in z", Severity.CRITICAL, List.of("person"), "z", 0.02,
                new AlertRule.Debounce(atLeast, of), new AlertRule.Clear(0.01, clearAtMost, clearOf), cooldown,
                List.of());
    }

    private static FrameFractions frame(long seq, double personInZ) {
        return new FrameFractions(CAMERA, seq, 1_000 * seq, Map.of(),
                Map.of("z", Map.of("person", (float) personInZ, "road", 0.5f)), BoxFinder.NONE);
    }

    /** Runs frames with seq 0, 1, 2, ... and the given coverages; returns "RAISED@seq" / "CLEARED@seq". */
    private static List<String> run(AlertRule rule, double... coverage) {
        long[] seqs = new long[coverage.length];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = i;
        }
        return runAt(rule, seqs, coverage);
    }

    private static List<String> runAt(AlertRule rule, long[] seqs, double[] coverage) {
        List<String> events = new ArrayList<>();
        RuleState state = null;
        for (int i = 0; i < seqs.length; i++) {
            RuleStep step = AlertEngine.step(rule, state, frame(seqs[i], coverage[i]));
            state = step.state();
            if (step.event() != null) {
                events.add(step.event().state() + "@" + step.event().seq());
            }
        }
        return events;
    }

    @Test
    void debounceRaisesOnTheNthCountingFrameOfTheWindow() {
        AlertRule threeOfFive = rule(3, 5, 0, 5, 0);
        // seq 0, 2, 4 count: the window 0..4 holds 3 of them at seq 4
        assertEquals(List.of("RAISED@4"), run(threeOfFive, HIGH, 0, HIGH, 0, HIGH));
        // seq 0, 5, 6 count: no window of 5 holds 3 of them
        assertEquals(List.of(), run(threeOfFive, HIGH, 0, 0, 0, 0, HIGH, HIGH));
        // three in a row raise on the third
        assertEquals(List.of("RAISED@3"), run(threeOfFive, 0, HIGH, HIGH, HIGH));
        // coverage between the clear and the raise fraction never raises
        assertEquals(List.of(), run(threeOfFive, MID, MID, MID, MID, MID, MID));
    }

    @Test
    void hysteresisKeepsTheAlertWhileCoverageStaysAboveTheClearFraction() {
        AlertRule rule = rule(2, 3, 0, 5, 0);
        double[] coverage = {
            HIGH, HIGH,                     // 0, 1: raise at 1
            MID, MID, MID, MID, MID, MID,   // 2..7: below min_fraction, above the clear fraction: stays raised
            LOW, LOW, LOW, LOW, LOW,        // 8..12: the window 8..12 holds no frame at 1 %: clear at 12
            MID, MID, MID                   // 13..15: not enough to raise again
        };
        assertEquals(List.of("RAISED@1", "CLEARED@12"), run(rule, coverage));
    }

    @Test
    void clearAllowsUpToKFramesStillShowingTheCondition() {
        AlertRule rule = rule(2, 3, 1, 4, 0);
        // raised at 1; from seq 2 the window of 4 must hold at most 1 frame at 1 %:
        // seq 4 window 1..4 = {1, 3} -> 2; seq 5 window 2..5 = {3} -> 1: clear at 5
        assertEquals(List.of("RAISED@1", "CLEARED@5"), run(rule, HIGH, HIGH, LOW, MID, LOW, LOW));
    }

    @Test
    void cooldownBlocksRaisesForCFramesAfterAClear() {
        AlertRule oneOfOne = rule(1, 1, 0, 1, 3);
        // clear at 1, so seq 2, 3, 4 are quiet and seq 5 raises
        assertEquals(List.of("RAISED@0", "CLEARED@1", "RAISED@5"),
                run(oneOfOne, HIGH, LOW, HIGH, HIGH, HIGH, HIGH));
        AlertRule noCooldown = rule(1, 1, 0, 1, 0);
        assertEquals(List.of("RAISED@0", "CLEARED@1", "RAISED@2"), run(noCooldown, HIGH, LOW, HIGH));
    }

    @Test
    void windowsKeepFillingDuringTheCooldown() {
        AlertRule rule = rule(2, 3, 0, 3, 2);
        // raise at 1, clear at 4 (window 2..4 all low), quiet 5..6; the window at 7 (5..7) holds 3 counting frames
        assertEquals(List.of("RAISED@1", "CLEARED@4", "RAISED@7"),
                run(rule, HIGH, HIGH, LOW, LOW, LOW, HIGH, HIGH, HIGH));
    }

    @Test
    void missingSeqsCountAsFramesWithoutTheCondition() {
        AlertRule threeOfFive = rule(3, 5, 0, 5, 0);
        // 0, 1 and 4 lie in the window 0..4
        assertEquals(List.of("RAISED@4"), runAt(threeOfFive, new long[] {0, 1, 4}, new double[] {HIGH, HIGH, HIGH}));
        // 5's window 1..5 holds only 1 and 5
        assertEquals(List.of(), runAt(threeOfFive, new long[] {0, 1, 5}, new double[] {HIGH, HIGH, HIGH}));
        // raised at 2; after a gap as long as the clear window only the arriving frame is in it
        assertEquals(List.of("RAISED@2", "CLEARED@20"),
                runAt(threeOfFive, new long[] {0, 1, 2, 20}, new double[] {HIGH, HIGH, HIGH, LOW}));
        assertEquals(List.of("RAISED@2"),
                runAt(threeOfFive, new long[] {0, 1, 2, 20}, new double[] {HIGH, HIGH, HIGH, HIGH}));
        // a gap longer than the 64-frame history empties it
        assertEquals(List.of("RAISED@2", "CLEARED@1000002"),
                runAt(threeOfFive, new long[] {0, 1, 2, 1_000_002}, new double[] {HIGH, HIGH, HIGH, LOW}));
    }

    @Test
    void lateAndDuplicateFramesChangeNothing() {
        AlertRule rule = rule(1, 1, 0, 1, 0);
        RuleState state = AlertEngine.step(rule, null, frame(5, LOW)).state();
        for (long seq : new long[] {5, 3}) {
            RuleStep step = AlertEngine.step(rule, state, frame(seq, HIGH));
            assertTrue(step.outOfOrder());
            assertSame(state, step.state());
            assertNull(step.event());
        }
    }

    @Test
    void aFrameWithoutTheZoneCountsAsZeroAndIsFlagged() {
        AlertRule rule = rule(1, 1, 0, 1, 0);
        RuleState raised = AlertEngine.step(rule, null, frame(0, HIGH)).state();
        RuleStep step = AlertEngine.step(rule, raised,
                new FrameFractions(CAMERA, 1, 1000, Map.of("person", 0.5f), Map.of(), BoxFinder.NONE));
        assertTrue(step.zoneMissing());
        assertEquals(AlertState.CLEARED, step.event().state());
        assertFalse(AlertEngine.step(rule, null, frame(0, HIGH)).zoneMissing());
    }

    @Test
    void alertIdsAreDeterministicAndTheClearCarriesTheRaisesId() {
        assertEquals("49cbacdfde6bacc8936e37fde0074d8b", AlertEngine.alertId("rail-01", 42, "person-in-corridor"),
                "ids are part of the contract: changing the scheme breaks consumers that dedupe");
        assertNotEquals(AlertEngine.alertId("rail-01", 42, "a"), AlertEngine.alertId("rail-01", 43, "a"));
        assertNotEquals(AlertEngine.alertId("rail-01", 42, "a"), AlertEngine.alertId("rail-02", 42, "a"));
        assertNotEquals(AlertEngine.alertId("rail-01", 42, "a"), AlertEngine.alertId("rail-01", 42, "b"));
        assertNotEquals(AlertEngine.alertId("a\n1", 2, "r"), AlertEngine.alertId("a", 12, "r"));

        AlertRule rule = rule(1, 1, 0, 1, 0);
        RuleStep raise = AlertEngine.step(rule, null, frame(7, HIGH));
        RuleStep clear = AlertEngine.step(rule, raise.state(), frame(9, LOW));
        assertEquals(AlertEngine.alertId(CAMERA, 7, "person-in-z"), raise.event().alertId());
        assertEquals(raise.event().alertId(), clear.event().alertId());
        assertEquals(9, clear.event().seq());
    }

    @Test
    void eventsCarryRuleFrameAndCoverage() {
        AlertRule rule = rule(1, 1, 0, 1, 0);
        AlertEvent raised = AlertEngine.step(rule, null, frame(4, 0.02)).event();
        assertEquals(new AlertEvent(AlertEngine.alertId(CAMERA, 4, "person-in-z"), CAMERA, 4, "person-in-z",
                Severity.CRITICAL, AlertState.RAISED, List.of("person"), "z", 0.02f, null, 4000,
                "Person in z: person covers 2.00% of zone z (camera rail-01, frame 4)"), raised);
        Alert avro = raised.toAvro("baseline-1");
        assertEquals("baseline-1", avro.getModelVersion());
        assertEquals(Instant.ofEpochMilli(4000), avro.getCaptureTime());
        assertEquals(io.segstream.schemas.AlertState.RAISED, avro.getState());
        assertEquals(raised.alertId(), avro.getAlertId());
        assertNull(avro.getBbox());
    }

    @Test
    void replayingTheSameFramesGivesTheSameEventsAlsoAcrossARestoredState() throws Exception {
        AlertRules rules = AlertRules.builtIn("railway");
        List<FrameFractions> frames = new ArrayList<>();
        for (int seq = 0; seq < 120; seq++) {
            float person = (seq / 15) % 2 == 0 ? 0.01f : 0f;        // 15 frames with a person, 15 without
            float vegetation = seq >= 40 && seq < 90 ? 0.2f : 0.05f;
            frames.add(new FrameFractions("cab-1", seq, 1_000L * seq, Map.of(), Map.of(
                    "track-corridor", Map.of("person", person),
                    "clearance-envelope", Map.of("vegetation", vegetation),
                    "track-bed", Map.of()), BoxFinder.NONE));
        }
        List<AlertEvent> first = runAll(new AlertEngine(rules), frames, 0, frames.size(), new HashMap<>());
        List<AlertEvent> second = runAll(new AlertEngine(rules), frames, 0, frames.size(), new HashMap<>());
        assertEquals(first, second);
        assertEquals(List.of(
                // persons at 0..14, 30..44, 60..74, 90..104; the 25-frame cooldown after each clear swallows
                // the second and the fourth
                "person-in-corridor RAISED@2", "person-in-corridor CLEARED@24",
                "vegetation-in-clearance RAISED@59", "person-in-corridor RAISED@62",
                "person-in-corridor CLEARED@84"),
                first.stream().map(e -> e.ruleId() + " " + e.state() + "@" + e.seq()).toList());

        Map<String, RuleState> states = new HashMap<>();
        List<AlertEvent> resumed = new ArrayList<>(runAll(new AlertEngine(rules), frames, 0, 50, states));
        Map<String, RuleState> restored = javaRoundTrip(states);
        resumed.addAll(runAll(new AlertEngine(rules), frames, 50, frames.size(), restored));
        assertEquals(first, resumed);
    }

    @Test
    void boxesComeFromTheMaskWhenAnEventHappens() {
        LabelSet rail = LabelSet.named("rail-20");
        int person = rail.classNames().indexOf("person");
        byte[] classIds = new byte[16];
        classIds[5] = (byte) person;    // (1,1) inside the middle square
        classIds[10] = (byte) person;   // (2,2) inside
        classIds[0] = (byte) person;    // (0,0) outside
        Map<String, Polygon> zones = Map.of("z", Polygon.of(0.25, 0.25, 0.75, 0.25, 0.75, 0.75, 0.25, 0.75));
        BoxFinder boxes = new MaskBoxFinder(classIds, 4, 4, rail, zones, new ZoneMasks());
        FrameFractions frame = new FrameFractions(CAMERA, 0, 0, Map.of("person", 3 / 16f),
                Map.of("z", Map.of("person", 0.5f)), boxes);
        AlertEvent raised = AlertEngine.step(rule(1, 1, 0, 1, 0), null, frame).event();
        assertEquals(new NormalisedBox(0.25f, 0.25f, 0.75f, 0.75f), raised.bbox());

        AlertRule wholeFrame = new AlertRule("person-anywhere", null, Severity.INFO, List.of("person"), null, 0.1,
                new AlertRule.Debounce(1, 1), new AlertRule.Clear(0.1, 0, 1), 0, List.of());
        AlertEvent anywhere = AlertEngine.step(wholeFrame, null, frame).event();
        assertEquals(new NormalisedBox(0f, 0f, 0.75f, 0.75f), anywhere.bbox());
        assertEquals(3 / 16f, anywhere.areaFraction());
        assertNull(anywhere.zoneId());
    }

    @Test
    void onFrameRunsTheCamerasRulesOnly() throws Exception {
        AlertRules rules = AlertRules.parse("""
                label_set: rail-20
                groups: {yard: ["yard-*"]}
                zones:
                  siding: {groups: {yard: [[0, 0], [1, 0], [1, 1], [0, 1]]}}
                rules:
                  - {id: car-anywhere, severity: INFO, classes: [car], min_fraction: 0.1,
                     debounce: {at_least: 1, of: 1}}
                  - {id: train-on-siding, severity: WARNING, classes: [train], zone: siding, min_fraction: 0.1,
                     debounce: {at_least: 1, of: 1}}
                """, "inline");
        AlertEngine engine = new AlertEngine(rules);
        Map<String, Map<String, Float>> siding = Map.of("siding", Map.of("train", 0.5f));
        Map<String, RuleState> yard = new HashMap<>();
        List<AlertEvent> yardEvents = engine.onFrame(
                new FrameFractions("yard-1", 0, 0, Map.of("car", 0.2f), siding, BoxFinder.NONE), yard);
        assertEquals(List.of("car-anywhere", "train-on-siding"), yardEvents.stream().map(AlertEvent::ruleId).toList());
        assertEquals(2, yard.size());
        Map<String, RuleState> line = new HashMap<>();
        List<AlertEvent> lineEvents = engine.onFrame(
                new FrameFractions("rail-1", 0, 0, Map.of("car", 0.2f), siding, BoxFinder.NONE), line);
        assertEquals(List.of("car-anywhere"), lineEvents.stream().map(AlertEvent::ruleId).toList());
        assertEquals(List.of("car-anywhere"), List.copyOf(line.keySet()));
    }

    private static List<AlertEvent> runAll(AlertEngine engine, List<FrameFractions> frames, int from, int to,
            Map<String, RuleState> states) {
        List<AlertEvent> events = new ArrayList<>();
        for (FrameFractions f : frames.subList(from, to)) {
            events.addAll(engine.onFrame(f, states));
        }
        return events;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, RuleState> javaRoundTrip(Map<String, RuleState> states) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new HashMap<>(states));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Map<String, RuleState>) in.readObject();
        }
    }
}
