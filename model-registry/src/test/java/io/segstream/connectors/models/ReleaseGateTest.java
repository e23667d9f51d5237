package io.segstream.connectors.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.models.ReleaseGate.Decision;
import io.segstream.connectors.models.ReleaseGate.Scored;
import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.ModelRelease;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retrain release policy and the release-log rules it stands on, as pure logic. */
class ReleaseGateTest {
    private static final Scored SERVING = new Scored("fcn8:3", "rail-20", 0.40);

    private static Scored candidate(double miou) {
        return new Scored("fcn8:4", "rail-20", miou);
    }

    @Test
    void releasesOnlyWhatBeatsTheServingModelByMoreThanTheMargin() {
        ReleaseGate gate = new ReleaseGate(0.01, 0.0);
        Decision better = gate.decide(candidate(0.4125), Optional.of(SERVING));
        assertTrue(better.release());
        assertEquals("candidate fcn8:4 (validation mIoU 0.4125) beats the serving fcn8:3 (0.4000) by +0.0125, more"
                + " than the margin 0.0100", better.reason());
        Decision notEnough = gate.decide(candidate(0.405), Optional.of(SERVING));
        assertFalse(notEnough.release());
        assertEquals("candidate fcn8:4 (validation mIoU 0.4050) does not beat the serving fcn8:3 (0.4000) by more than"
                + " the margin 0.0100 (difference +0.0050)", notEnough.reason());
        assertFalse(new ReleaseGate(0.0, 0.0).decide(candidate(0.40), Optional.of(SERVING)).release(),
                "an equal score does not beat");
        Decision regression = new ReleaseGate(-0.02, 0.0).decide(candidate(0.39), Optional.of(SERVING));
        assertTrue(regression.release(), "a negative margin accepts a bounded regression");
        assertEquals("candidate fcn8:4 (validation mIoU 0.3900) trails the serving fcn8:3 (0.4000) by 0.0100, within"
                + " the accepted regression 0.0200", regression.reason());
        assertFalse(new ReleaseGate(-0.02, 0.0).decide(candidate(0.37), Optional.of(SERVING)).release());
    }

    @Test
    void aFirstReleaseNeedsOnlyTheFloorAndAScore() {
        ReleaseGate gate = new ReleaseGate(0.01, 0.2);
        Decision first = gate.decide(candidate(0.25), Optional.empty());
        assertTrue(first.release());
        assertEquals("candidate fcn8:4 (validation mIoU 0.2500) has no serving model to beat for its target",
                first.reason());
        Decision low = gate.decide(candidate(0.15), Optional.empty());
        assertFalse(low.release());
        assertEquals("candidate fcn8:4 has validation mIoU 0.1500, below the minimum 0.2000", low.reason());
        assertFalse(gate.decide(candidate(Double.NaN), Optional.empty()).release());
        assertFalse(new ReleaseGate(-0.5, 0.2).decide(candidate(0.15), Optional.of(SERVING)).release(),
                "the floor holds whatever the margin");
    }

    @Test
    void modelsOfDifferentLabelSetsDoNotCompare() {
        Decision d = new ReleaseGate(0.0, 0.0).decide(new Scored("fcn8:4", "cityscapes-19", 0.9), Optional.of(SERVING));
        assertFalse(d.release());
        assertTrue(d.reason().contains("label set cityscapes-19 but the serving fcn8:3 predicts rail-20"), d.reason());
        assertTrue(d.reason().contains("--label-set rail-20"), d.reason());
    }

    @Test
    void aMarginOrFloorOutOfRangeIsRefusedWithTheValue() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReleaseGate(1.5, 0)).getMessage()
                .contains("1.5"));
        assertThrows(IllegalArgumentException.class, () -> new ReleaseGate(Double.NaN, 0));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ReleaseGate(0, -0.1)).getMessage()
                .contains("-0.1"));
    }

    private static ModelRelease release(String name, String version, String target) {
        return ModelRelease.newBuilder().setName(name).setVersion(version).setArtifactUri("file:///m/" + name)
                .setSha256("ab".repeat(32)).setSizeBytes(1).setFormat(io.segstream.schemas.ModelFormat.ONNX).setInputWidth(8).setInputHeight(4)
                .setMean(List.of(0f, 0f, 0f)).setStd(List.of(1f, 1f, 1f)).setLabelSet("rail-20")
                .setMetrics(Map.of()).setTarget(target).setReleasedAt(java.time.Instant.EPOCH).build();
    }

    @Test
    void theServingReleaseIsTheNewestThatAppliesAndRollbacksCount() {
        List<ModelRelease> log = new ArrayList<>(List.of(release("fcn8", "1", "all"), release("fcn8", "2", "datacenter"),
                release("fcn8", "3", "edge"), release("fcn8", "1", "datacenter")));
        assertEquals(List.of("1", "2", "1"), ModelReleases.newestFirst(log, Set.of("datacenter")).stream()
                .map(ModelRelease::getVersion).toList());
        assertEquals(List.of("3", "1"), ModelReleases.newestFirst(log, Set.of("edge")).stream()
                .map(ModelRelease::getVersion).toList());
        assertTrue(ModelReleases.newestFirst(List.of(), Set.of("all")).isEmpty());
    }

    @Test
    void theNextVersionFollowsTheHighestNumberOfThatName() {
        List<ModelRelease> log = List.of(release("fcn8", "2", "all"), release("fcn8", "10", "edge"),
                release("fcn8", "2026-11-21", "all"), release("unet", "40", "all"));
        assertEquals("11", ModelReleases.nextVersion(log, "fcn8"));
        assertEquals("41", ModelReleases.nextVersion(log, "unet"));
        assertEquals("1", ModelReleases.nextVersion(log, "fastscnn"));
    }

    @Test
    void releasesAreKeyedByVersionAndTargetSoCompactionKeepsTheFallbacks() {
        RecordKey<ModelRelease> key = RecordKey.<ModelRelease>defaultFor(ModelRelease.getClassSchema()).orElseThrow();
        assertEquals("fcn8:3@datacenter",
                new String(key.keyOf(release("fcn8", "3", "datacenter")), StandardCharsets.UTF_8));
        assertFalse(Arrays.equals(key.keyOf(release("fcn8", "3", "datacenter")), key.keyOf(release("fcn8", "4",
                "datacenter"))), "two versions of a name keep two records");
        assertFalse(Arrays.equals(key.keyOf(release("fcn8", "3", "edge")), key.keyOf(release("fcn8", "3",
                "datacenter"))), "one version released to two targets keeps two records");
    }
}
