package io.segstream.connectors.kafka;

import io.segstream.schemas.AvroCodec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A Kafka producer of one Avro record type for code outside Flink (ingest, the edge agent, tests): values are
 * single-object encoded with {@link AvroCodec}, keys come from {@link RecordKey} ({@code camera_id} by default),
 * and the size limits of {@link KafkaClientConfigs} apply. Idempotent, acks=all, not transactional.
 *
 * <p>{@link #send} is asynchronous; a failed send is reported by the next {@link #flush()} or {@link #close()}.
 *
 * <pre>{@code
 * try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
 *         .setBootstrapServers(bootstrap)
 *         .setTopic(topics.frames())
 *         .build()) {
 *     producer.send(frame);
 *     producer.flush();   // throws if any send failed
 * }
 * }</pre>
 *
 * @param <T> the record type
 */
public final class AvroKafkaProducer<T extends SpecificRecord> implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<T> codec;
    private final RecordKey<T> key;
    private final String topic;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private boolean closed;

    private AvroKafkaProducer(Builder<T> b) {
        this.codec = AvroCodec.of(b.type);
        this.key = b.key;
        this.topic = b.topic;
        Properties props = KafkaClientConfigs.producer(b.bootstrapServers);
        props.putAll(b.properties);
        this.producer = new KafkaProducer<>(props);
    }

    /** A builder for records of a generated Avro class. */
    public static <T extends SpecificRecord> Builder<T> builder(Class<T> type) {
        return new Builder<>(type);
    }

    /** The topic this producer writes to. */
    public String topic() {
        return topic;
    }

    /**
     * Encodes the record and hands it to Kafka without waiting.
     *
     * @throws IllegalArgumentException if the record cannot be encoded
     */
    public Future<RecordMetadata> send(T record) {
        requireOpen();
        byte[] value = codec.encode(record);
        return producer.send(new ProducerRecord<>(topic, key.keyOf(record), value), (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
        });
    }

    /** Sends the record and waits until the broker has it. */
    public RecordMetadata sendAndWait(T record) throws IOException {
        try {
            return send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending to " + topic);
        } catch (ExecutionException e) {
            throw new IOException("could not send a " + codec.schema().getName() + " to " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Waits until every record sent so far is acknowledged.
     *
     * @throws IOException if any send since the last flush failed (the message names the first failure)
     */
    public void flush() throws IOException {
        requireOpen();
        producer.flush();
        Exception first = firstFailure.getAndSet(null);
        long count = failed.getAndSet(0);
        if (first != null) {
            throw new IOException(count + " record(s) to " + topic + " failed; the first with "
                    + first.getClass().getSimpleName() + ": " + first.getMessage(), first);
        }
    }

    /** Flushes, then closes the Kafka producer. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            producer.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the producer to " + topic + " is closed");
        }
    }

    /** Configures an {@link AvroKafkaProducer}. */
    public static final class Builder<T extends SpecificRecord> {
        private final Class<T> type;
        private String bootstrapServers;
        private String topic;
        private RecordKey<T> key;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(Class<T> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /** Required: {@code host:port[,host:port]} of the cluster. */
        public Builder<T> setBootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        /** Required: the topic to write to. */
        public Builder<T> setTopic(String topic) {
            this.topic = topic;
            return this;
        }

        /** The record key; by default {@code camera_id} (see {@link RecordKey#defaultFor}). */
        public Builder<T> optKey(RecordKey<T> key) {
            this.key = key;
            return this;
        }

        /** One producer setting on top of {@link KafkaClientConfigs#producer}, e.g. {@code linger.ms}. */
        public Builder<T> optProperty(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** Checks the settings and opens the producer. */
        public AvroKafkaProducer<T> build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("setBootstrapServers is required, e.g. 127.0.0.1:9092");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("setTopic is required, e.g. segstream.frames");
            }
            if (key == null) {
                key = RecordKey.<T>defaultFor(AvroCodec.of(type).schema()).orElseThrow(() ->
                        new IllegalArgumentException(type.getSimpleName() + " has no camera_id field: set optKey"));
            }
            return new AvroKafkaProducer<>(this);
        }
    }
}
