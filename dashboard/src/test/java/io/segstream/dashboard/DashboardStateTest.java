package io.segstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.schemas.AlertState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DashboardStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<DashboardEvent> events = new ArrayList<>();
    private final DashboardState state = new DashboardState(3, () -> 5_000L);

    DashboardStateTest() {
        state.addListener(events::add);
    }

    @Test
    void eachCameraKeepsItsNewestFramesWithTheirMasksAndCountsTheRest() {
        for (long seq = 0; seq < 5; seq++) {
            state.onFrame(Records.frame("cam-a", seq, false));
            state.onMask(Records.mask("cam-a", seq, false));
        }
        assertEquals(2, state.counters().get("framesEvicted"), "5 pairs, 3 kept");
        assertEquals(4, state.pair("cam-a", null).orElseThrow().mask().getSeq(), "the newest pair");
        assertEquals(2, state.pair("cam-a", 2L).orElseThrow().frame().getSeq(), "a kept seq");
        assertEquals(4, state.pair("cam-a", 1L).orElseThrow().frame().getSeq(), "an evicted seq: the newest");
        assertTrue(state.pair("cam-b", null).isEmpty());
        assertEquals(5, events.size(), "one camera event per mask");
        assertTrue(events.stream().allMatch(e -> e.type().equals("camera")));
    }

    @Test
    void framesWaitForTheirMasksAndThoseTheJobSkippedAreCounted() {
        for (long seq = 0; seq < 10; seq++) {
            state.onFrame(Records.frame("cam-a", seq, false));
        }
        // masks come a checkpoint later; 3..5 were skipped as stale
        state.onMask(Records.mask("cam-a", 2, false));
        state.onMask(Records.mask("cam-a", 6, false));
        assertEquals(5, state.counters().get("framesWithoutMask"), "0, 1 and 3..5");
        assertEquals(6, state.pair("cam-a", null).orElseThrow().frame().getSeq());
        assertEquals(2, state.pair("cam-a", 2L).orElseThrow().frame().getSeq());
        for (long seq = 10; seq < 10 + DashboardState.WAITING_FRAMES; seq++) {
            state.onFrame(Records.frame("cam-a", seq, false));
        }
        assertEquals(3, state.counters().get("framesEvicted"), "7..9 pushed out of the waiting room");
    }

    @Test
    void anAlertThatArrivesBeforeItsMaskGetsItsFrameWhenTheMaskComes() {
        state.onFrame(Records.frame("cam-a", 11, true));
        state.onAlert(Records.alert("cam-a", 11, "person-in-corridor", AlertState.RAISED));
        String id = "cam-a:person-in-corridor:11";
        assertTrue(state.raisingPair(id).isEmpty());
        assertEquals(1, state.counters().get("alertsWithoutFrame"));
        state.onMask(Records.mask("cam-a", 11, true));
        assertEquals(11, state.raisingPair(id).orElseThrow().mask().getSeq());
        assertEquals(0, state.counters().get("alertsWithoutFrame"), "taken back");
        assertEquals(List.of("alert", "alert-frame", "camera"), events.stream().map(DashboardEvent::type).toList());
        assertEquals("{\"alertId\":\"" + id + "\"}", events.get(1).json());
    }

    @Test
    void aTileCarriesTheFiguresThePageShows() throws Exception {
        state.onFrame(Records.frame("cam-a", 0, false));
        state.onFrame(Records.frame("cam-a", 1, true));
        state.onMask(Records.mask("cam-a", 1, true));
        JsonNode event = JSON.readTree(events.get(0).json());
        assertEquals(2, event.get("counters").get("frames").asLong(), "the counters ride along");
        JsonNode tile = event.get("tile");
        assertEquals("cam-a", tile.get("camera").asText());
        assertEquals(1, tile.get("seq").asLong());
        assertEquals(4.0, tile.get("fps").asDouble(), 1e-9, "two frames 250 ms apart");
        assertEquals(42.0, tile.get("latencyMs").asDouble(), 1e-9);
        assertEquals("colour:1", tile.get("model").asText());
        assertEquals(0.5, tile.get("miou").asDouble(), 1e-6);
        assertEquals(0.0625, tile.get("classFractions").get("person").asDouble(), 1e-6);
        assertTrue(tile.get("hasFrame").asBoolean());
        assertEquals(5_000L, tile.get("serverTime").asLong());
    }

    @Test
    void aMaskWhoseFrameIsGoneIsCounted() {
        state.onMask(Records.mask("cam-a", 9, false));
        assertEquals(1, state.counters().get("masksWithoutFrame"));
        assertTrue(state.pair("cam-a", null).isEmpty(), "nothing to draw without the frame");
    }

    @Test
    void aRaiseIsActiveWithItsFrameUntilItsClearAndBothEnterTheTimeline() throws Exception {
        state.onFrame(Records.frame("cam-a", 11, true));
        state.onMask(Records.mask("cam-a", 11, true));
        state.onAlert(Records.alert("cam-a", 11, "person-in-corridor", AlertState.RAISED));
        String id = "cam-a:person-in-corridor:11";
        assertEquals(List.of(id), state.activeAlertIds());
        assertEquals(List.of("person-in-corridor"), state.activeRules("cam-a"));
        assertEquals(11, state.raisingPair(id).orElseThrow().frame().getSeq(), "the raising frame is pinned");

        state.onAlert(Records.clear("cam-a", 11, 22, "person-in-corridor"));
        assertEquals(List.of(), state.activeAlertIds());
        assertTrue(state.raisingPair(id).isEmpty(), "a cleared alert lets its frame go");

        JsonNode snapshot = JSON.readTree(state.snapshot().json());
        JsonNode timeline = snapshot.get("timelines").get("cam-a");
        assertEquals(2, timeline.size());
        assertEquals("RAISED", timeline.get(0).get("state").asText());
        assertEquals(11, timeline.get(0).get("seq").asLong());
        assertEquals("CLEARED", timeline.get(1).get("state").asText());
        assertEquals(22, timeline.get(1).get("seq").asLong());
        assertEquals(0, snapshot.get("activeAlerts").size());
        JsonNode raise = JSON.readTree(events.get(1).json()).get("alert");
        assertEquals("alert", events.get(1).type());
        assertEquals(0.25, raise.get("areaFraction").asDouble(), 1e-6);
        assertEquals("corridor", raise.get("zone").asText());
        assertTrue(raise.get("thumbnail").asBoolean());
    }

    @Test
    void aRepeatedAlertFromTheFastPathChangesNothing() {
        state.onAlert(Records.alert("cam-a", 11, "person-in-corridor", AlertState.RAISED));
        state.onAlert(Records.alert("cam-a", 11, "person-in-corridor", AlertState.RAISED));
        assertEquals(1, events.size());
        assertEquals(1, state.counters().get("alertsRepeated"));
        assertEquals(1, state.counters().get("alertsWithoutFrame"), "no frame of seq 11 arrived");
    }

    @Test
    void systemAlertsAndDeadLettersAreSystemEventsNotCameraAlerts() throws Exception {
        state.onAlert(Records.alert("cam-a", 3, "system.model-release-rejected", AlertState.RAISED));
        state.onDeadLetter(Records.deadLetter("camera cam-a seq 7: the JPEG frame is truncated"));
        assertEquals(List.of(), state.activeAlertIds());
        JsonNode system = JSON.readTree(state.snapshot().json()).get("systemEvents");
        assertEquals(2, system.size());
        assertEquals("model-release-rejected", system.get(0).get("kind").asText());
        assertEquals("dead-letter", system.get(1).get("kind").asText());
        assertEquals("image", system.get(1).get("stage").asText());
        assertEquals("segstream.frames/0@7", system.get(1).get("source").asText());
        assertEquals(List.of("system", "system"), events.stream().map(DashboardEvent::type).toList());
    }

    @Test
    void aReconnectGetsExactlyTheEventsItMissedWhileTheyAreKept() {
        for (long seq = 0; seq < 4; seq++) {
            state.onMask(Records.mask("cam-a", seq, false));
        }
        assertEquals(4, state.lastEventId());
        assertEquals(List.of(3L, 4L), state.eventsAfter(2).orElseThrow().stream().map(DashboardEvent::id).toList());
        assertEquals(List.of(), state.eventsAfter(4).orElseThrow(), "up to date");
        assertEquals(Optional.empty(), state.eventsAfter(5), "an id this server never gave: a snapshot is needed");
        assertEquals(4, state.snapshot().id(), "a snapshot stands for every event up to the newest");

        for (long seq = 4; seq < 4 + DashboardState.REPLAYABLE_EVENTS; seq++) {
            state.onMask(Records.mask("cam-a", seq, false));
        }
        assertEquals(4, state.counters().get("eventsEvicted"));
        assertEquals(Optional.empty(), state.eventsAfter(2), "events 3 and 4 are gone");
        assertEquals(DashboardState.REPLAYABLE_EVENTS, state.eventsAfter(4).orElseThrow().size(), "5.. are all kept");
    }

    @Test
    void aCameraThatStartsAgainAtSeqZeroIsNotEvictedByItsOldFrames() {
        for (long seq = 100; seq < 103; seq++) {
            state.onFrame(Records.frame("cam-a", seq, false));
        }
        state.onFrame(Records.frame("cam-a", 0, false));
        state.onMask(Records.mask("cam-a", 0, false));
        assertEquals(0, state.pair("cam-a", null).orElseThrow().frame().getSeq());
        assertEquals(1, state.counters().get("cameraRestarts"));
        assertEquals(3, state.counters().get("framesEvicted"), "the old frames are counted as let go");
    }

    @Test
    void atLeastOneFrameMustBeKept() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DashboardState(0,
                () -> 0L));
        assertEquals("framesPerCamera must be at least 1, got 0", e.getMessage());
    }
}
