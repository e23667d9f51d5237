package io.segstream.edge.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.schemas.Alert;
import io.segstream.schemas.BoundingBox;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The site's own hook for alerts, so that a site can act on them while the uplink is down: every alert the agent
 * spools is also handed, as one line of JSON on stdin, to a command run with {@code sh -c} (e.g. {@code sh -c 'cat >>
 * /var/log/segstream/alerts.jsonl'}, a siren, a relay).
 *
 * <pre>
 *   EdgePipeline ──offer (never blocks)──▶ queue (bounded) ──▶ hook thread: sh -c COMMAND, JSON on stdin, timeout
 * </pre>
 *
 * <p>The cameras' threads only put the alert in a bounded queue: a slow or hanging command never holds up
 * segmentation. One command runs at a time, alerts in order; a command that exits non-zero, cannot start or outlives
 * its timeout (it is killed) is counted as failed and logged; an alert that finds the queue full is counted as dropped
 * and logged. The command also gets {@code SEGSTREAM_ALERT_ID}, {@code SEGSTREAM_CAMERA}, {@code SEGSTREAM_STATE},
 * {@code SEGSTREAM_SEVERITY} and {@code SEGSTREAM_RULE} in its environment; its stdout is discarded, its stderr goes
 * to the agent's.
 *
 * <pre>{@code
 * try (AlertHook hook = AlertHook.start(new AlertHookOptions("cat >> alerts.jsonl", Duration.ofSeconds(10)))) {
 *     hook.offer(alert);
 * }
 * }</pre>
 */
public final class AlertHook implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertHook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Failures and drops are logged one by one up to this many, then every hundredth. */
    private static final long LOG_EACH_UP_TO = 10;

    private final AlertHookOptions options;
    private final BlockingQueue<Alert> queue;
    private final Thread thread;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closing;

    private AlertHook(AlertHookOptions options) {
        this.options = options;
        this.queue = new ArrayBlockingQueue<>(options.queueSize());
        this.thread = new Thread(this::run, "alert-hook");
        this.thread.setDaemon(true);
    }

    /** Starts the hook's thread. */
    public static AlertHook start(AlertHookOptions options) {
        AlertHook hook = new AlertHook(Objects.requireNonNull(options, "options"));
        hook.thread.start();
        LOG.info("alert hook: every alert as JSON on the stdin of sh -c '{}' (timeout {} ms, queue {})",
                options.command(), options.timeout().toMillis(), options.queueSize());
        return hook;
    }

    /** Queues {@code alert} for the hook; never blocks. Returns false (counted, logged) when the queue is full. */
    public boolean offer(Alert alert) {
        if (!closing && queue.offer(alert)) {
            return true;
        }
        long n = dropped.incrementAndGet();
        if (n <= LOG_EACH_UP_TO || n % 100 == 0) {
            LOG.warn("alert hook: alert {} ({}) not handed to the hook, its queue of {} is full{} ({} such alerts so "
                    + "far)", alert.getAlertId(), alert.getState(), options.queueSize(),
                    closing ? " or the agent is stopping" : "", n);
        }
        return false;
    }

    private void run() {
        try {
            while (!closing || !queue.isEmpty()) {
                Alert alert = queue.poll(100, TimeUnit.MILLISECONDS);
                if (alert != null) {
                    deliver(alert);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Alert alert) throws InterruptedException {
        String failure;
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", options.command())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("SEGSTREAM_ALERT_ID", alert.getAlertId());
        env.put("SEGSTREAM_CAMERA", alert.getCameraId());
        env.put("SEGSTREAM_STATE", alert.getState().name());
        env.put("SEGSTREAM_SEVERITY", alert.getSeverity().name());
        env.put("SEGSTREAM_RULE", alert.getRuleId());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail(alert, "the command did not start: " + e.getMessage());
            return;
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write((json(alert) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // a command that does not read its stdin is free to do so; its exit status decides
            LOG.debug("alert hook: the command closed its stdin early: {}", e.toString());
        }
        if (!p.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(1, TimeUnit.SECONDS);
            failure = "the command ran longer than " + options.timeout().toMillis() + " ms and was killed";
        } else if (p.exitValue() != 0) {
            failure = "the command exited with status " + p.exitValue();
        } else {
            delivered.incrementAndGet();
            return;
        }
        fail(alert, failure);
    }

    private void fail(Alert alert, String why) {
        long n = failed.incrementAndGet();
        if (n <= LOG_EACH_UP_TO || n % 100 == 0) {
            LOG.warn("alert hook: alert {} ({} of camera {}): {}; the alert is still spooled for Kafka ({} failures so "
                    + "far)", alert.getAlertId(), alert.getState(), alert.getCameraId(), why, n);
        }
    }

    /** The alert as the hook gets it: one JSON object with the Avro record's field names. */
    static String json(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert_id", a.getAlertId());
        m.put("camera_id", a.getCameraId());
        m.put("seq", a.getSeq());
        m.put("rule_id", a.getRuleId());
        m.put("severity", a.getSeverity().name());
        m.put("state", a.getState().name());
        m.put("classes", a.getClasses() == null ? List.of() : a.getClasses().stream().map(String::valueOf).toList());
        m.put("zone_id", a.getZoneId());
        m.put("area_fraction", a.getAreaFraction());
        BoundingBox b = a.getBbox();
        m.put("bbox", b == null ? null : Map.of("x_min", b.getXMin(), "y_min", b.getYMin(), "x_max", b.getXMax(),
                "y_max", b.getYMax()));
        m.put("model_version", a.getModelVersion());
        m.put("capture_time", a.getCaptureTime() == null ? null : a.getCaptureTime().toString());
        m.put("message", a.getMessage());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert " + a.getAlertId() + " does not serialise to JSON", e);
        }
    }

    /** Alerts the command took (exit status 0). */
    public long delivered() {
        return delivered.get();
    }

    /** Alerts whose command failed, did not start or timed out. */
    public long failed() {
        return failed.get();
    }

    /** Alerts not handed to the command because its queue was full. */
    public long dropped() {
        return dropped.get();
    }

    public AlertHookOptions options() {
        return options;
    }

    /**
     * Stops taking alerts and runs the command for those queued (each within its timeout), waiting at most
     * {@code wait}; what is left then is counted as dropped.
     */
    public void close(Duration wait) {
        closing = true;
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
        int left = queue.size();
        queue.clear();
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("alert hook: {} queued alert(s) not handed to the hook before the stop", left);
        }
    }

    /** {@link #close(Duration)} with twice the timeout. */
    @Override
    public void close() {
        close(options.timeout().multipliedBy(2));
    }
}
