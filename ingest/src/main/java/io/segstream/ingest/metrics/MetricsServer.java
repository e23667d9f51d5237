package io.segstream.ingest.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@link IngestMetrics} as Prometheus text on {@code http://HOST:PORT/metrics} with the JDK's HTTP server.
 *
 * <pre>{@code
 * try (MetricsServer server = MetricsServer.start(metrics, 9400)) { ... }
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts serving on all interfaces; port 0 picks a free port. */
    public static MetricsServer start(IngestMetrics metrics, int port) throws IOException {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on port " + port + ": " + e.getMessage()
                    + "; choose another --metrics-port", e);
        }
        s.createContext("/metrics", ex -> respond(ex, metrics));
        s.start();
        return new MetricsServer(s);
    }

    private static void respond(HttpExchange ex, IngestMetrics metrics) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = metrics.prometheusText().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, "HEAD".equals(ex.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
