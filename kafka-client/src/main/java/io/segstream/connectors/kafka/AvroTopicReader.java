package io.segstream.connectors.kafka;

import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.RecordDecodeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads one topic of Avro records with read_committed isolation, outside Flink: for tests, the demo's live
 * view and tools. It reads every partition (no consumer group) from the beginning, or from the end with
 * {@link Builder#optFromEnd()}.
 *
 * <pre>{@code
 * try (AvroTopicReader<SegmentationMask> reader = AvroTopicReader.builder(SegmentationMask.class)
 *         .setBootstrapServers(bootstrap)
 *         .setTopic(topics.masks())
 *         .build()) {
 *     List<SegmentationMask> masks = reader.readAtLeast(10, Duration.ofSeconds(30));
 *     List<SegmentationMask> extra = reader.readToEnd(Duration.ofSeconds(10));   // anything beyond the 10
 * }
 * }</pre>
 *
 * @param <T> the record type
 */
public final class AvroTopicReader<T extends SpecificRecord> implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<T> codec;
    private final String topic;
    private final List<TopicPartition> partitions;

    private AvroTopicReader(Builder<T> b) throws IOException {
        this.codec = AvroCodec.of(b.type);
        this.topic = b.topic;
        Properties props = KafkaClientConfigs.consumer(b.bootstrapServers);
        props.putAll(b.properties);
        this.consumer = new KafkaConsumer<>(props);
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, b.timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IOException("topic " + topic + " does not exist on " + b.bootstrapServers
                        + ": create it first (EmbeddedKafka and the job create segstream topics on start)");
            }
            this.partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (b.fromEnd) {
                consumer.seekToEnd(partitions);
            } else {
                consumer.seekToBeginning(partitions);
            }
        } catch (IOException | RuntimeException e) {
            consumer.close();
            throw e instanceof IOException io ? io
                    : new IOException("cannot read " + topic + " on " + b.bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** A builder for records of a generated Avro class. */
    public static <T extends SpecificRecord> Builder<T> builder(Class<T> type) {
        return new Builder<>(type);
    }

    /**
     * The records that arrive within {@code timeout} (possibly none), decoded, with key and position.
     *
     * @throws IOException if a value does not decode as the reader's type (the message gives its position)
     */
    public List<ReceivedRecord<T>> poll(Duration timeout) throws IOException {
        List<ReceivedRecord<T>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            try {
                out.add(new ReceivedRecord<>(SourcePosition.of(record), record.key(), codec.decode(record.value())));
            } catch (RecordDecodeException e) {
                throw new IOException(topic + " partition " + record.partition() + " offset " + record.offset()
                        + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Reads until at least {@code count} records have arrived.
     *
     * @throws IOException if fewer arrive within {@code timeout}, or one does not decode
     */
    public List<T> readAtLeast(int count, Duration timeout) throws IOException {
        List<T> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (values.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IOException("read " + values.size() + " of " + count + " records from " + topic
                        + " within " + timeout.toSeconds() + " s");
            }
            poll(POLL).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    /**
     * Reads until every partition is at the end it had when this call started (for read_committed: the last
     * committed transaction), so the result is everything committed and not read before.
     *
     * @throws IOException if the end is not reached within {@code timeout}, or a record does not decode
     */
    public List<T> readToEnd(Duration timeout) throws IOException {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        List<T> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!atEnd(ends)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("did not reach the end of " + topic + " within " + timeout.toSeconds()
                        + " s (read " + values.size() + " records)");
            }
            poll(POLL).forEach(r -> values.add(r.value()));
        }
        return values;
    }

    private boolean atEnd(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Closes the Kafka consumer. */
    @Override
    public void close() {
        consumer.close();
    }

    /** Configures an {@link AvroTopicReader}. */
    public static final class Builder<T extends SpecificRecord> {
        private final Class<T> type;
        private String bootstrapServers;
        private String topic;
        private boolean fromEnd;
        private Duration timeout = Duration.ofSeconds(30);
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

        /** Start at the current end: only records written after {@code build()} are read. */
        public Builder<T> optFromEnd() {
            this.fromEnd = true;
            return this;
        }

        /** How long {@code build()} may wait for the topic's metadata; 30 s by default. */
        public Builder<T> optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** One consumer setting on top of {@link KafkaClientConfigs#consumer}. */
        public Builder<T> optProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /**
         * Checks the settings, opens the consumer and positions it.
         *
         * @throws IOException if the topic does not exist or the cluster cannot be reached
         */
        public AvroTopicReader<T> build() throws IOException {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("setTopic is required, e.g. segstream.masks");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("optTimeout must be positive, got " + timeout);
            }
            return new AvroTopicReader<>(this);
        }
    }
}
