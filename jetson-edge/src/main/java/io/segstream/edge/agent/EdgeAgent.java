package io.segstream.edge.agent;

import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.alerts.AlertEngine;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.alerts.AlertRulesException;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelException;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.edge.device.TegraStats;
import io.segstream.edge.device.TegraStatsMonitor;
import io.segstream.edge.models.ModelFollower;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.uplink.SpoolSender;
import io.segstream.ingest.camera.IngestService;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent: a plain-JVM process beside the cameras that segments their frames, evaluates the alert rules and
 * forwards masks and alerts to the central Kafka through a disk spool, so an uplink outage loses nothing the spool has
 * room for.
 *
 * <pre>
 *   camera ─▶ ingest's CameraWorker (grab, reconnect, stall watchdog) ─┐   one thread per camera
 *   camera ─▶ ingest's CameraWorker ───────────────────────────────────┤
 *                                                                       ▼
 *                 EdgePipeline: seq, capture time, segment (one shared model), alert rules ──▶ AlertHook (site command)
 *                                                                       │ append (alerts synced at once)
 *                                                                       ▼
 *                 DiskSpool: alerts/ masks/ frames/  (bounded; frames, thinned masks, oldest masks)
 *                                                                       │ next, in order per kind
 *                                                                       ▼
 *                 SpoolSender ─▶ idempotent KafkaProducer ─▶ segstream.alerts / .masks / .frames
 * </pre>
 *
 * <pre>{@code
 * try (EdgeAgent agent = EdgeAgent.start(EdgeOptions.of(cameras, "kafka:9092", Path.of("/var/lib/segstream/spool")))) {
 *     ... // until SIGTERM
 * }
 * }</pre>
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);
    private static final Logger HEALTH = LoggerFactory.getLogger("io.segstream.edge.health");
    private static final long MAINTAIN_MS = 100;
    /** How often tegrastats reports. */
    private static final Duration TEGRASTATS_INTERVAL = Duration.ofSeconds(1);

    private final EdgeOptions options;
    private final DiskSpool spool;
    private final AlertRules rules;
    private volatile OnnxSegmenter segmenter;
    private final ModelFollower follower;
    private final EdgeCounters counters = new EdgeCounters();
    private final IngestMetrics ingestMetrics = new IngestMetrics(System::nanoTime);
    private final CameraSequences sequences;
    private final EdgePipeline pipeline;
    private final SpoolSender sender;
    private final ScheduledExecutorService scheduler;
    private final AlertHook hook;
    private final TegraStatsMonitor tegrastats;
    private IngestService cameras;
    private boolean closed;

    private EdgeAgent(EdgeOptions options, DiskSpool spool, OnnxSegmenter segmenter, AlertRules rules,
            CameraSequences sequences, TegraStatsMonitor tegrastats) {
        this.options = options;
        this.tegrastats = tegrastats;
        this.spool = spool;
        this.segmenter = segmenter;
        this.rules = rules;
        this.sequences = sequences;
        this.hook = options.alertHook() == null ? null : AlertHook.start(options.alertHook());
        this.pipeline = new EdgePipeline(new FrameSegmenter(segmenter, rules, MaskEncoding.PNG_CLASS_IDS),
                rules == null ? null : new AlertEngine(rules), spool, sequences, options.framesPolicy(), counters,
                hook);
        this.sender = new SpoolSender(spool, SpoolSender.topicsOf(options.topics()), options.bootstrap(),
                options.sender());
        this.follower = new ModelFollower(options.bootstrap(), options.topics().models(),
                ReleaseTarget.parseList(options.target()),
                options.spoolDir(), segmenterOptions(options), new Releases());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the spool (recovering what an earlier run left), the model and the rules, starts sending and starts the
     * cameras.
     *
     * @throws IOException         when the spool folder cannot be used
     * @throws ModelException      when the model does not open
     * @throws AlertRulesException when the rules are wrong
     */
    public static EdgeAgent start(EdgeOptions options) throws IOException, ModelException, AlertRulesException {
        Files.createDirectories(options.spoolDir());
        AlertRules rules = loadRules(options.rules());
        DiskSpool spool = DiskSpool.open(options.spoolDir(), options.spool());
        OnnxSegmenter segmenter = null;
        TegraStatsMonitor tegrastats = null;
        try {
            CameraSequences sequences = CameraSequences.open(options.spoolDir());
            Optional<Path> released = ModelFollower.lastServed(options.spoolDir());
            Path modelDir = released.isPresent() ? released.get() : options.model() != null ? options.model()
                    : BootstrapModel.extractBundled(options.spoolDir().resolve("bundled-model")).dir();
            released.ifPresent(dir -> LOG.info("serving the release served before the restart, from {}", dir));
            Files.createDirectories(options.engineCache());
            segmenter = OnnxSegmenter.open(modelDir, segmenterOptions(options));
            tegrastats = TegraStatsMonitor.start(options.tegrastats(), TEGRASTATS_INTERVAL).orElse(null);
            EdgeAgent agent = new EdgeAgent(options, spool, segmenter, rules, sequences, tegrastats);
            agent.begin();
            return agent;
        } catch (IOException | ModelException | RuntimeException e) {
            if (tegrastats != null) {
                tegrastats.close();
            }
            if (segmenter != null) {
                segmenter.close();
            }
            spool.close();
            throw e;
        }
    }

    private static SegmenterOptions segmenterOptions(EdgeOptions options) {
        return SegmenterOptions.builder()
                .optProvider(options.provider())
                .optTensorRtFp16(true)
                .optTensorRtEngineCache(options.engineCache())
                .build();
    }

    private static AlertRules loadRules(String fileOrName) throws AlertRulesException {
        if (fileOrName == null) {
            return null;
        }
        if (AlertRules.BUILT_IN.contains(fileOrName) && !Files.exists(Path.of(fileOrName))) {
            return AlertRules.builtIn(fileOrName);
        }
        return AlertRules.load(Path.of(fileOrName));
    }

    private void begin() {
        LOG.info("edge agent: {} camera(s), model {} on {}, rules {}, send-frames {}, spool {} (max {} bytes), "
                        + "Kafka {} (alerts {}, masks {}, frames {}), release target {}",
                options.cameras().cameras().size(), segmenter.manifest().id(), segmenter.provider(),
                options.rules() == null ? "none" : options.rules(), options.framesPolicy(), options.spoolDir(),
                options.spool().maxBytes(), options.bootstrap(), options.topics().alerts(), options.topics().masks(),
                options.topics().frames(), options.target());
        sender.start();
        follower.start();
        scheduler.scheduleWithFixedDelay(this::maintain, MAINTAIN_MS, MAINTAIN_MS, TimeUnit.MILLISECONDS);
        if (!options.healthInterval().isZero()) {
            long ms = options.healthInterval().toMillis();
            scheduler.scheduleAtFixedRate(() -> HEALTH.info("{}", healthLine()), ms, ms, TimeUnit.MILLISECONDS);
        }
        cameras = IngestService.builder()
                .setSink(pipeline)
                .setMetrics(ingestMetrics)
                .optHealthInterval(options.healthInterval())
                .build();
        cameras.apply(options.cameras());
    }

    private void maintain() {
        try {
            spool.maintain();
        } catch (IOException | RuntimeException e) {
            LOG.error("spool housekeeping failed: {}", e.toString());
        }
    }

    /**
     * One line on the uplink and the spool, e.g. {@code uplink up; spool 1.2 MiB of 4.0 GiB, pending alerts 0, masks 3,
     * frames 0, oldest 0 s; sent alerts 2, masks 118, frames 0; dropped masks 0, frames 0; thinned masks 0;
     * resent 0}.
     */
    public String healthLine() {
        long oldest = spool.oldestPendingTimestamp();
        String age = oldest < 0 ? "-" : Math.max(0, (System.currentTimeMillis() - oldest) / 1000) + " s";
        return String.format(Locale.ROOT, "uplink %s; spool %s of %s, pending alerts %d, masks %d, frames %d, oldest "
                        + "%s; sent alerts %d, masks %d, frames %d; dropped masks %d, frames %d; thinned masks %d; "
                        + "resent %d",
                sender.uplinkUp() ? "up" : sender.failures() == 0 ? "not confirmed yet"
                        : "down" + (sender.uplinkDownSeconds() > 0 ? " for " + sender.uplinkDownSeconds() + " s" : ""),
                bytes(spool.bytes()), bytes(options.spool().maxBytes()), spool.pending(RecordKind.ALERT),
                spool.pending(RecordKind.MASK), spool.pending(RecordKind.FRAME), age, sender.sent(RecordKind.ALERT),
                sender.sent(RecordKind.MASK), sender.sent(RecordKind.FRAME), spool.drops().dropped(RecordKind.MASK),
                spool.drops().dropped(RecordKind.FRAME), spool.drops().thinned(), sender.resent());
    }

    private static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }

    public EdgeOptions options() {
        return options;
    }

    /** The spool, for health and tests. */
    public DiskSpool spool() {
        return spool;
    }

    /** The sender, for health and tests. */
    public SpoolSender sender() {
        return sender;
    }

    /** The agent's own counts per camera. */
    public EdgeCounters counters() {
        return counters;
    }

    /** tegrastats' latest figures, or null where there is no tegrastats (or before its first line). */
    public TegraStats tegraStats() {
        return tegrastats == null ? null : tegrastats.latest();
    }

    /** The site's alert hook, or null when none is configured. */
    public AlertHook alertHook() {
        return hook;
    }

    /** Ingest's per-camera metrics (state, fps, frames grabbed and processed, reconnects). */
    public IngestMetrics cameraMetrics() {
        return ingestMetrics;
    }

    /** The execution provider the model runs on (CPU after a fallback). */
    public String provider() {
        return segmenter.provider().name();
    }

    /** {@code name:version} of the model serving now. */
    public String servingModel() {
        return segmenter.manifest().id();
    }

    /** Swaps released models in and announces refused ones, for the {@link ModelFollower}. */
    private final class Releases implements ModelFollower.Serving {
        @Override
        public String servingId() {
            return segmenter.manifest().id();
        }

        @Override
        public String labelSet() {
            return segmenter.labelSet().name();
        }

        @Override
        public void swap(OnnxSegmenter next, ModelRelease release) {
            OnnxSegmenter old = segmenter;
            pipeline.swap(new FrameSegmenter(next, rules, MaskEncoding.PNG_CLASS_IDS));
            segmenter = next;
            LOG.info("model {} replaced {} between two frames (release {} for target {})", next.manifest().id(),
                    old.manifest().id(), ModelReleases.id(release), release.getTarget());
            old.close();
        }

        @Override
        public void rejected(ModelRelease release, String reason) {
            try {
                pipeline.systemAlert(SystemAlerts.releaseRejected(release, servingId(), reason));
            } catch (IOException | RuntimeException e) {
                LOG.error("could not spool the alert about refused release {}: {}", ModelReleases.id(release),
                        e.toString());
            }
        }
    }

    /**
     * Stops the cameras (frames already grabbed are still segmented and spooled), syncs the spool, sends what it holds
     * for up to the stop timeout, and closes. Records not sent stay in the spool for the next start.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (cameras != null) {
                cameras.close();
            }
            follower.close();
            if (tegrastats != null) {
                tegrastats.close();
            }
            pipeline.flush();
            if (hook != null) {
                // bounded by one hook timeout, so that a stop stays within systemd's TimeoutStopSec with the drain
                hook.close(options.alertHook().timeout());
            }
            sender.drainAndStop(options.stopTimeout());
            scheduler.shutdownNow();
            LOG.info("edge agent stopped: {}", healthLine());
        } finally {
            try {
                spool.close();
            } finally {
                segmenter.close();
            }
        }
    }
}
