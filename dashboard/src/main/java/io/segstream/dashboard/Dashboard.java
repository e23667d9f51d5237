package io.segstream.dashboard;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertRules;
import io.segstream.dashboard.sinks.AlertForwarder;
import io.segstream.dashboard.sinks.AlertSinksConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: a read-only, read_committed reader of the frames, masks, alerts, models and dead-letter topics
 * and a web page that shows them as they happen.
 *
 * <pre>
 *   Kafka (5 topics) ──▶ TopicFeed ──▶ DashboardState ──events──▶ DashboardServer ──SSE──▶ browsers
 *                        (1 thread)  │  (bounded rings,            ├─ /api/overlay   ──▶ OverlayRenderer
 *                                    │   timeline, alerts)         └─ /api/thumbnail     (on request only)
 *                                    └─ alerts ──▶ AlertForwarder ──POST──▶ webhooks (optional sinks file)
 * </pre>
 *
 * <pre>{@code
 * try (Dashboard d = Dashboard.builder().setBootstrapServers("127.0.0.1:9092").optPort(8090).start()) {
 *     System.out.println("dashboard: " + d.url());
 *     Thread.currentThread().join();
 * }
 * }</pre>
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

    private final DashboardState state;
    private final TopicFeed feed;
    private final AlertForwarder forwarder;
    private final Thread feedThread;
    private final DashboardServer server;
    private final String url;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Dashboard(Builder b) throws IOException {
        this.state = new DashboardState(b.framesPerCamera, System::currentTimeMillis);
        this.forwarder = b.sinks == null ? null : AlertForwarder.start(b.sinks);
        try {
            this.server = new DashboardServer(state, new OverlayRenderer(b.rules), b.host, b.port);
        } catch (IOException | RuntimeException e) {
            closeForwarder();
            throw e;
        }
        try {
            this.feed = new TopicFeed(b.bootstrapServers, b.topics, state,
                    forwarder == null ? (a, historical) -> { } : forwarder::accept, b.fromBeginning, b.timeout);
        } catch (IOException | RuntimeException e) {
            server.close();
            closeForwarder();
            throw e;
        }
        this.feedThread = new Thread(feed, "dashboard-feed");
        feedThread.setDaemon(true);
        feedThread.start();
        String shownHost = b.host.equals("0.0.0.0") ? "127.0.0.1" : b.host;
        this.url = "http://" + shownHost + ":" + server.port() + "/";
        LOG.info("dashboard on {} reading {} from {} ({} frames per camera kept, zones from {})", url, b.topics,
                b.bootstrapServers, b.framesPerCamera, b.rules == null ? "nowhere" : b.rules.source());
    }

    /** A builder; only the bootstrap servers are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where a browser finds the page, e.g. {@code http://127.0.0.1:8090/}. */
    public String url() {
        return url;
    }

    /** The port the page is served on. */
    public int port() {
        return server.port();
    }

    /** The state behind the page (what the feed read, what was let go). */
    public DashboardState state() {
        return state;
    }

    /** The state's counters and the web server's, by name. */
    public Map<String, Long> counters() {
        Map<String, Long> all = new TreeMap<>(state.counters());
        all.putAll(server.counters());
        if (forwarder != null) {
            forwarder.counters().forEach((k, v) -> all.put("webhook." + k, v));
        }
        return all;
    }

    /** Stops the web server and the Kafka reader; a second call does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.close();
        } finally {
            feed.close();
            try {
                feedThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeForwarder();
        }
    }

    private void closeForwarder() {
        if (forwarder != null) {
            forwarder.close();
        }
    }

    /** Configures a {@link Dashboard}. */
    public static final class Builder {
        private String bootstrapServers;
        private String host = "127.0.0.1";
        private int port = 8090;
        private SegstreamTopics topics = SegstreamTopics.defaults();
        private AlertRules rules;
        private int framesPerCamera = 4;
        private boolean fromBeginning;
        private AlertSinksConfig sinks;
        private Duration timeout = Duration.ofSeconds(30);

        private Builder() {}

        /** Required: {@code host:port[,host:port]} of the Kafka cluster. */
        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** The address to listen on; 127.0.0.1 by default, 0.0.0.0 for every interface (e.g. in a pod). */
        public Builder optHost(String host) {
            this.host = host;
            return this;
        }

        /** The port; 8090 by default, 0 for any free one (see {@link Dashboard#port()}). */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** The topic names of the deployment; the defaults ({@code segstream.frames} ...) otherwise. */
        public Builder optTopics(SegstreamTopics topics) {
            this.topics = topics;
            return this;
        }

        /** The rules whose zones the overlays draw (the job's rules); without them no zones are drawn. */
        public Builder optRules(AlertRules rules) {
            this.rules = rules;
            return this;
        }

        /** How many of the newest frames and masks each camera keeps (memory: this times the frame size); 4. */
        public Builder optFramesPerCamera(int count) {
            this.framesPerCamera = count;
            return this;
        }

        /** Also sends the alerts to the webhooks of a sinks file ({@link AlertSinksConfig}). */
        public Builder optAlertSinks(AlertSinksConfig sinks) {
            this.sinks = sinks;
            return this;
        }

        /** Reads frames and masks from the beginning, not only new ones (short recorded runs, tests). */
        public Builder optFromBeginning() {
            this.fromBeginning = true;
            return this;
        }

        /** How long start-up may wait for the cluster's metadata; 30 s by default. */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Checks the settings, connects to Kafka and starts serving.
         *
         * @throws IOException if a topic is missing, the cluster is unreachable or the port is taken
         */
        public Dashboard start() throws IOException {
            sanityCheck();
            return new Dashboard(this);
        }

        private void sanityCheck() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the port must be within 0..65535 (0: any free port), got "
                        + port);
            }
            if (framesPerCamera < 1 || framesPerCamera > 1000) {
                throw new IllegalArgumentException("frames per camera must be within 1..1000, got "
                        + framesPerCamera + "; each kept frame costs its size in memory");
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("the host must be an address to listen on, e.g. 127.0.0.1");
            }
            if (topics == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("topics are required and the timeout must be positive");
            }
        }
    }
}
