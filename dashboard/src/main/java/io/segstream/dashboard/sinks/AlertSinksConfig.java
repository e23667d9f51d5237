package io.segstream.dashboard.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.config.SafeYaml;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.Severity;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sinks file: the alert sinks besides Kafka and the journal that remembers what was delivered. Every problem of the
 * file is reported at once, each with its place and what to write instead.
 *
 * <pre>{@code
 * journal: /var/lib/segstream/alert-sinks.journal     # delivered alert ids survive restarts
 * webhooks:
 *   - url: https://ops.example/hooks/segstream
 *     states: [RAISED]              # RAISED (default) and/or CLEARED
 *     min_severity: WARNING         # INFO (default), WARNING, CRITICAL
 *     timeout_ms: 5000              # per attempt (default 5000)
 *     max_attempts: 6               # then the dead-letter log (default 6)
 *     backoff_ms: 500               # doubles after each failed attempt (default 500) ...
 *     max_backoff_ms: 30000         # ... up to this (default 30000)
 *     headers: {Authorization: "Bearer ..."}
 *     dead_letter_log: /var/log/segstream/webhook-dead-letters.jsonl
 * }</pre>
 *
 * @param source   the file the configuration came from, for messages
 * @param journal  where delivered alert ids are recorded
 * @param webhooks the webhooks, in file order
 */
public record AlertSinksConfig(String source, Path journal, List<WebhookOptions> webhooks) {
    private static final ObjectMapper YAML = SafeYaml.builder()
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final List<String> TOP_KEYS = List.of("journal", "webhooks");
    private static final List<String> WEBHOOK_KEYS = List.of("url", "states", "min_severity", "timeout_ms",
            "max_attempts", "backoff_ms", "max_backoff_ms", "headers", "dead_letter_log");

    public AlertSinksConfig {
        webhooks = List.copyOf(webhooks);
    }

    /**
     * Reads a sinks file.
     *
     * @throws IllegalArgumentException naming the file and every problem in it
     * @throws IOException if the file cannot be read
     */
    public static AlertSinksConfig load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString(), file.toAbsolutePath().getParent());
    }

    /** Parses a sinks file's text; relative paths in it are taken from {@code dir}. */
    public static AlertSinksConfig parse(String yaml, String source, Path dir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": the file must be a YAML mapping with 'journal' and"
                    + " 'webhooks'");
        }
        unknownKeys(root, "the top level", TOP_KEYS, problems);
        Path journal = null;
        if (!root.path("journal").isTextual()) {
            problems.add("'journal' is missing: name a file where delivered alert ids are kept across restarts,"
                    + " e.g. journal: alert-sinks.journal");
        } else {
            journal = dir.resolve(root.get("journal").asText());
        }
        List<WebhookOptions> webhooks = new ArrayList<>();
        JsonNode list = root.get("webhooks");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problems.add("'webhooks' must be a non-empty list, each with at least a url");
        } else {
            for (int i = 0; i < list.size(); i++) {
                WebhookOptions w = webhook(list.get(i), "webhook " + (i + 1), dir, problems);
                if (w != null) {
                    webhooks.add(w);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + String.join("; ", problems));
        }
        return new AlertSinksConfig(source, journal, webhooks);
    }

    private static WebhookOptions webhook(JsonNode w, String ctx, Path dir, List<String> problems) {
        if (!w.isObject()) {
            problems.add(ctx + " must be a mapping with at least 'url'");
            return null;
        }
        int before = problems.size();
        unknownKeys(w, ctx, WEBHOOK_KEYS, problems);
        URI url = null;
        try {
            url = new URI(w.path("url").asText(""));
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                problems.add(ctx + ": 'url' must be an http:// or https:// address, got '" + w.path("url").asText("")
                        + "'");
            }
        } catch (URISyntaxException e) {
            problems.add(ctx + ": 'url' is not an address: " + e.getMessage());
        }
        Set<AlertState> states = EnumSet.noneOf(AlertState.class);
        JsonNode s = w.get("states");
        if (s == null) {
            states.add(AlertState.RAISED);
        } else if (!s.isArray() || s.isEmpty()) {
            problems.add(ctx + ": 'states' must be a list of RAISED and/or CLEARED");
        } else {
            for (JsonNode state : s) {
                try {
                    states.add(AlertState.valueOf(state.asText()));
                } catch (IllegalArgumentException e) {
                    problems.add(ctx + ": unknown state '" + state.asText() + "'; use RAISED or CLEARED");
                }
            }
        }
        Severity minSeverity = Severity.INFO;
        if (w.has("min_severity")) {
            try {
                minSeverity = Severity.valueOf(w.get("min_severity").asText());
            } catch (IllegalArgumentException e) {
                problems.add(ctx + ": unknown min_severity '" + w.get("min_severity").asText() + "'; use one of "
                        + Arrays.toString(Severity.values()));
            }
        }
        long timeout = positive(w, "timeout_ms", 5000, ctx, problems);
        long attempts = positive(w, "max_attempts", 6, ctx, problems);
        long backoff = positive(w, "backoff_ms", 500, ctx, problems);
        long maxBackoff = positive(w, "max_backoff_ms", 30_000, ctx, problems);
        if (maxBackoff < backoff) {
            problems.add(ctx + ": 'max_backoff_ms' (" + maxBackoff + ") must be at least 'backoff_ms' (" + backoff
                    + ")");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (w.has("headers")) {
            if (!w.get("headers").isObject()) {
                problems.add(ctx + ": 'headers' must be a mapping of header name to value");
            } else {
                w.get("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
            }
        }
        if (!w.path("dead_letter_log").isTextual()) {
            problems.add(ctx + ": 'dead_letter_log' is missing: name a file for the alerts that could not be"
                    + " delivered, e.g. dead_letter_log: webhook-dead-letters.jsonl");
        }
        if (problems.size() > before) {
            return null;
        }
        return new WebhookOptions(url, states, minSeverity, Duration.ofMillis(timeout), (int) attempts,
                Duration.ofMillis(backoff), Duration.ofMillis(maxBackoff), headers,
                dir.resolve(w.get("dead_letter_log").asText()));
    }

    private static long positive(JsonNode node, String key, long fallback, String ctx, List<String> problems) {
        if (!node.has(key)) {
            return fallback;
        }
        JsonNode v = node.get(key);
        if (!v.canConvertToLong() || v.asLong() < 1) {
            problems.add(ctx + ": '" + key + "' must be a whole number of at least 1, got " + v);
            return fallback;
        }
        return v.asLong();
    }

    private static void unknownKeys(JsonNode node, String ctx, List<String> known, List<String> problems) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                problems.add(ctx + ": unknown key '" + key + "'; known keys are " + String.join(", ", known));
            }
        }
    }
}
