package io.segstream.dashboard.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.Severity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Webhook delivery against a real HTTP server (the JDK's) that fails when the test says so. */
class AlertForwarderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private HttpServer server;
    /** Every request the endpoint got: idempotency key and the status it answered. */
    private final List<String[]> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> attemptsByKey = new ConcurrentHashMap<>();
    private final List<JsonNode> accepted = Collections.synchronizedList(new ArrayList<>());

    /** Starts the endpoint; {@code status} gives the answer to attempt n (1, 2, ...) of a key. */
    private String endpoint(Function<Integer, Integer> status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = status.apply(attemptsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet());
            requests.add(new String[] {key, String.valueOf(answer)});
            if (answer / 100 == 2) {
                accepted.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private AlertSinksConfig config(String url, int maxAttempts) {
        return AlertSinksConfig.parse("""
                journal: sinks.journal
                webhooks:
                  - url: %s
                    max_attempts: %d
                    backoff_ms: 10
                    max_backoff_ms: 40
                    headers: {Authorization: "Bearer t0ken"}
                    dead_letter_log: dead-letters.jsonl
                """.formatted(url, maxAttempts), "test sinks", dir);
    }

    @Test
    void anEndpointThatFailsTheFirstAttemptsGetsEachAlertExactlyOnce() throws Exception {
        String url = endpoint(attempt -> attempt <= 2 ? 503 : 200);
        try (AlertForwarder f = AlertForwarder.start(config(url, 5))) {
            f.accept(alert("cam-a:person:11", AlertState.RAISED), false);
            f.accept(alert("cam-b:person:40", AlertState.RAISED), false);
            // the fast delivery path repeats an alert after a failover; a clear is not wanted by default
            f.accept(alert("cam-a:person:11", AlertState.RAISED), false);
            f.accept(alert("cam-a:person:11", AlertState.CLEARED), false);
            await(f, c -> c.get("delivered") == 2 && c.get("alreadyDone") == 1 && c.get("notWanted") == 1);
            assertEquals(4, f.counters().get("retries"), "two failed attempts before each success");
            assertEquals(0, f.counters().get("deadLettered"));
        }
        Map<String, Long> successes = accepted.stream().collect(Collectors.groupingBy(
                j -> j.get("alertId").asText(), Collectors.counting()));
        assertEquals(Map.of("cam-a:person:11", 1L, "cam-b:person:40", 1L), successes, "one delivery per alert id");
        assertEquals(6, requests.size(), "3 attempts each");
        JsonNode body = accepted.get(0);
        assertEquals("cam-a:person:11", body.get("idempotencyKey").asText());
        assertEquals("RAISED", body.get("state").asText());
        assertEquals("CRITICAL", body.get("severity").asText());
        assertEquals("person-in-corridor", body.get("rule").asText());
        assertEquals(0.25, body.get("areaFraction").asDouble(), 1e-6);
        assertEquals("2023-11-14T22:13:20Z", body.get("captureTime").asText());

        // a restart reads the alerts topic again: the journal keeps it from sending anything twice
        try (AlertForwarder again = AlertForwarder.start(config(url, 5))) {
            again.accept(alert("cam-a:person:11", AlertState.RAISED), true);
            again.accept(alert("cam-b:person:40", AlertState.RAISED), true);
            await(again, c -> c.get("alreadyDone") == 2);
        }
        assertEquals(6, requests.size(), "nothing new on the wire");
    }

    @Test
    void anEndpointThatStaysDownSendsTheAlertToTheDeadLetterLogAfterTheLastAttempt() throws Exception {
        String url = endpoint(attempt -> 503);
        try (AlertForwarder f = AlertForwarder.start(config(url, 4))) {
            f.accept(alert("cam-a:person:11", AlertState.RAISED), false);
            await(f, c -> c.get("deadLettered") == 1);
            assertEquals(3, f.counters().get("retries"));
        }
        assertEquals(4, requests.size(), "max_attempts");
        List<String> lines = Files.readAllLines(dir.resolve("dead-letters.jsonl"));
        assertEquals(1, lines.size());
        JsonNode dead = JSON.readTree(lines.get(0));
        assertEquals("cam-a:person:11", dead.get("idempotencyKey").asText());
        assertEquals(4, dead.get("attempts").asInt());
        assertEquals("HTTP 503", dead.get("lastError").asText());
        assertEquals("cam-a", dead.get("alert").get("camera").asText());
        assertTrue(Files.readString(dir.resolve("sinks.journal")).contains(url + " cam-a:person:11\tdead-lettered"));
    }

    @Test
    void aRefusedRequestIsNotRetried() throws Exception {
        String url = endpoint(attempt -> 400);
        try (AlertForwarder f = AlertForwarder.start(config(url, 6))) {
            f.accept(alert("cam-a:person:11", AlertState.RAISED), false);
            await(f, c -> c.get("deadLettered") == 1);
            assertEquals(0, f.counters().get("retries"));
        }
        assertEquals(1, requests.size(), "a 400 will not change by asking again");
    }

    @Test
    void aNewSinkDoesNotSendWhatTheTopicHeldBeforeItsFirstStart() throws Exception {
        String url = endpoint(attempt -> 200);
        try (AlertForwarder f = AlertForwarder.start(config(url, 3))) {
            f.accept(alert("cam-a:person:1", AlertState.RAISED), true);
            f.accept(alert("cam-a:person:2", AlertState.RAISED), false);
            await(f, c -> c.get("delivered") == 1);
            assertEquals(1, f.counters().get("beforeFirstStart"));
        }
        assertEquals(List.of("cam-a:person:2"), accepted.stream().map(j -> j.get("alertId").asText()).toList());
        // on the next start an old alert missing from the journal was raised while the sink was down: it is sent
        try (AlertForwarder f = AlertForwarder.start(config(url, 3))) {
            f.accept(alert("cam-a:person:1", AlertState.RAISED), true);
            f.accept(alert("cam-a:person:3", AlertState.RAISED), true);
            await(f, c -> c.get("delivered") == 1 && c.get("alreadyDone") == 1);
        }
        assertEquals(List.of("cam-a:person:2", "cam-a:person:3"),
                accepted.stream().map(j -> j.get("alertId").asText()).toList());
    }

    @Test
    void aSinksFileWithMistakesNamesEachOfThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlertSinksConfig.parse("""
                webhooks:
                  - url: ftp://example
                    states: [RAISED, GONE]
                    max_attempts: 0
                    retries: 3
                """, "sinks.yaml", dir));
        assertEquals("sinks.yaml: 'journal' is missing: name a file where delivered alert ids are kept across"
                + " restarts, e.g. journal: alert-sinks.journal; webhook 1: unknown key 'retries'; known keys are url,"
                + " states, min_severity, timeout_ms, max_attempts, backoff_ms, max_backoff_ms, headers,"
                + " dead_letter_log; webhook 1: 'url' must be an http:// or https:// address, got 'ftp://example';"
                + " webhook 1: unknown state 'GONE'; use RAISED or CLEARED; webhook 1: 'max_attempts' must be a whole"
                + " number of at least 1, got 0; webhook 1: 'dead_letter_log' is missing: name a file for the alerts"
                + " that could not be delivered, e.g. dead_letter_log: webhook-dead-letters.jsonl", e.getMessage());
    }

    @Test
    void theBackoffDoublesUpToItsBound() {
        WebhookOptions w = config("http://127.0.0.1:1/hook", 6).webhooks().get(0);
        assertEquals(List.of(10L, 20L, 40L, 40L), List.of(2, 3, 4, 5).stream()
                .map(a -> w.waitBefore(a).toMillis()).toList());
    }

    private static void await(AlertForwarder f, java.util.function.Predicate<Map<String, Long>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!done.test(f.counters())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the forwarder did not get there: " + f.counters());
            }
            Thread.sleep(20);
        }
    }

    private static Alert alert(String id, AlertState state) {
        String[] parts = id.split(":");
        return Alert.newBuilder().setAlertId(id).setCameraId(parts[0]).setSeq(Long.parseLong(parts[2]))
                .setRuleId("person-in-corridor").setSeverity(Severity.CRITICAL).setState(state)
                .setClasses(List.of("person")).setZoneId("track-corridor").setAreaFraction(0.25f)
                .setModelVersion("colour:1").setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setMessage("person in the track corridor").build();
    }
}
