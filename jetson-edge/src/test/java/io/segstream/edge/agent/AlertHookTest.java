package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.BoundingBox;
import io.segstream.schemas.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The site's alert hook with real commands run by {@code sh -c}: what they get, and what happens when they fail. */
class AlertHookTest {
    @TempDir
    Path dir;

    private static Alert alert(int seq, AlertState state) {
        return Alert.newBuilder().setAlertId("cam-1/" + seq + "/person-in-corridor").setCameraId("cam-1").setSeq(seq)
                .setRuleId("person-in-corridor").setSeverity(Severity.CRITICAL).setState(state)
                .setClasses(List.of("person")).setZoneId("track-corridor").setAreaFraction(0.125f)
                .setBbox(new BoundingBox(0.25f, 0.5f, 0.75f, 1.0f)).setModelVersion("3")
                .setCaptureTime(Instant.parse("2026-12-06T08:00:00Z").plusMillis(seq * 100L))
                .setMessage("Person in the track corridor.").build();
    }

    @Test
    void eachAlertIsOneJsonLineOnTheCommandsStdin() throws Exception {
        Path out = dir.resolve("alerts.jsonl");
        try (AlertHook hook = AlertHook.start(new AlertHookOptions("cat >> '" + out + "'"))) {
            assertTrue(hook.offer(alert(7, AlertState.RAISED)));
            assertTrue(hook.offer(alert(9, AlertState.CLEARED)));
            hook.close();
            assertEquals(2, hook.delivered());
            assertEquals(0, hook.failed());
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size(), "one line per alert: " + lines);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("cam-1/7/person-in-corridor", first.get("alert_id").asText());
        assertEquals("cam-1", first.get("camera_id").asText());
        assertEquals(7, first.get("seq").asLong());
        assertEquals("RAISED", first.get("state").asText());
        assertEquals("CRITICAL", first.get("severity").asText());
        assertEquals("person", first.get("classes").get(0).asText());
        assertEquals(0.125, first.get("area_fraction").asDouble());
        assertEquals(0.75, first.get("bbox").get("x_max").asDouble());
        assertEquals("2026-12-06T08:00:00.700Z", first.get("capture_time").asText());
        assertEquals("Person in the track corridor.", first.get("message").asText());
        assertEquals("CLEARED", new ObjectMapper().readTree(lines.get(1)).get("state").asText());
    }

    @Test
    void theCommandGetsTheAlertInItsEnvironment() throws Exception {
        Path out = dir.resolve("env.txt");
        try (AlertHook hook = AlertHook.start(new AlertHookOptions(
                "echo \"$SEGSTREAM_ALERT_ID $SEGSTREAM_CAMERA $SEGSTREAM_STATE $SEGSTREAM_SEVERITY $SEGSTREAM_RULE\" >> '"
                        + out + "'"))) {
            hook.offer(alert(3, AlertState.RAISED));
        }
        assertEquals(List.of("cam-1/3/person-in-corridor cam-1 RAISED CRITICAL person-in-corridor"),
                Files.readAllLines(out));
    }

    @Test
    void failingAndHangingCommandsAreCountedAndTheNextAlertsStillRun() throws Exception {
        Path out = dir.resolve("after.jsonl");
        // the first alert's run exits 3, the second's hangs past the timeout, the third's succeeds
        Path script = Files.writeString(dir.resolve("hook.sh"), """
                line=$(cat)
                case "$SEGSTREAM_ALERT_ID" in
                  cam-1/1/*) exit 3 ;;
                  cam-1/2/*) sleep 30 ;;
                  *) echo "$line" >> '%s' ;;
                esac
                """.formatted(out));
        try (AlertHook hook = AlertHook.start(new AlertHookOptions("sh '" + script + "'", Duration.ofMillis(500),
                10))) {
            hook.offer(alert(1, AlertState.RAISED));
            hook.offer(alert(2, AlertState.RAISED));
            hook.offer(alert(4, AlertState.RAISED));
            hook.close(Duration.ofSeconds(20));
            assertEquals(2, hook.failed(), "exit status 3 and a run past its timeout");
            assertEquals(1, hook.delivered());
            assertEquals(0, hook.dropped());
        }
        assertEquals(1, Files.readAllLines(out).size());
    }

    @Test
    void aFullQueueDropsAlertsInsteadOfBlockingTheCaller() throws Exception {
        Path gate = dir.resolve("gate");
        Path out = dir.resolve("gated.jsonl");
        // the command waits for the gate file, so at most one alert runs and one waits in a queue of one
        String command = "while [ ! -f '" + gate + "' ]; do sleep 0.05; done; cat >> '" + out + "'";
        int offered = 6;
        try (AlertHook hook = AlertHook.start(new AlertHookOptions(command, Duration.ofSeconds(30), 1))) {
            int accepted = 0;
            for (int i = 0; i < offered; i++) {
                accepted += hook.offer(alert(i, AlertState.RAISED)) ? 1 : 0;
            }
            assertTrue(accepted <= 2, "one running, one queued: " + accepted);
            assertEquals(offered - accepted, hook.dropped());
            Files.createFile(gate);
            hook.close(Duration.ofSeconds(20));
            assertEquals(accepted, hook.delivered());
            assertEquals(accepted, Files.readAllLines(out).size());
        }
    }

    @Test
    void aBlankCommandIsRefusedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AlertHookOptions(" "));
        assertEquals("alert-hook needs a command, e.g. alert-hook: cat >> alerts.jsonl", e.getMessage());
    }
}
