package io.segstream.connectors.models;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.KafkaTopicAdmin;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.core.model.ModelException;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.ModelRelease;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases a model directory: proves it serves (it loads in ONNX Runtime, its graph matches its manifest, its
 * label set is known, a smoke run gives finite output), stores it with a {@link ModelStore}, and publishes a
 * {@link ModelRelease} on the models topic, keyed by {@code name:version@target}. Running jobs and agents pick it up from there.
 *
 * <pre>{@code
 * ModelReleaser.Released r = ModelReleaser.builder()
 *         .setModelDir(Path.of("export/unet"))
 *         .setStoreRoot(URI.create("s3://models/rail/"))
 *         .setBootstrapServers("kafka:9092")
 *         .optTarget("datacenter")
 *         .build()
 *         .release();
 * }</pre>
 */
public final class ModelReleaser {
    private static final Logger LOG = LoggerFactory.getLogger(ModelReleaser.class);

    /**
     * What a release did.
     *
     * @param release   the record published
     * @param stored    where the artifact is
     * @param topic     the models topic
     * @param partition partition of the record
     * @param offset    offset of the record
     */
    public record Released(ModelRelease release, StoredModel stored, String topic, int partition, long offset) {}

    private final Builder b;

    private ModelReleaser(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Verifies, stores and publishes the model.
     *
     * @throws ModelException      when the model directory cannot serve (the message says why)
     * @throws ModelStoreException when the artifact cannot be stored
     * @throws IOException         when the release cannot be published on the models topic
     */
    public Released release() throws ModelException, ModelStoreException, IOException {
        try (OnnxSegmenter verified = OnnxSegmenter.open(b.modelDir, SegmenterOptions.defaults())) {
            LOG.info("{} loads and gives finite output on a smoke run", verified);
        }
        // the topic first: an unreachable cluster fails the release before anything is stored
        SegstreamTopics topics = SegstreamTopics.builder().optName(TopicRole.MODELS, b.topic).build();
        KafkaTopicAdmin.ensureTopics(b.bootstrapServers, List.of(topics.spec(TopicRole.MODELS)), b.timeout);
        StoredModel stored;
        try (ModelStore store = ModelStore.open(b.storeOptions)) {
            stored = store.put(b.modelDir, b.storeRoot);
        }
        ModelRelease release = ModelReleases.describe(stored, b.target, b.trainingRunId, b.clock.instant());
        RecordMetadata meta;
        try (AvroKafkaProducer<ModelRelease> producer = AvroKafkaProducer.builder(ModelRelease.class)
                .setBootstrapServers(b.bootstrapServers).setTopic(b.topic).build()) {
            meta = producer.sendAndWait(release);
        }
        LOG.info("released {} for target {} on {} partition {} offset {}", ModelReleases.id(release),
                release.getTarget(), b.topic, meta.partition(), meta.offset());
        return new Released(release, stored, b.topic, meta.partition(), meta.offset());
    }

    /** Configures a {@link ModelReleaser}; {@code set*} is required, {@code opt*} optional. */
    public static final class Builder {
        private Path modelDir;
        private URI storeRoot;
        private String bootstrapServers;
        private String topic = TopicRole.MODELS.defaultName();
        private String target = ReleaseTarget.ALL;
        private Optional<String> trainingRunId = Optional.empty();
        private ModelStoreOptions storeOptions = ModelStoreOptions.defaults();
        private Duration timeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The model directory: {@code model.onnx} + {@code model.json}. */
        public Builder setModelDir(Path dir) {
            this.modelDir = dir;
            return this;
        }

        /** Where models are stored: {@code file://}, {@code http(s)://} or {@code s3://}; the model goes below. */
        public Builder setStoreRoot(URI root) {
            this.storeRoot = root;
            return this;
        }

        /** Kafka bootstrap servers of the models topic. */
        public Builder setBootstrapServers(String bootstrap) {
            this.bootstrapServers = bootstrap;
            return this;
        }

        /** The models topic; {@code segstream.models} by default. */
        public Builder optTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** {@code all} (default), {@code datacenter}, {@code edge} or a camera group. */
        public Builder optTarget(String target) {
            this.target = target;
            return this;
        }

        /** The training run that made the model; by default the manifest's {@code training.runId}. */
        public Builder optTrainingRunId(String runId) {
            this.trainingRunId = Optional.ofNullable(runId).filter(s -> !s.isBlank());
            return this;
        }

        /** How to reach the store (S3 endpoint, timeouts). */
        public Builder optStoreOptions(ModelStoreOptions options) {
            this.storeOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** How long Kafka calls may take; 30 s by default. */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** The clock that stamps {@code released_at}. */
        public Builder optClock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Checks every setting and returns the releaser. */
        public ModelReleaser build() {
            if (modelDir == null) {
                throw new IllegalArgumentException("setModelDir is required: the folder holding model.onnx and model.json");
            }
            if (storeRoot == null) {
                throw new IllegalArgumentException("setStoreRoot is required, e.g. file:///srv/models or s3://bucket/models");
            }
            ModelStore.Scheme.of(storeRoot);
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("optTopic needs a topic name, e.g. segstream.models");
            }
            target = ReleaseTarget.validate(target);
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("optTimeout must be positive, got " + timeout);
            }
            return new ModelReleaser(this);
        }
    }
}
