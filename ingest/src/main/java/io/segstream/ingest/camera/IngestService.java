package io.segstream.ingest.camera;

import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.ingest.sink.FrameSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many cameras in one process: one {@link CameraWorker} per camera, all sending to one {@link FrameSink}; a watchdog
 * for hung reads, a health line per camera every few seconds, and reloads of the camera list that start, stop or
 * restart only the cameras whose entry changed.
 *
 * <pre>{@code
 * try (IngestService service = IngestService.builder().setSink(sink).setMetrics(metrics).build()) {
 *     service.apply(CamerasConfig.read(file));
 *     service.watch(file, Files.readAllBytes(file));
 *     ... // until shutdown
 * }
 * }</pre>
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Logger HEALTH = LoggerFactory.getLogger("io.segstream.ingest.health");

    private final FrameSink sink;
    private final IngestMetrics metrics;
    private final IngestClock clock;
    private final Supplier<Backoff> backoffs;
    private final Duration stopTimeout;
    private final ScheduledExecutorService scheduler;
    private final Map<String, CameraWorker> workers = new LinkedHashMap<>();
    private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();
    private boolean closed;

    private IngestService(Builder b) {
        this.sink = b.sink;
        this.metrics = b.metrics;
        this.clock = b.clock;
        this.backoffs = b.backoffs;
        this.stopTimeout = b.stopTimeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-watchdog");
            t.setDaemon(true);
            return t;
        });
        long watchdogMillis = b.watchdogInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::checkStalls, watchdogMillis, watchdogMillis, TimeUnit.MILLISECONDS);
        if (!b.healthInterval.isZero()) {
            long healthMillis = b.healthInterval.toMillis();
            scheduler.scheduleAtFixedRate(this::logHealth, healthMillis, healthMillis, TimeUnit.MILLISECONDS);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes the running cameras match {@code config}: starts new ones, stops removed ones, restarts changed ones and
     * leaves the others untouched. A camera's {@code seq} continues across its restarts.
     */
    public synchronized void apply(CamerasConfig config) {
        if (closed) {
            throw new IllegalStateException("the ingest service is closed");
        }
        List<String> started = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        List<String> restarted = new ArrayList<>();
        List<CameraWorker> stopping = new ArrayList<>();
        for (CameraWorker w : new ArrayList<>(workers.values())) {
            CameraConfig wanted = config.camera(w.config().id());
            if (wanted == null || !wanted.equals(w.config())) {
                w.beginStop();
                stopping.add(w);
                workers.remove(w.config().id());
                (wanted == null ? stopped : restarted).add(w.config().id());
            }
        }
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        for (CameraWorker w : stopping) {
            w.awaitStopped(deadline);
            if (config.camera(w.config().id()) == null) {
                metrics.remove(w.config().id());
                sequences.remove(w.config().id());
            }
        }
        for (CameraConfig c : config.cameras()) {
            if (!workers.containsKey(c.id())) {
                CameraMetrics m = metrics.camera(c.id());
                AtomicLong seq = sequences.computeIfAbsent(c.id(), id -> new AtomicLong());
                CameraWorker w = new CameraWorker(c, sink, m, seq, clock, backoffs.get());
                workers.put(c.id(), w);
                w.start();
                if (!restarted.contains(c.id())) {
                    started.add(c.id());
                }
            }
        }
        LOG.info("cameras: {} running; started {}, stopped {}, restarted {}", workers.size(), started, stopped,
                restarted);
    }

    /**
     * Polls {@code file} every second and applies valid new versions; {@code applied} is the content applied already.
     */
    public void watch(java.nio.file.Path file, byte[] applied) {
        ConfigWatcher watcher = new ConfigWatcher(file, applied, this::applyFromWatcher);
        scheduler.scheduleWithFixedDelay(watcher::poll, 1, 1, TimeUnit.SECONDS);
    }

    private void applyFromWatcher(CamerasConfig config) {
        try {
            apply(config);
        } catch (RuntimeException e) {
            LOG.error("applying the new camera list failed; the running cameras stay as they are", e);
        }
    }

    /** The ids of the running cameras. */
    public synchronized List<String> cameraIds() {
        return List.copyOf(workers.keySet());
    }

    private void checkStalls() {
        List<CameraWorker> all;
        synchronized (this) {
            all = List.copyOf(workers.values());
        }
        for (CameraWorker w : all) {
            try {
                w.checkStall();
            } catch (RuntimeException e) {
                LOG.error("the stall check of camera {} failed", w.config().id(), e);
            }
        }
    }

    private void logHealth() {
        for (CameraMetrics m : metrics.cameras()) {
            HEALTH.info("{}", HealthLine.of(m));
        }
    }

    /** Stops every camera (queued frames are still sent), then flushes the sink. The sink stays open. */
    @Override
    public void close() {
        List<CameraWorker> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(workers.values());
            workers.clear();
        }
        scheduler.shutdownNow();
        all.forEach(CameraWorker::beginStop);
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        all.forEach(w -> w.awaitStopped(deadline));
        try {
            sink.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        logHealth();
    }

    /** Builds an {@link IngestService}; the sink and metrics are required. */
    public static final class Builder {
        private FrameSink sink;
        private IngestMetrics metrics;
        private IngestClock clock = IngestClock.SYSTEM;
        private Supplier<Backoff> backoffs = Backoff::forCameras;
        private Duration healthInterval = Duration.ofSeconds(30);
        private Duration watchdogInterval = Duration.ofSeconds(1);
        private Duration stopTimeout = Duration.ofSeconds(10);

        private Builder() {}

        public Builder setSink(FrameSink sink) {
            this.sink = sink;
            return this;
        }

        public Builder setMetrics(IngestMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder optClock(IngestClock clock) {
            this.clock = clock;
            return this;
        }

        /** One back-off per camera, made by this supplier. */
        public Builder optBackoffs(Supplier<Backoff> backoffs) {
            this.backoffs = backoffs;
            return this;
        }

        /** How often a health line per camera is logged; zero for never. */
        public Builder optHealthInterval(Duration interval) {
            this.healthInterval = interval;
            return this;
        }

        public Builder optWatchdogInterval(Duration interval) {
            this.watchdogInterval = interval;
            return this;
        }

        /** How long stopping waits for a camera's threads (and its queued frames) before moving on. */
        public Builder optStopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        public IngestService build() {
            Objects.requireNonNull(sink, "an ingest service needs a frame sink");
            Objects.requireNonNull(metrics, "an ingest service needs metrics");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(backoffs, "backoffs");
            if (healthInterval.isNegative() || watchdogInterval.isNegative() || watchdogInterval.isZero()
                    || stopTimeout.isNegative()) {
                throw new IllegalArgumentException("health interval, watchdog interval and stop timeout must not be "
                        + "negative, and the watchdog interval must be positive");
            }
            return new IngestService(this);
        }
    }
}
