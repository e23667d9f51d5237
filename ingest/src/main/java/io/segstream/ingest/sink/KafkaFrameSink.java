package io.segstream.ingest.sink;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.schemas.CameraFrame;
import java.time.Duration;

/**
 * Sends frames to the frames topic through an {@link AvroKafkaProducer}: Avro single-object values, key
 * {@code camera_id} (so a camera's frames stay in order on one partition), idempotent producer with acks=all, the
 * project's size limits and one request in flight per broker ({@link KafkaClientConfigs#producer}).
 *
 * <p>Memory in flight is bounded by the producer's {@code buffer.memory} ({@link Builder#optMaxInFlightBytes}):
 * when it is full, {@link #send} blocks, which is how back-pressure reaches the cameras. The Kafka record timestamp
 * is the time of sending, not the capture time: a replayed drive from last year would otherwise fall straight out of
 * the topic's time-based retention. Consumers read the capture time from the record. A frame that Kafka refuses or
 * loses reaches its callback with an error that names the topic.
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
    private final AvroKafkaProducer<CameraFrame> producer;
    private final Duration closeTimeout;

    private KafkaFrameSink(AvroKafkaProducer<CameraFrame> producer, Duration closeTimeout) {
        this.producer = producer;
        this.closeTimeout = closeTimeout;
    }

    /** A builder with the ingest defaults: client id {@code segstream-ingest}, 5 ms linger, 30 s close timeout. */
    public static Builder builder() {
        return new Builder();
    }

    /** The topic frames go to. */
    public String topic() {
        return producer.topic();
    }

    @Override
    public void send(CameraFrame frame, DeliveryCallback callback) throws InterruptedException {
        producer.send(frame, (metadata, error) -> callback.completed(frame, error));
    }

    @Override
    public void flush() throws InterruptedException {
        producer.awaitCompletion();
    }

    /** Flushes (up to the close timeout) and closes the producer; frames still in flight then fail. */
    @Override
    public void close() {
        producer.close(closeTimeout);
    }

    /** Configures a {@link KafkaFrameSink}; bootstrap servers and topic are required. */
    public static final class Builder {
        private final AvroKafkaProducer.Builder<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                .optClientId("segstream-ingest")
                .optLinger(Duration.ofMillis(5));
        private Duration closeTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** {@code host:port[,host:port]} of the cluster. */
        public Builder setBootstrapServers(String bootstrapServers) {
            producer.setBootstrapServers(bootstrapServers);
            return this;
        }

        /** The frames topic. */
        public Builder setTopic(String topic) {
            producer.setTopic(topic);
            return this;
        }

        /** Bytes of encoded frames the producer may hold before {@code send} blocks; 0 keeps the project default. */
        public Builder optMaxInFlightBytes(long bytes) {
            producer.optMaxInFlightBytes(bytes);
            return this;
        }

        /** The producer's client id; {@code segstream-ingest} by default. */
        public Builder optClientId(String clientId) {
            producer.optClientId(clientId);
            return this;
        }

        /** How long {@link KafkaFrameSink#close()} waits for frames still in flight; 30 s by default. */
        public Builder optCloseTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** One producer setting on top of the defaults, e.g. {@code max.block.ms}. */
        public Builder optProperty(String name, String value) {
            producer.optProperty(name, value);
            return this;
        }

        /** Checks the settings (see {@link AvroKafkaProducer.Builder#build}) and opens the producer. */
        public KafkaFrameSink build() {
            if (closeTimeout == null || closeTimeout.isNegative()) {
                throw new IllegalArgumentException("optCloseTimeout must be zero or positive, got " + closeTimeout);
            }
            return new KafkaFrameSink(producer.build(), closeTimeout);
        }
    }
}
