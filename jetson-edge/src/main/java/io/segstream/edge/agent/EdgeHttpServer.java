package io.segstream.edge.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.device.TegraStats;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.uplink.SpoolSender;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the agent's health and metrics with the JDK's HTTP server, as ingest's {@code MetricsServer} does:
 * {@code /metrics} in Prometheus text (ingest's camera families under their names, then the agent's own) and
 * {@code /healthz} as JSON, status 200 while the uplink is up and every camera streams (or has finished its
 * recording), else 503.
 */
public final class EdgeHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final EdgeAgent agent;

    private EdgeHttpServer(HttpServer server, EdgeAgent agent) {
        this.server = server;
        this.agent = agent;
    }

    /** Starts serving on all interfaces; port 0 picks a free port. */
    public static EdgeHttpServer start(EdgeAgent agent, int port) throws IOException {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new IOException("cannot serve health and metrics on port " + port + ": " + e.getMessage()
                    + "; choose another --metrics-port", e);
        }
        EdgeHttpServer server = new EdgeHttpServer(s, agent);
        s.createContext("/metrics", ex -> server.respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                server.metrics()));
        s.createContext("/healthz", ex -> {
            Health h = server.health();
            server.respond(ex, h.ok ? 200 : 503, "application/json", h.json);
        });
        s.start();
        return server;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void respond(HttpExchange ex, int status, String type, String text) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The Prometheus text: ingest's camera metrics, then the agent's. */
    String metrics() {
        StringBuilder sb = new StringBuilder(agent.cameraMetrics().prometheusText());
        Map<String, Map<Count, Long>> counts = agent.counters().snapshot();
        perCamera(sb, counts, "segstream_edge_frames_segmented_total", "Frames segmented.", Count.FRAMES_SEGMENTED);
        perCamera(sb, counts, "segstream_edge_frames_failed_total", "Frames without a mask (bad image, model error).",
                Count.FRAMES_FAILED);
        perCamera(sb, counts, "segstream_edge_masks_total", "Masks written to the spool.", Count.MASKS);
        perCamera(sb, counts, "segstream_edge_alerts_raised_total", "Alerts raised.", Count.ALERTS_RAISED);
        perCamera(sb, counts, "segstream_edge_alerts_cleared_total", "Alerts cleared.", Count.ALERTS_CLEARED);
        perCamera(sb, counts, "segstream_edge_spool_write_failures_total", "Frames whose records could not be spooled.",
                Count.SPOOL_WRITE_FAILURES);
        perCamera(sb, counts, "segstream_edge_clock_jumps_total", "Times the wall clock was found to have gone back.",
                Count.CLOCK_JUMPS);
        DiskSpool spool = agent.spool();
        SpoolSender sender = agent.sender();
        family(sb, "segstream_edge_spool_bytes", "gauge", "Bytes of the spool's segment files.");
        sb.append("segstream_edge_spool_bytes ").append(spool.bytes()).append('\n');
        family(sb, "segstream_edge_spool_max_bytes", "gauge", "The spool's bound.");
        sb.append("segstream_edge_spool_max_bytes ").append(spool.options().maxBytes()).append('\n');
        family(sb, "segstream_edge_spool_pending_records", "gauge", "Records not yet acknowledged by Kafka.");
        for (RecordKind k : RecordKind.values()) {
            sb.append("segstream_edge_spool_pending_records{kind=\"").append(k.label()).append("\"} ")
                    .append(spool.pending(k)).append('\n');
        }
        family(sb, "segstream_edge_spool_oldest_pending_age_seconds", "gauge",
                "Age of the oldest record not yet delivered (to a segment's precision); 0 when none.");
        long oldest = spool.oldestPendingTimestamp();
        sb.append("segstream_edge_spool_oldest_pending_age_seconds ")
                .append(oldest < 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldest) / 1000)).append('\n');
        family(sb, "segstream_edge_spool_dropped_total", "counter",
                "Records dropped because the spool was full (frames first, then the oldest masks; never alerts).");
        for (RecordKind k : RecordKind.values()) {
            spool.drops().droppedByCamera(k).forEach((camera, n) -> sb.append("segstream_edge_spool_dropped_total{kind=\"")
                    .append(k.label()).append("\",camera=\"").append(escape(camera)).append("\"} ").append(n)
                    .append('\n'));
        }
        family(sb, "segstream_edge_spool_thinned_total", "counter",
                "Masks not written because the spool was past its high-water mark with no frames left (every other "
                        + "mask of a camera is kept).");
        spool.drops().thinnedByCamera().forEach((camera, n) -> sb.append("segstream_edge_spool_thinned_total{kind="
                + "\"mask\",camera=\"").append(escape(camera)).append("\"} ").append(n).append('\n'));
        family(sb, "segstream_edge_spool_corrupt_bytes_cut_total", "counter",
                "Bytes cut from torn or damaged segment tails at start-up.");
        for (RecordKind k : RecordKind.values()) {
            sb.append("segstream_edge_spool_corrupt_bytes_cut_total{kind=\"").append(k.label()).append("\"} ")
                    .append(spool.drops().corruptBytesCut(k)).append('\n');
        }
        family(sb, "segstream_edge_spool_alerts_over_bound_total", "counter",
                "Alerts written beyond the bound because nothing droppable was left.");
        sb.append("segstream_edge_spool_alerts_over_bound_total ").append(spool.drops().alertsOverBound()).append('\n');
        family(sb, "segstream_edge_sent_total", "counter", "Records acknowledged by Kafka.");
        for (RecordKind k : RecordKind.values()) {
            sb.append("segstream_edge_sent_total{kind=\"").append(k.label()).append("\"} ").append(sender.sent(k))
                    .append('\n');
        }
        family(sb, "segstream_edge_send_failures_total", "counter", "Sends that failed (each is retried).");
        sb.append("segstream_edge_send_failures_total ").append(sender.failures()).append('\n');
        family(sb, "segstream_edge_resent_total", "counter", "Records sent again after a failed send.");
        sb.append("segstream_edge_resent_total ").append(sender.resent()).append('\n');
        family(sb, "segstream_edge_undeliverable_total", "counter", "Records Kafka refused for good, dropped.");
        sb.append("segstream_edge_undeliverable_total ").append(sender.undeliverable()).append('\n');
        AlertHook hook = agent.alertHook();
        if (hook != null) {
            family(sb, "segstream_edge_alert_hook_total", "counter",
                    "Alerts handed to the site's alert hook, by outcome (delivered: exit 0; failed: non-zero, timeout or"
                            + " no start; dropped: its queue was full).");
            sb.append("segstream_edge_alert_hook_total{outcome=\"delivered\"} ").append(hook.delivered()).append('\n');
            sb.append("segstream_edge_alert_hook_total{outcome=\"failed\"} ").append(hook.failed()).append('\n');
            sb.append("segstream_edge_alert_hook_total{outcome=\"dropped\"} ").append(hook.dropped()).append('\n');
        }
        family(sb, "segstream_edge_uplink_up", "gauge", "1 while the last send succeeded, else 0.");
        sb.append("segstream_edge_uplink_up ").append(sender.uplinkUp() ? 1 : 0).append('\n');
        TegraStats t = agent.tegraStats();
        if (t != null) {
            gauge(sb, "segstream_edge_jetson_gpu_load_percent", "GR3D (integrated GPU) load from tegrastats.",
                    t.gpuLoadPercent());
            gauge(sb, "segstream_edge_jetson_emc_load_percent",
                    "External memory controller load from tegrastats (printed for root only on JetPack 6).",
                    t.emcLoadPercent());
            gauge(sb, "segstream_edge_jetson_ram_used_bytes", "RAM in use, from tegrastats.",
                    t.ramUsedMb() * (1 << 20));
            gauge(sb, "segstream_edge_jetson_ram_total_bytes", "RAM available to applications, from tegrastats.",
                    t.ramTotalMb() * (1 << 20));
            gauge(sb, "segstream_edge_jetson_swap_used_bytes", "Swap in use, from tegrastats.",
                    t.swapUsedMb() * (1 << 20));
            family(sb, "segstream_edge_jetson_temperature_celsius", "gauge",
                    "Temperature by sensor, from tegrastats (sensors switched off are left out).");
            t.temperaturesC().forEach((sensor, c) -> sb.append("segstream_edge_jetson_temperature_celsius{sensor=\"")
                    .append(escape(sensor)).append("\"} ").append(c).append('\n'));
        }
        return sb.toString();
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        if (!Double.isNaN(value)) {
            family(sb, name, "gauge", help);
            sb.append(name).append(' ').append(value).append('\n');
        }
    }

    private static void perCamera(StringBuilder sb, Map<String, Map<Count, Long>> counts, String name, String help,
            Count count) {
        family(sb, name, "counter", help);
        counts.forEach((camera, c) -> sb.append(name).append("{camera=\"").append(escape(camera)).append("\"} ")
                .append(c.getOrDefault(count, 0L)).append('\n'));
    }

    private static void family(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private record Health(boolean ok, String json) {}

    /** Per camera: state, fps, last frame age; the uplink; the spool. */
    Health health() {
        List<CameraMetrics> cameras = agent.cameraMetrics().cameras();
        SpoolSender sender = agent.sender();
        DiskSpool spool = agent.spool();
        boolean camerasOk = cameras.stream()
                .allMatch(m -> m.state() == CameraState.STREAMING || m.state() == CameraState.FINISHED);
        boolean ok = camerasOk && sender.uplinkUp();
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"status\":\"").append(ok ? "ok" : "degraded").append("\",\"cameras\":[");
        for (int i = 0; i < cameras.size(); i++) {
            CameraMetrics m = cameras.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"id\":\"").append(json(m.cameraId())).append("\",\"state\":\"")
                    .append(m.state()).append("\",\"connected\":")
                    .append(m.state() == CameraState.STREAMING).append(",\"fps\":")
                    .append(String.format(Locale.ROOT, "%.2f", m.currentFps())).append(",\"lastFrameAgeSeconds\":")
                    .append(m.hasFrames() ? String.format(Locale.ROOT, "%.2f", m.lastFrameAgeSeconds()) : "null")
                    .append('}');
        }
        long oldest = spool.oldestPendingTimestamp();
        sb.append("],\"uplink\":{\"up\":").append(sender.uplinkUp()).append(",\"downSeconds\":")
                .append(sender.uplinkDownSeconds()).append(",\"lastError\":")
                .append(sender.lastError() == null ? "null" : "\"" + json(sender.lastError()) + "\"")
                .append("},\"spool\":{\"bytes\":").append(spool.bytes()).append(",\"maxBytes\":")
                .append(spool.options().maxBytes()).append(",\"pending\":{");
        RecordKind[] kinds = RecordKind.values();
        for (int i = 0; i < kinds.length; i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(kinds[i].label()).append("\":")
                    .append(spool.pending(kinds[i]));
        }
        sb.append("},\"oldestPendingAgeSeconds\":")
                .append(oldest < 0 ? "null" : Long.toString(Math.max(0, (System.currentTimeMillis() - oldest) / 1000)))
                .append(",\"dropped\":{\"mask\":").append(spool.drops().dropped(RecordKind.MASK)).append(",\"frame\":")
                .append(spool.drops().dropped(RecordKind.FRAME)).append("},\"thinned\":{\"mask\":")
                .append(spool.drops().thinned()).append("}}");
        AlertHook hook = agent.alertHook();
        if (hook != null) {
            sb.append(",\"alertHook\":{\"delivered\":").append(hook.delivered()).append(",\"failed\":")
                    .append(hook.failed()).append(",\"dropped\":").append(hook.dropped()).append('}');
        }
        TegraStats t = agent.tegraStats();
        if (t != null) {
            sb.append(",\"jetson\":{\"gpuLoadPercent\":").append(number(t.gpuLoadPercent()))
                    .append(",\"emcLoadPercent\":").append(number(t.emcLoadPercent()))
                    .append(",\"ramUsedMb\":").append(number(t.ramUsedMb()))
                    .append(",\"ramTotalMb\":").append(number(t.ramTotalMb()))
                    .append(",\"temperaturesC\":{");
            int i = 0;
            for (Map.Entry<String, Double> e : t.temperaturesC().entrySet()) {
                sb.append(i++ == 0 ? "" : ",").append('"').append(json(e.getKey())).append("\":").append(e.getValue());
            }
            sb.append("}}");
        }
        sb.append('}');
        return new Health(ok, sb.toString());
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "null" : String.valueOf(v);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
