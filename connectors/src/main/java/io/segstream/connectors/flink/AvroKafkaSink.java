package io.segstream.connectors.flink;

import io.segstream.connectors.flink.internal.AvroRecordSerializationSchema;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.AvroCodec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Builds a Flink {@link KafkaSink} of one Avro record type: single-object values, keyed by {@code camera_id}
 * (see {@link RecordKey#defaultFor}), with the multi-MB size limits of {@link KafkaClientConfigs}.
 *
 * <p>At-least-once by default. {@link Builder#optExactlyOnce} writes in Kafka transactions committed on
 * Flink checkpoints: consumers that read committed see every record exactly once across job restarts. The
 * transaction timeout must outlast a checkpoint interval plus a restart, or the broker aborts transactions
 * that Flink still means to commit; it must also not exceed the broker's {@code transaction.max.timeout.ms}
 * (15 min by default). The inference job writes its dead letters exactly once too: at least once, every
 * restart would write again the dead letters since the last checkpoint.
 *
 * <p>Records are stamped with their send time, not the elements' event time: the broker keeps them for the topic's
 * retention from when they were written, however old the drive they come from, and never refuses a timestamp.
 *
 * <p>No record fails the sink: a record that does not encode or exceeds {@link KafkaClientConfigs#MAX_RECORD_BYTES}
 * is counted ({@code recordsUnwritable}), logged and left out. Route such records to dead letters before the sink
 * with {@link SinkGuard} where they matter.
 *
 * <pre>{@code
 * KafkaSink<SegmentationMask> masks = AvroKafkaSink.builder(SegmentationMask.class)
 *         .setBootstrapServers(bootstrap)
 *         .setTopic(topics.masks())
 *         .optExactlyOnce("segstream-inference-masks")
 *         .optCheckpointInterval(Duration.ofSeconds(10))
 *         .build();
 * KafkaSink<DeadLetter> dlq = AvroKafkaSink.builder(DeadLetter.class)
 *         .setBootstrapServers(bootstrap).setTopic(topics.deadLetters())
 *         .optExactlyOnce("segstream-inference-dlq").build();
 * }</pre>
 */
public final class AvroKafkaSink {
    /** Default transaction timeout: the broker's default maximum. */
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /** Time allowed for a restart (failure detection, rescheduling, state restore) on top of a checkpoint interval. */
    public static final Duration RESTART_ALLOWANCE = Duration.ofMinutes(5);

    private AvroKafkaSink() {}

    /** A builder for records of a generated Avro class. */
    public static <T extends SpecificRecordBase> Builder<T> builder(Class<T> type) {
        return new Builder<>(type);
    }

    /** Configures a {@link KafkaSink}. */
    public static final class Builder<T extends SpecificRecordBase> {
        private final Class<T> type;
        private String bootstrapServers;
        private String topic;
        private RecordKey<T> key;
        private String transactionalIdPrefix;
        private Duration transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;
        private Duration checkpointInterval;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(Class<T> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Required: {@code host:port[,host:port]} of the cluster. */
        public Builder<T> setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Required: the topic to write. */
        public Builder<T> setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /**
         * Exactly-once delivery through Kafka transactions. Needs checkpointing on.
         *
         * @param transactionalIdPrefix unique per sink among all jobs on the cluster, stable across restarts
         */
        public Builder<T> optExactlyOnce(String transactionalIdPrefix) {
            this.transactionalIdPrefix = transactionalIdPrefix;
            return this;
        }

        /** Kafka transaction timeout for exactly-once; {@link #DEFAULT_TRANSACTION_TIMEOUT} by default. */
        public Builder<T> optTransactionTimeout(Duration timeout) {
            this.transactionTimeout = timeout;
            return this;
        }

        /** The job's checkpoint interval, so the build can check the transaction timeout outlasts it and a restart. */
        public Builder<T> optCheckpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /** The record key; by default {@code camera_id} (see {@link RecordKey#defaultFor}). */
        public Builder<T> optKey(RecordKey<T> key) {
            this.key = key;
            return this;
        }

        /** One producer setting on top of the segstream defaults, e.g. {@code linger.ms}. */
        public Builder<T> optProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Checks the settings and builds the sink. */
        public KafkaSink<T> build() {
            AvroCodec<T> codec = AvroCodec.of(type);
            if (key == null) {
                key = RecordKey.<T>defaultFor(codec.schema()).orElse(null);
            }
            sanityCheck();
            KafkaSinkBuilder<T> builder = KafkaSink.<T>builder()
                    .setBootstrapServers(bootstrapServers)
                    .setRecordSerializer(new AvroRecordSerializationSchema<>(topic, codec, key,
                            KafkaClientConfigs.MAX_RECORD_BYTES));
            KafkaClientConfigs.producerSizeLimits().forEach(builder::setProperty);
            builder.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            if (transactionalIdPrefix != null) {
                builder.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix)
                        .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                String.valueOf(transactionTimeout.toMillis()));
            } else {
                builder.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
            }
            properties.forEach(builder::setProperty);
            return builder.build();
        }

        private void sanityCheck() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("setTopic is required, e.g. segstream.masks");
            }
            if (key == null) {
                throw new IllegalArgumentException(type.getSimpleName() + " has no camera_id field: set optKey");
            }
            if (transactionalIdPrefix != null && transactionalIdPrefix.isBlank()) {
                throw new IllegalArgumentException("optExactlyOnce needs a transactional id prefix that is unique"
                        + " per sink, e.g. segstream-inference-masks");
            }
            if (transactionTimeout == null || transactionTimeout.isNegative() || transactionTimeout.isZero()) {
                throw new IllegalArgumentException("optTransactionTimeout must be positive, got " + transactionTimeout);
            }
            if (checkpointInterval != null && transactionalIdPrefix != null
                    && transactionTimeout.compareTo(checkpointInterval.plus(RESTART_ALLOWANCE)) < 0) {
                throw new IllegalArgumentException("transaction timeout " + transactionTimeout.toSeconds()
                        + " s must exceed the checkpoint interval (" + checkpointInterval.toSeconds() + " s) plus "
                        + RESTART_ALLOWANCE.toMinutes() + " min for a restart: raise optTransactionTimeout (and the"
                        + " broker's transaction.max.timeout.ms) or checkpoint more often");
            }
        }
    }
}
