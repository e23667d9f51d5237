package io.segstream.dashboard;

import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.labels.Label;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The dashboard's HTTP side on Jetty's core handlers: the page and its two static files from the jar, the state as
 * JSON, overlays and alert thumbnails rendered on request, and {@code /events}, a Server-Sent Events stream.
 *
 * <p>An SSE id is {@code EPOCH-N}: N counts this server's events and EPOCH tells this server apart from an earlier
 * one. A browser that reconnects sends its last id ({@code Last-Event-ID}); if the epoch matches and the events after
 * N are still kept it gets exactly those, otherwise one {@code snapshot} event with everything, then live events.
 *
 * <pre>
 *   GET /                         the page (index.html, static/app.js, static/app.css)
 *   GET /events                   text/event-stream: snapshot or catch-up, then camera / alert / system events
 *   GET /api/state                the snapshot as JSON
 *   GET /api/labels?set=rail-20   class names and colours of a label set (the legend)
 *   GET /api/overlay?camera=C[&amp;seq=N][&amp;w=W]   PNG of a frame with its mask, zones and raised alerts
 *   GET /api/thumbnail?alert=ID   PNG of the frame that raised an active alert
 * </pre>
 */
final class DashboardServer implements AutoCloseable {
    /** Browsers at once; each holds one thread while its event stream is open. */
    static final int MAX_STREAMS = 32;
    private static final int STREAM_QUEUE = 1000;
    private static final long HEARTBEAT_MS = 10_000;
    private static final int THUMBNAIL_WIDTH = 200;
    private static final DashboardEvent CLOSING = new DashboardEvent(-1, "closing", "{}");
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html",
            "/static/app.js", "app.js", "/static/app.css", "app.css");

    private final DashboardState state;
    private final OverlayRenderer renderer;
    private final String epoch;
    private final Server server;
    private final ServerConnector connector;
    private final Set<BlockingQueue<DashboardEvent>> streams = ConcurrentHashMap.newKeySet();
    private final Map<String, Rendered> lastRendered = new ConcurrentHashMap<>();
    private final AtomicLong streamsRefused = new AtomicLong();
    private final AtomicLong streamsOverflowed = new AtomicLong();
    private final AtomicLong renderFailures = new AtomicLong();

    DashboardServer(DashboardState state, OverlayRenderer renderer, String host, int port) throws IOException {
        this.state = state;
        this.renderer = renderer;
        this.epoch = Long.toString(System.currentTimeMillis(), 36);
        QueuedThreadPool threads = new QueuedThreadPool(MAX_STREAMS + 16, 4);
        threads.setName("dashboard-http");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server, 1, 1);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Routes());
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            throw new IOException("cannot serve the dashboard on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another --port", e);
        }
    }

    /** The port the server listens on (the chosen one when started with port 0). */
    int port() {
        return connector.getLocalPort();
    }

    /** Streams refused (too many), cut for falling behind, and renders that failed; the page shows them too. */
    Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("streamsRefused", streamsRefused.get());
        c.put("streamsOverflowed", streamsOverflowed.get());
        c.put("renderFailures", renderFailures.get());
        c.put("streamsOpen", (long) streams.size());
        return c;
    }

    @Override
    public void close() {
        streams.forEach(q -> q.offer(CLOSING));
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the dashboard's web server did not stop: " + e.getMessage(), e);
        }
    }

    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            if (!"GET".equals(request.getMethod())) {
                Response.writeError(request, response, callback, 405, "the dashboard is read-only: GET only");
                return true;
            }
            Fields query = Request.extractQueryParameters(request);
            switch (path) {
                case "/events" -> events(request, response, callback);
                case "/api/state" -> send(response, callback, "application/json", snapshotJson());
                case "/api/labels" -> labels(request, response, callback, query.getValue("set"));
                case "/api/overlay" -> overlay(request, response, callback, query);
                case "/api/thumbnail" -> thumbnail(request, response, callback, query.getValue("alert"));
                default -> {
                    String resource = STATIC.get(path);
                    if (resource == null) {
                        Response.writeError(request, response, callback, 404, "no such page: " + path);
                    } else {
                        send(response, callback, contentType(resource), resource(resource));
                    }
                }
            }
            return true;
        }
    }

    private byte[] snapshotJson() {
        return withServerCounters(state.snapshot()).json().getBytes(StandardCharsets.UTF_8);
    }

    /** The state's snapshot with this server's own counters added. */
    private DashboardEvent withServerCounters(DashboardEvent snapshot) {
        String extra = DashboardState.json(counters());
        String json = snapshot.json();
        return new DashboardEvent(snapshot.id(), snapshot.type(),
                json.substring(0, json.length() - 1) + ",\"server\":" + extra + "}");
    }

    private void labels(Request request, Response response, Callback callback, String name) {
        if (name == null || !LabelSet.BUILT_IN.contains(name)) {
            Response.writeError(request, response, callback, 404, "unknown label set " + name + "; known: "
                    + LabelSet.BUILT_IN);
            return;
        }
        LabelSet set = LabelSet.named(name);
        List<Map<String, Object>> classes = new ArrayList<>();
        for (int c = 0; c < set.numClasses(); c++) {
            Label l = set.classLabel(c);
            classes.add(Map.of("id", c, "name", l.name(), "color", String.format("#%06x", l.rgb())));
        }
        send(response, callback, "application/json", DashboardState.json(classes).getBytes(StandardCharsets.UTF_8));
    }

    private void overlay(Request request, Response response, Callback callback, Fields query) {
        String camera = query.getValue("camera");
        Long seq = parseLong(query.getValue("seq"));
        Long width = parseLong(query.getValue("w"));
        Optional<DashboardState.FramePair> pair = camera == null ? Optional.empty() : state.pair(camera, seq);
        if (pair.isEmpty()) {
            Response.writeError(request, response, callback, 404, "no frame with a mask kept for camera " + camera);
            return;
        }
        int w = width == null ? 0 : (int) Math.max(32, Math.min(4096, width));
        long renderedSeq = pair.get().mask().getSeq();
        String key = camera + "@" + w;
        Rendered cached = lastRendered.get(key);
        if (cached == null || cached.seq != renderedSeq) {
            byte[] png = render(pair.get(), state.activeRules(camera), w);
            if (png == null) {
                Response.writeError(request, response, callback, 500, "the frame or mask of camera " + camera
                        + " seq " + renderedSeq + " does not decode");
                return;
            }
            cached = new Rendered(renderedSeq, png);
            lastRendered.put(key, cached);
        }
        send(response, callback, "image/png", cached.png);
    }

    private void thumbnail(Request request, Response response, Callback callback, String alertId) {
        Optional<DashboardState.FramePair> pair = alertId == null ? Optional.empty() : state.raisingPair(alertId);
        if (pair.isEmpty()) {
            Response.writeError(request, response, callback, 404, "no raising frame kept for alert " + alertId);
            return;
        }
        byte[] png = render(pair.get(), state.activeRuleOf(alertId).map(List::of).orElse(List.of()),
                THUMBNAIL_WIDTH);
        if (png == null) {
            Response.writeError(request, response, callback, 500, "the raising frame of " + alertId
                    + " does not decode");
            return;
        }
        send(response, callback, "image/png", png);
    }

    private byte[] render(DashboardState.FramePair pair, List<String> raised, int width) {
        try {
            return renderer.render(pair, raised, width);
        } catch (ImageFormatException | RuntimeException e) {
            renderFailures.incrementAndGet();
            return null;
        }
    }

    /** One event stream: catch-up or snapshot, then live events and heartbeats until the browser goes. */
    private void events(Request request, Response response, Callback callback) {
        BlockingQueue<DashboardEvent> queue = new ArrayBlockingQueue<>(STREAM_QUEUE);
        if (streams.size() >= MAX_STREAMS) {
            streamsRefused.incrementAndGet();
            Response.writeError(request, response, callback, 503, "too many open dashboards (" + MAX_STREAMS + ")");
            return;
        }
        Consumer<DashboardEvent> listener = e -> {
            if (!queue.offer(e)) {
                // a browser that cannot keep up is cut off; it reconnects and catches up from its last id
                queue.clear();
                queue.offer(CLOSING);
                streamsOverflowed.incrementAndGet();
            }
        };
        streams.add(queue);
        state.addListener(listener);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        try (OutputStream out = Content.Sink.asOutputStream(response)) {
            long sent = -1;
            write(out, "retry: 1000\n\n");
            for (DashboardEvent e : catchUp(request.getHeaders().get("Last-Event-ID"))) {
                write(out, frame(e));
                sent = e.id();
            }
            while (true) {
                DashboardEvent e = queue.poll(HEARTBEAT_MS, TimeUnit.MILLISECONDS);
                if (e == CLOSING) {
                    break;
                }
                if (e == null) {
                    write(out, ": heartbeat\n\n");
                } else if (e.id() > sent) {
                    write(out, frame(e));
                    sent = e.id();
                }
            }
            out.close();
            callback.succeeded();
        } catch (IOException e) {
            // the browser went away
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } finally {
            state.removeListener(listener);
            streams.remove(queue);
        }
    }

    /** What a (re)connecting browser needs before live events: the events it missed, or a snapshot. */
    private List<DashboardEvent> catchUp(String lastEventId) {
        if (lastEventId != null && lastEventId.startsWith(epoch + "-")) {
            Long last = parseLong(lastEventId.substring(epoch.length() + 1));
            if (last != null) {
                Optional<List<DashboardEvent>> missed = state.eventsAfter(last);
                if (missed.isPresent()) {
                    return missed.get();
                }
            }
        }
        return List.of(withServerCounters(state.snapshot()));
    }

    private String frame(DashboardEvent e) {
        return "id: " + epoch + "-" + e.id() + "\nevent: " + e.type() + "\ndata: " + e.json() + "\n\n";
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(Response response, Callback callback, String type, byte[] body) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static String contentType(String resource) {
        if (resource.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        return resource.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new IOException("the dashboard jar lacks web/" + name);
            }
            return in.readAllBytes();
        }
    }

    private static Long parseLong(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private record Rendered(long seq, byte[] png) {}
}
