package io.segstream.ingest.sink;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.RecordKey;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;

/**
 * Sends frames to the frames topic: Avro single-object values ({@link AvroCodec}), key {@code camera_id} (so a
 * camera's frames stay in order on one partition), idempotent producer with acks=all and the project's size limits
 * ({@link KafkaClientConfigs#producer}), one request in flight per broker.
 *
 * <p>Memory in flight is bounded by the producer's {@code buffer.memory} ({@link Builder#optMaxInFlightBytes}):
 * when it is full, {@link #send} blocks, which is how back-pressure reaches the cameras. The Kafka record timestamp
 * is the time of sending, not the capture time: a replayed drive from last year would otherwise fall straight out of
 * the topic's time-based retention. Consumers read the capture time from the record.
 *
 * <pre>{@code
 * try (KafkaFrameSink sink = KafkaFrameSink.builder()
 *         .setBootstrapServers("127.0.0.1:9092")
 *         .setTopic("segstream.frames")
 *         .build()) {
 *     sink.send(frame, (f, error) -> { ... });
 * }
 * }</pre>
 */
public final class KafkaFrameSink implements FrameSink {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
    private final RecordKey<CameraFrame> key;
    private final String topic;
    private final Duration closeTimeout;
    private volatile boolean closed;

    private KafkaFrameSink(Builder b) {
        this.topic = b.topic;
        this.closeTimeout = b.closeTimeout;
        this.key = RecordKey.<CameraFrame>defaultFor(CameraFrame.getClassSchema()).orElseThrow();
        Properties props = KafkaClientConfigs.producer(b.bootstrapServers);
        if (b.maxInFlightBytes > 0) {
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(b.maxInFlightBytes));
        }
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, b.clientId);
        props.putAll(b.properties);
        this.producer = new KafkaProducer<>(props);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The topic frames go to. */
    public String topic() {
        return topic;
    }

    @Override
    public void send(CameraFrame frame, DeliveryCallback callback) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException("the Kafka sink for " + topic + " is closed");
        }
        byte[] value = codec.encode(frame);
        try {
            producer.send(new ProducerRecord<>(topic, key.keyOf(frame), value),
                    (metadata, error) -> callback.completed(frame, error));
        } catch (InterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for room in the Kafka producer buffer");
        } catch (KafkaException e) {
            // refused before it was queued (buffer wait timed out, broker unreachable at start, record too large)
            callback.completed(frame, e);
        }
    }

    @Override
    public void flush() throws InterruptedException {
        try {
            producer.flush();
        } catch (InterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while flushing frames to " + topic);
        }
    }

    /** Flushes (up to the close timeout) and closes the producer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(closeTimeout);
    }

    /** Configures a {@link KafkaFrameSink}; bootstrap servers and topic are required. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private long maxInFlightBytes;
        private String clientId = "segstream-ingest";
        private Duration closeTimeout = Duration.ofSeconds(30);
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {}

        /** {@code host:port[,host:port]} of the cluster. */
        public Builder setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** The frames topic. */
        public Builder setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Bytes of encoded frames the producer may hold before {@code send} blocks; 0 keeps the project default. */
        public Builder optMaxInFlightBytes(long bytes) {
            this.maxInFlightBytes = bytes;
            return this;
        }

        public Builder optClientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** How long {@link #close()} waits for frames still in flight. */
        public Builder optCloseTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** One producer setting on top of the defaults, e.g. {@code max.block.ms}. */
        public Builder optProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        public KafkaFrameSink build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("the Kafka sink needs bootstrap servers, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("the Kafka sink needs a topic, e.g. segstream.frames");
            }
            if (maxInFlightBytes < 0 || (maxInFlightBytes > 0
                    && maxInFlightBytes < KafkaClientConfigs.MAX_BATCH_BYTES)) {
                throw new IllegalArgumentException("the in-flight bound must hold at least one maximal record ("
                        + KafkaClientConfigs.MAX_BATCH_BYTES / (1024 * 1024) + " MiB), got "
                        + maxInFlightBytes + " bytes");
            }
            return new KafkaFrameSink(this);
        }
    }
}
