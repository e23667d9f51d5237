package io.segstream.connectors.flink;

import io.segstream.connectors.flink.internal.DecodingDeserializationSchema;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.schemas.AvroCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Builds a Flink {@link KafkaSource} of one Avro record type that never fails on a bad value: it emits
 * {@link Decoded} records, and values that do not decode (garbage, empty, truncated, another schema) arrive
 * as dead letters with their source topic, partition, offset and reason. Split them with {@link DecodedSplit}.
 *
 * <p>The consumer reads committed data only and fetches records up to {@link KafkaClientConfigs#MAX_RECORD_BYTES}.
 * It starts from the group's committed offsets (earliest when there are none) unless told otherwise; offsets
 * are committed on checkpoints.
 *
 * <pre>{@code
 * KafkaSource<Decoded<CameraFrame>> source = AvroKafkaSource.builder(CameraFrame.class)
 *         .setBootstrapServers(bootstrap)
 *         .setTopic(topics.frames())
 *         .setGroupId("segstream-inference")
 *         .build();
 * DataStream<Decoded<CameraFrame>> frames = env.fromSource(source, watermarks, "frames");
 * }</pre>
 */
public final class AvroKafkaSource {
    private AvroKafkaSource() {}

    /** A builder for records of a generated Avro class. */
    public static <T extends SpecificRecordBase> Builder<T> builder(Class<T> type) {
        return new Builder<>(type);
    }

    /** Configures a {@link KafkaSource} of {@link Decoded} records. */
    public static final class Builder<T extends SpecificRecordBase> {
        private final Class<T> type;
        private String bootstrapServers;
        private String topic;
        private String groupId;
        private OffsetsInitializer startingOffsets;
        private OffsetsInitializer stoppingOffsets;
        private final List<Schema> writerSchemas = new ArrayList<>();
        private int maxDeadLetterPayloadBytes = DeadLetters.DEFAULT_MAX_PAYLOAD_BYTES;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(Class<T> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Required: {@code host:port[,host:port]} of the cluster. */
        public Builder<T> setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Required: the topic to read. */
        public Builder<T> setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Required: the consumer group whose offsets are committed on checkpoints. */
        public Builder<T> setGroupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** Where to start without checkpointed state; by default the committed offsets, else the earliest. */
        public Builder<T> optStartingOffsets(OffsetsInitializer startingOffsets) {
            this.startingOffsets = startingOffsets;
            return this;
        }

        /** Makes the source bounded: it stops at these offsets (e.g. {@code OffsetsInitializer.latest()}). */
        public Builder<T> optBounded(OffsetsInitializer stoppingOffsets) {
            this.stoppingOffsets = stoppingOffsets;
            return this;
        }

        /** Older or newer schemas of the record type that producers may have written with. */
        public Builder<T> optWriterSchemas(Schema... schemas) {
            writerSchemas.addAll(Arrays.asList(schemas));
            return this;
        }

        /** How much of a bad value a dead letter keeps; {@link DeadLetters#DEFAULT_MAX_PAYLOAD_BYTES} by default. */
        public Builder<T> optMaxDeadLetterPayloadBytes(int bytes) {
            this.maxDeadLetterPayloadBytes = bytes;
            return this;
        }

        /** One consumer setting on top of the segstream defaults. */
        public Builder<T> optProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Checks the settings and builds the source. */
        public KafkaSource<Decoded<T>> build() {
            sanityCheck();
            AvroCodec<T> codec = AvroCodec.of(type).withWriterSchemas(writerSchemas.toArray(Schema[]::new));
            KafkaSourceBuilder<Decoded<T>> builder = KafkaSource.<Decoded<T>>builder()
                    .setBootstrapServers(bootstrapServers)
                    .setTopics(topic)
                    .setGroupId(groupId)
                    .setClientIdPrefix(groupId + "-" + topic)
                    .setStartingOffsets(startingOffsets != null ? startingOffsets : committedOrEarliest())
                    .setDeserializer(new DecodingDeserializationSchema<>(type, codec, maxDeadLetterPayloadBytes));
            KafkaClientConfigs.consumerSettings().forEach(builder::setProperty);
            properties.forEach(builder::setProperty);
            if (stoppingOffsets != null) {
                builder.setBounded(stoppingOffsets);
            }
            return builder.build();
        }

        @SuppressWarnings("deprecation") // the connector's API still takes Kafka's OffsetResetStrategy
        private static OffsetsInitializer committedOrEarliest() {
            return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }

        private void sanityCheck() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("setTopic is required, e.g. segstream.frames");
            }
            if (groupId == null || groupId.isBlank()) {
                throw new IllegalArgumentException("setGroupId is required, e.g. segstream-inference");
            }
            if (maxDeadLetterPayloadBytes < 0) {
                throw new IllegalArgumentException("optMaxDeadLetterPayloadBytes must be >= 0, got "
                        + maxDeadLetterPayloadBytes);
            }
        }
    }
}
