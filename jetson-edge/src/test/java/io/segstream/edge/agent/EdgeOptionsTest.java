package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The edge file's keys for the alert hook and tegrastats, read from a map as the YAML parser gives it. */
class EdgeOptionsTest {
    private static Map<String, Object> file(Map<String, Object> extra) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bootstrap", "kafka:9092");
        m.put("spool", "spool");
        m.put("cameras", List.of(Map.of("id", "c1", "path", "drive.mp4")));
        m.putAll(extra);
        return m;
    }

    @Test
    void theAlertHookAndTegrastatsAreRead() throws Exception {
        EdgeOptions o = EdgeOptions.fromMap(file(Map.of("alert-hook", "cat >> alerts.jsonl", "alert-hook-timeout",
                "2.5s", "tegrastats", "off")), "edge.yaml", Path.of("/etc/segstream"));
        assertEquals("cat >> alerts.jsonl", o.alertHook().command());
        assertEquals(Duration.ofMillis(2500), o.alertHook().timeout());
        assertEquals(AlertHookOptions.DEFAULT_QUEUE, o.alertHook().queueSize());
        assertEquals("off", o.tegrastats());
    }

    @Test
    void withoutThemThereIsNoHookAndTegrastatsIsLookedFor() throws Exception {
        EdgeOptions o = EdgeOptions.fromMap(file(Map.of()), "edge.yaml", Path.of("/etc/segstream"));
        assertNull(o.alertHook());
        assertEquals("auto", o.tegrastats());
    }

    @Test
    void aHookTimeoutWithoutAHookIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EdgeOptions.fromMap(
                file(Map.of("alert-hook-timeout", "5s")), "edge.yaml", Path.of("/etc/segstream")));
        assertEquals("edge.yaml: 'alert-hook-timeout' needs 'alert-hook', the command to run", e.getMessage());
    }

    @Test
    void aBadHookTimeoutNamesTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EdgeOptions.fromMap(
                file(Map.of("alert-hook", "true", "alert-hook-timeout", "soon")), "edge.yaml",
                Path.of("/etc/segstream")));
        assertEquals("edge.yaml: alert-hook-timeout 'soon' is not a duration; use e.g. 10s", e.getMessage());
    }
}
