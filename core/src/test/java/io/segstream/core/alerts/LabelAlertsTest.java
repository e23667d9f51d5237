package io.segstream.core.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.core.imaging.LabelImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelAlertsTest {
    private static final int ROAD = 7;
    private static final int RAIL_TRACK = 10;
    private static final int PERSON = 24;

    /** A 4x2 frame: the zone "left" holds columns 0 and 1 (4 pixels). */
    private static final String RULES = """
            label_set: rail-20
            zones:
              left:
                default: [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]
            rules:
              - id: person-left
                severity: CRITICAL
                classes: [person]
                zone: left
                min_fraction: 0.5
                debounce: {at_least: 2, of: 2}
                clear: {fraction: 0.25, at_most: 1, of: 2}
                cooldown_frames: 0
              - id: track-in-frame
                severity: INFO
                classes: [rail track]
                min_fraction: 0.5
                debounce: {at_least: 1, of: 1}
                clear: {fraction: 0.5, at_most: 0, of: 1}
                cooldown_frames: 0
            """;

    /** Rows of 4 label ids each. */
    private static LabelImage frame(int... ids) {
        return new LabelImage(4, 2, ids);
    }

    @Test
    void groundTruthLabelsRaiseAndClearAsTheJobsMasksWould() throws Exception {
        LabelAlerts alerts = new LabelAlerts(AlertRules.parse(RULES, "test.yaml"));
        List<LabelImage> frames = List.of(
                // two of the zone's four pixels are person: 0.5 counts
                frame(PERSON, PERSON, ROAD, ROAD,
                      ROAD, ROAD, ROAD, ROAD),
                frame(PERSON, ROAD, ROAD, ROAD,
                      PERSON, ROAD, ROAD, ROAD),
                // one person pixel (0.25) keeps the alert (2 of the last 2 frames reach 0.25); rail track covers half
                // the frame
                frame(PERSON, ROAD, RAIL_TRACK, RAIL_TRACK,
                      ROAD, ROAD, RAIL_TRACK, RAIL_TRACK),
                // people right of the zone count for nothing: 1 of the last 2 reaches 0.25, both clear
                frame(ROAD, ROAD, PERSON, PERSON,
                      ROAD, ROAD, PERSON, PERSON));
        List<String> events = new ArrayList<>();
        for (int seq = 0; seq < frames.size(); seq++) {
            alerts.onFrame("cam-1", seq, 1000L * seq, frames.get(seq))
                    .forEach(e -> events.add(e.ruleId() + " " + e.state() + "@" + e.seq()));
        }
        assertEquals(List.of("person-left RAISED@1", "track-in-frame RAISED@2", "person-left CLEARED@3",
                "track-in-frame CLEARED@3"), events);
        assertEquals(List.of(new AlertEpisode("cam-1", "person-left", 1, 3),
                new AlertEpisode("cam-1", "track-in-frame", 2, 3)), alerts.timeline().episodes());
        assertEquals(Map.of("cam-1", 3L), alerts.timeline().lastSeqs());
    }
}
