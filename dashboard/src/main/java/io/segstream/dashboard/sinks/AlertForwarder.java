package io.segstream.dashboard.sinks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts to the webhooks of a sinks file, each alert once per webhook: a POST with the alert as JSON and an
 * {@code Idempotency-Key} header (the alert id; with {@code /cleared} appended for a clear), retried with exponential
 * backoff on timeouts, refused connections, 408, 429 and 5xx; after the last attempt, or at once on another 4xx, the
 * alert goes to the webhook's dead-letter log (one JSON line: the body, attempts, last error).
 *
 * <p>Once per alert id: a journal file records each (webhook, key) delivered or dead-lettered, and is read again on
 * start, so the repeats of the fast delivery path and a restart that reads the alerts topic again send nothing twice.
 * The journal is written after the endpoint answered; a crash between the two sends that alert again after the
 * restart, with the same key, so the receiver can drop it: at least once on the wire, once per key for a receiver
 * that honours the key.
 *
 * <pre>{@code
 * try (AlertForwarder f = AlertForwarder.start(AlertSinksConfig.load(Path.of("sinks.yaml")))) {
 *     f.accept(alert);              // queued; a worker thread delivers in order
 * }
 * }</pre>
 */
public final class AlertForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertForwarder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Alert STOP = new Alert();

    private final AlertSinksConfig config;
    private final HttpClient http;
    private final Set<String> done = new HashSet<>();
    private final BlockingQueue<Alert> queue = new LinkedBlockingQueue<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final Thread worker;
    private final boolean firstStart;
    private volatile boolean closed;

    private AlertForwarder(AlertSinksConfig config) throws IOException {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.firstStart = !Files.exists(config.journal());
        if (!firstStart) {
            for (String line : Files.readAllLines(config.journal(), StandardCharsets.UTF_8)) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0 && !line.startsWith("#")) {
                    done.add(line.substring(0, tab));
                }
            }
        }
        for (String c : List.of("delivered", "retries", "deadLettered", "alreadyDone", "notWanted",
                "beforeFirstStart")) {
            counters.put(c, 0L);
        }
        if (firstStart) {
            append(config.journal(), "# delivered alerts: webhook url, idempotency key, outcome");
        }
        this.worker = new Thread(this::work, "alert-webhooks");
        worker.setDaemon(true);
        worker.start();
        LOG.info("alert sinks from {}: {} webhook(s), {} deliveries already in the journal {}", config.source(),
                config.webhooks().size(), done.size(), config.journal());
    }

    /**
     * Reads the journal and starts the delivery thread.
     *
     * @throws IOException if the journal exists but cannot be read
     */
    public static AlertForwarder start(AlertSinksConfig config) throws IOException {
        return new AlertForwarder(config);
    }

    /**
     * Queues an alert for every webhook that wants it; returns at once.
     *
     * @param historical whether the alert was already on the topic when reading started. Without a journal (the
     *     very first start) those are recorded as {@code before-first-start} and not sent: a new sink does not
     *     flood its receiver with the topic's whole retention. With a journal they are sent unless it has them:
     *     they were raised while the forwarder was down.
     */
    public void accept(Alert alert, boolean historical) {
        if (closed) {
            throw new IllegalStateException("the alert forwarder is closed; alert " + alert.getAlertId()
                    + " was not queued");
        }
        if (historical && firstStart) {
            for (WebhookOptions w : config.webhooks()) {
                String doneKey = w.url() + " " + idempotencyKey(alert);
                if (!done.contains(doneKey)) {
                    record(w, doneKey, "before-first-start");
                    count("beforeFirstStart");
                }
            }
            return;
        }
        queue.add(alert);
    }

    /**
     * delivered, retries, deadLettered, alreadyDone (journal or repeat), notWanted (state or severity filtered),
     * beforeFirstStart (on the topic before the journal existed).
     */
    public synchronized Map<String, Long> counters() {
        return new TreeMap<>(counters);
    }

    /** Alerts queued and not yet handled. */
    public int pending() {
        return queue.size();
    }

    /** The idempotency key of an alert: its id for a raise, id + "/cleared" for a clear. */
    public static String idempotencyKey(Alert a) {
        return a.getState() == AlertState.RAISED ? a.getAlertId() : a.getAlertId() + "/cleared";
    }

    private void work() {
        try {
            while (true) {
                Alert a = queue.take();
                if (a == STOP) {
                    return;
                }
                for (WebhookOptions w : config.webhooks()) {
                    deliver(w, a);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(WebhookOptions w, Alert a) throws InterruptedException {
        if (!w.wants(a.getState(), a.getSeverity())) {
            count("notWanted");
            return;
        }
        String key = idempotencyKey(a);
        String doneKey = w.url() + " " + key;
        if (done.contains(doneKey)) {
            count("alreadyDone");
            return;
        }
        String body = body(a, key);
        String lastError = null;
        int attempt = 1;
        for (; attempt <= w.maxAttempts(); attempt++) {
            if (attempt > 1) {
                count("retries");
                Thread.sleep(w.waitBefore(attempt).toMillis());
            }
            HttpRequest.Builder req = HttpRequest.newBuilder(w.url()).timeout(w.timeout())
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            w.headers().forEach(req::header);
            try {
                int status = http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    record(w, doneKey, "delivered");
                    count("delivered");
                    return;
                }
                lastError = "HTTP " + status;
                if (status != 408 && status != 429 && status < 500) {
                    break;   // the endpoint refuses this request; sending it again will not help
                }
            } catch (HttpTimeoutException | ConnectException e) {
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (IOException e) {
                lastError = "IOException: " + e.getMessage();
            }
        }
        deadLetter(w, a, key, body, Math.min(attempt, w.maxAttempts()), lastError);
        record(w, doneKey, "dead-lettered");
        count("deadLettered");
    }

    private void deadLetter(WebhookOptions w, Alert a, String key, String body, int attempts, String lastError) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("url", w.url().toString());
        line.put("idempotencyKey", key);
        line.put("attempts", attempts);
        line.put("lastError", lastError);
        line.put("alert", readTree(body));
        append(w.deadLetterLog(), json(line));
        LOG.warn("alert {} of camera {} not delivered to {} after {} attempt(s) ({}); written to {}", key,
                a.getCameraId(), w.url(), attempts, lastError, w.deadLetterLog());
    }

    private synchronized void record(WebhookOptions w, String doneKey, String outcome) {
        done.add(doneKey);
        append(config.journal(), doneKey + "\t" + outcome);
    }

    private static void append(Path file, String line) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON a webhook receives. */
    static String body(Alert a, String key) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("idempotencyKey", key);
        j.put("alertId", a.getAlertId());
        j.put("state", a.getState().toString());
        j.put("severity", a.getSeverity().toString());
        j.put("rule", a.getRuleId());
        j.put("camera", a.getCameraId());
        j.put("seq", a.getSeq());
        j.put("captureTime", a.getCaptureTime().toString());
        j.put("zone", a.getZoneId());
        j.put("areaFraction", a.getAreaFraction());
        j.put("classes", List.copyOf(a.getClasses()));
        if (a.getBbox() != null) {
            j.put("bbox", List.of(a.getBbox().getXMin(), a.getBbox().getYMin(), a.getBbox().getXMax(),
                    a.getBbox().getYMax()));
        }
        j.put("model", a.getModelVersion());
        j.put("message", a.getMessage());
        return json(j);
    }

    private synchronized void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops after the alert being delivered (its retries included, up to {@code wait}); alerts still queued are not
     * in the journal, so a restart that reads the alerts topic again delivers them. Their number is logged.
     */
    public void close(Duration wait) {
        closed = true;
        int left = queue.size();
        queue.clear();
        queue.add(STOP);
        try {
            worker.join(wait.toMillis());
            if (worker.isAlive()) {
                worker.interrupt();
                worker.join(TimeUnit.SECONDS.toMillis(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (left > 0) {
            LOG.warn("alert sinks stopped with {} alert(s) not yet delivered; they are not in the journal {}, so"
                    + " the next start delivers them", left, config.journal());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
