package io.segstream.inference.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.RuleState;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.BoundingBox;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRef;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.Severity;
import io.segstream.schemas.StageTimings;
import io.segstream.schemas.ZoneFractions;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The alert operator in Flink's keyed operator test harness, with real keyed state and snapshots. */
class AlertFunctionTest {
    private static final LabelSet RAIL = LabelSet.named("rail-20");
    private static final int SIZE = 8;
    private static final String RULES = """
            label_set: rail-20
            zones:
              corridor:
                default: [[0.25, 0.25], [0.75, 0.25], [0.75, 1.0], [0.25, 1.0]]
            rules:
              - id: person-in-corridor
                title: Person in the corridor
                severity: CRITICAL
                classes: [person]
                zone: corridor
                min_fraction: 0.05
                debounce: {at_least: 2, of: 3}
                clear: {fraction: 0.02, at_most: 0, of: 3}
                cooldown_frames: 3
              - id: train-anywhere
                severity: INFO
                classes: [train]
                min_fraction: 0.25
                debounce: {at_least: 1, of: 1}
            """;

    private static AlertRules rules;

    @BeforeAll
    static void loadRules() throws Exception {
        rules = AlertRules.parse(RULES, "inline rules");
    }

    /**
     * An 8x8 mask; the corridor is x 2..5, y 2..7 (24 pixels). {@code persons} person pixels fill row 4 from
     * x = 2 (up to 4 in the corridor, then they spill to the right of it); {@code trainRows} rows of train
     * from the top.
     */
    private static SegmentationMask mask(String camera, long seq, int persons, int trainRows) {
        int person = RAIL.classNames().indexOf("person");
        int train = RAIL.classNames().indexOf("train");
        byte[] pixels = new byte[SIZE * SIZE];
        for (int i = 0; i < persons; i++) {
            pixels[4 * SIZE + 2 + i] = (byte) person;
        }
        for (int i = 0; i < trainRows * SIZE; i++) {
            pixels[i] = (byte) train;
        }
        int inCorridor = Math.min(persons, 4);
        return SegmentationMask.newBuilder()
                .setCameraId(camera)
                .setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + 40 * seq))
                .setModel(new ModelRef("baseline", "v3", ""))
                .setLabelSet("rail-20")
                .setWidth(SIZE)
                .setHeight(SIZE)
                .setMaskEncoding(MaskEncoding.PNG_CLASS_IDS)
                .setMask(ByteBuffer.wrap(LabelPng.encode8(LabelImage.of8(SIZE, SIZE, pixels))))
                .setClassFractions(Map.of("person", persons / 64f, "train", trainRows * SIZE / 64f))
                .setZoneFractions(List.of(new ZoneFractions("corridor", Map.of("person", inCorridor / 24f))))
                .setTimings(new StageTimings(0f, 0f, 0f, 0f, 0f))
                .build();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SegmentationMask, Alert> harness()
            throws Exception {
        // serialised and back, as Flink ships the function to its task managers
        AlertFunction shipped = InstantiationUtil.clone(new AlertFunction(rules));
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(shipped), AlertFunction.BY_CAMERA, Types.STRING);
    }

    private static List<String> summary(List<Alert> alerts) {
        return alerts.stream().map(a -> a.getCameraId() + " " + a.getRuleId() + " " + a.getState() + "@" + a.getSeq())
                .toList();
    }

    /** Persons per frame for cam-a: 2 persons = 8.3 % of the corridor (counts), 1 = 4.2 % (still shows), 0. */
    private static final int[] PERSONS = {0, 2, 0, 2, 1, 1, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0};

    private static List<SegmentationMask> stream() {
        List<SegmentationMask> masks = new ArrayList<>();
        for (int seq = 0; seq < PERSONS.length; seq++) {
            masks.add(mask("cam-a", seq, PERSONS[seq], 0));
            masks.add(mask("cam-b", seq, 2, seq == 5 ? 3 : 0));
        }
        return masks;
    }

    @Test
    void debounceRaiseClearAndCooldownPerCamera() throws Exception {
        try (var h = harness()) {
            h.open();
            for (SegmentationMask m : stream()) {
                h.processElement(m, m.getCaptureTime().toEpochMilli());
            }
            // cam-a: 2 of 3 counting at seq 3 (1 and 3) -> raise; 4, 5 still show (>= 2 %); the window 6..8 is
            // clean -> clear at 8; cooldown 3 blocks 9..11 although 9, 10 count; 12's window 10..12 -> raise;
            // 13..15 clean -> clear at 15.
            // cam-b: persons in every frame -> raise at 1; a train covering 3 of 8 rows at 5 -> one INFO raise,
            // cleared at 6 (1 of 1 window with no train).
            assertEquals(List.of(
                    "cam-b person-in-corridor RAISED@1",
                    "cam-a person-in-corridor RAISED@3",
                    "cam-b train-anywhere RAISED@5",
                    "cam-b train-anywhere CLEARED@6",
                    "cam-a person-in-corridor CLEARED@8",
                    "cam-a person-in-corridor RAISED@12",
                    "cam-a person-in-corridor CLEARED@15"), summary(h.extractOutputValues()));
            assertEquals(2, h.numKeyedStateEntries(), "one map of rule states per camera");
        }
    }

    @Test
    void alertsCarryDeterministicIdsBoxesAndTheMasksModel() throws Exception {
        try (var h = harness()) {
            h.open();
            for (SegmentationMask m : stream()) {
                h.processElement(m, m.getCaptureTime().toEpochMilli());
            }
            List<Alert> camA = h.extractOutputValues().stream().filter(a -> a.getCameraId().equals("cam-a")).toList();
            Alert raised = camA.get(0);
            Alert cleared = camA.get(1);
            assertEquals(AlertEngine.alertId("cam-a", 3, "person-in-corridor"), raised.getAlertId());
            assertEquals(raised.getAlertId(), cleared.getAlertId());
            assertEquals(AlertEngine.alertId("cam-a", 12, "person-in-corridor"), camA.get(2).getAlertId());
            assertEquals(Severity.CRITICAL, raised.getSeverity());
            assertEquals(AlertState.CLEARED, cleared.getState());
            assertEquals("corridor", raised.getZoneId());
            assertEquals(2 / 24f, raised.getAreaFraction());
            assertEquals("v3", raised.getModelVersion());
            assertEquals(Instant.ofEpochMilli(1_700_000_000_000L + 40 * 3), raised.getCaptureTime());
            // the two person pixels at (2,4) and (3,4) of the 8x8 mask
            assertEquals(new BoundingBox(0.25f, 0.5f, 0.5f, 0.625f), raised.getBbox());
            assertNull(cleared.getBbox(), "no person pixel in the clearing frame");
            assertEquals("Person in the corridor: person covers 8.33% of zone corridor (camera cam-a, frame 3)",
                    raised.getMessage());
        }
    }

    @Test
    void stateRestoredFromAMidStreamSnapshotGivesTheSameAlerts() throws Exception {
        List<SegmentationMask> masks = stream();
        // cut inside cam-a's open alert (raised at 3, cleared at 8) and within cam-b's train alert
        int cut = 2 * 6;
        List<Alert> uninterruptedTail;
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            for (SegmentationMask m : masks.subList(0, cut)) {
                h.processElement(m, m.getCaptureTime().toEpochMilli());
            }
            snapshot = h.snapshot(1L, 1L);
            int before = h.extractOutputValues().size();
            for (SegmentationMask m : masks.subList(cut, masks.size())) {
                h.processElement(m, m.getCaptureTime().toEpochMilli());
            }
            List<Alert> all = h.extractOutputValues();
            uninterruptedTail = all.subList(before, all.size());
        }
        List<Alert> restoredTail;
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            for (SegmentationMask m : masks.subList(cut, masks.size())) {
                h.processElement(m, m.getCaptureTime().toEpochMilli());
            }
            restoredTail = h.extractOutputValues();
        }
        assertEquals(List.of(
                "cam-b train-anywhere CLEARED@6",
                "cam-a person-in-corridor CLEARED@8",
                "cam-a person-in-corridor RAISED@12",
                "cam-a person-in-corridor CLEARED@15"), summary(restoredTail));
        assertEquals(uninterruptedTail, restoredTail, "whole Avro records, ids included");
    }

    @Test
    void lateFramesChangeNothing() throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(mask("cam-a", 10, 2, 0), 0);
            h.processElement(mask("cam-a", 11, 2, 0), 0);
            h.processElement(mask("cam-a", 9, 2, 0), 0);
            h.processElement(mask("cam-a", 11, 0, 4), 0);
            assertEquals(List.of("cam-a person-in-corridor RAISED@11"), summary(h.extractOutputValues()));
        }
    }

    @Test
    void ruleStateIsAFlinkPojoNotAKryoBlob() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(RuleState.class));
    }
}
