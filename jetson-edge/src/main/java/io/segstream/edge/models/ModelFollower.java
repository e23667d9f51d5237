package io.segstream.edge.models;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.models.ModelArtifact;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreException;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.RecordDecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the models topic for the agent's release targets on a thread of its own: fetches a release, verifies it
 * (size and SHA-256 while it downloads, the manifest against the release, the label set against the serving model's,
 * ONNX Runtime loads it and a smoke run is finite; TensorRT builds its engine here, into the engine cache) and warms it
 * up, all off the frames' path; then hands it to the {@link Serving} to swap in between two frames. A release that
 * fails is refused and announced ({@link Serving#rejected}); the serving model stays.
 *
 * <p>At start the topic is read to its end and the newest release for the targets that verifies is served; after that
 * releases are taken in topic order (rolling back is releasing an older version again). The release served last is
 * written to {@code serving-release} in the agent's folder with its local directory, so a restart serves it again
 * without the uplink. While the uplink is down the follower waits and retries.
 */
public final class ModelFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);
    static final String SERVING_FILE = "serving-release";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(5);

    /** What the follower swaps models into. */
    public interface Serving {
        /** {@code name:version} of the serving model. */
        String servingId();

        /** The label set the serving model (and the rules) use. */
        String labelSet();

        /** Takes {@code next} into service between two frames; the callee closes the model it replaces. */
        void swap(OnnxSegmenter next, ModelRelease release);

        /** A release that cannot serve; the serving model stays. */
        void rejected(ModelRelease release, String reason);
    }

    private final String bootstrap;
    private final String topic;
    private final Set<String> targets;
    private final Path stateDir;
    private final SegmenterOptions segmenterOptions;
    private final Serving serving;
    private final AvroCodec<ModelRelease> codec = AvroCodec.of(ModelRelease.class);
    private final Thread thread;
    private volatile boolean running;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param stateDir the agent's folder: the model cache and {@code serving-release} live there
     */
    public ModelFollower(String bootstrap, String topic, Set<String> targets, Path stateDir,
            SegmenterOptions segmenterOptions, Serving serving) {
        this.bootstrap = Objects.requireNonNull(bootstrap, "bootstrap");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.targets = Set.copyOf(targets);
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.segmenterOptions = Objects.requireNonNull(segmenterOptions, "segmenterOptions");
        this.serving = Objects.requireNonNull(serving, "serving");
        this.thread = new Thread(this::run, "edge-model-follower");
        this.thread.setDaemon(true);
    }

    /**
     * The model directory the previous run served from a release, when it is still on disk; else empty.
     */
    public static Optional<Path> lastServed(Path stateDir) {
        Path file = stateDir.resolve(SERVING_FILE);
        try {
            if (Files.exists(file)) {
                Path dir = Path.of(Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("")
                        .strip());
                if (Files.exists(dir.resolve(ModelDirectory.MODEL_FILE))) {
                    return Optional.of(dir);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read {}: {}; starting with the configured model", file, e.toString());
        }
        return Optional.empty();
    }

    public void start() {
        running = true;
        thread.start();
    }

    private void run() {
        boolean caughtUp = false;
        while (running) {
            try {
                if (consumer == null) {
                    consumer = open();
                    caughtUp = false;
                }
                if (!caughtUp) {
                    serveNewest(readToEnd());
                    caughtUp = true;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    ModelRelease release = decode(r);
                    if (release != null && applies(release)) {
                        prepareAndSwap(release);
                    }
                }
            } catch (KafkaException | IOException e) {
                if (!running) {
                    break;
                }
                LOG.debug("models topic {} not readable ({}); trying again in {} s", topic, e.toString(),
                        RETRY.toSeconds());
                closeConsumer();
                sleep(RETRY);
            }
        }
        closeConsumer();
    }

    private KafkaConsumer<byte[], byte[]> open() throws IOException {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(KafkaClientConfigs.consumer(bootstrap));
        try {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                throw new IOException("topic " + topic + " does not exist (yet)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private List<ModelRelease> readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
        List<ModelRelease> log = new ArrayList<>();
        while (running && ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                ModelRelease release = decode(r);
                if (release != null) {
                    log.add(release);
                }
            }
        }
        return log;
    }

    /** The newest release for the targets that verifies, unless it serves already. */
    private void serveNewest(List<ModelRelease> log) {
        for (ModelRelease release : ModelReleases.newestFirst(log, targets)) {
            if ((release.getName() + ":" + release.getVersion()).equals(serving.servingId())) {
                return;
            }
            if (prepareAndSwap(release)) {
                return;
            }
        }
    }

    private boolean applies(ModelRelease release) {
        return ReleaseTarget.applies(release.getTarget(), targets)
                && !(release.getName() + ":" + release.getVersion()).equals(serving.servingId());
    }

    /** Fetches, verifies and warms up the release, then swaps it in; false (and announced) when it cannot serve. */
    private boolean prepareAndSwap(ModelRelease release) {
        String id = ModelReleases.id(release);
        long t0 = System.nanoTime();
        try {
            Path dir = fetch(release);
            OnnxSegmenter next = OnnxSegmenter.open(dir, segmenterOptions);
            try {
                warmUp(next);
            } catch (RuntimeException e) {
                next.close();
                throw new ModelException("release " + id + " fails on a warm-up frame: " + e.getMessage(), e);
            }
            LOG.info("release {} fetched, verified and warmed up in {} ms; swapping it in", id,
                    (System.nanoTime() - t0) / 1_000_000);
            serving.swap(next, release);
            remember(dir);
            return true;
        } catch (ModelException e) {
            LOG.warn("release {} refused, {} keeps serving: {}", id, serving.servingId(), e.getMessage());
            serving.rejected(release, e.getMessage());
            return false;
        }
    }

    private Path fetch(ModelRelease release) throws ModelException {
        String id = ModelReleases.id(release);
        ModelArtifact artifact;
        try {
            artifact = ModelArtifact.of(release);
        } catch (IllegalArgumentException e) {
            throw new ModelException("release " + id + " is malformed: " + e.getMessage(), e);
        }
        Path dir;
        try (ModelStore store = ModelStore.open(ModelStoreOptions.fromMap(Map.of()))) {
            dir = store.fetch(artifact, stateDir.resolve("model-cache"));
        } catch (ModelStoreException e) {
            throw new ModelException(e.getMessage(), e);
        }
        ModelManifest manifest = ModelDirectory.at(dir).readManifest();
        List<String> contradictions = ModelReleases.contradictions(release, manifest);
        if (!contradictions.isEmpty()) {
            throw new ModelException("the manifest of release " + id + " contradicts the release: "
                    + String.join("; ", contradictions));
        }
        if (!manifest.labelSetName().equals(serving.labelSet())) {
            throw new ModelException("release " + id + " labels pixels with " + manifest.labelSetName()
                    + " but this agent serves " + serving.labelSet() + "; its alert rules and the mask consumers read"
                    + " class ids of one label set, so release a " + serving.labelSet() + " model for this target");
        }
        return dir;
    }

    /** Two runs on a grey frame of the model's input size: TensorRT and the CPU kernels settle before real frames. */
    private static void warmUp(OnnxSegmenter model) {
        ModelManifest m = model.manifest();
        byte[] grey = new byte[m.inputWidth() * m.inputHeight() * 3];
        Arrays.fill(grey, (byte) 128);
        RgbImage image = RgbImage.ofRgb(m.inputWidth(), m.inputHeight(), grey);
        model.segment(image);
        model.segment(image);
    }

    private void remember(Path dir) {
        Path file = stateDir.resolve(SERVING_FILE);
        Path tmp = stateDir.resolve(SERVING_FILE + ".tmp");
        try {
            Files.writeString(tmp, dir.toAbsolutePath() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}; a restart serves the configured model until the release is read again",
                    file, e.toString());
        }
    }

    private ModelRelease decode(ConsumerRecord<byte[], byte[]> r) {
        try {
            return codec.decode(r.value());
        } catch (RecordDecodeException e) {
            LOG.warn("models topic {} offset {}: not a release ({}); skipped", topic, r.offset(), e.getMessage());
            return null;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeConsumer() {
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                LOG.debug("closing the models consumer: {}", e.toString());
            }
            consumer = null;
        }
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
