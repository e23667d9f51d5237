package io.segstream.connectors.kafka;

import io.segstream.schemas.AvroCodec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.record.RecordBatch;

/**
 * A Kafka producer of one Avro record type for code outside Flink (ingest, the edge agent, tests): values are
 * single-object encoded with {@link AvroCodec}, keys come from {@link RecordKey} ({@code camera_id} by default),
 * and the size limits of {@link KafkaClientConfigs} apply. Idempotent, acks=all, not transactional.
 *
 * <p>Sends are asynchronous and reported in one of two ways. {@link #send(SpecificRecord)} leaves a failure for the
 * next {@link #flush()} or {@link #close()} to throw. {@link #send(SpecificRecord, Callback)} hands each record's
 * metadata or failure to its callback and to nothing else; a producer used that way waits with
 * {@link #awaitCompletion()} and closes with {@link #close(Duration)}. Thread-safe.
 *
 * <pre>{@code
 * try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
 *         .setBootstrapServers(bootstrap)
 *         .setTopic(topics.frames())
 *         .build()) {
 *     producer.send(frame);
 *     producer.flush();   // throws if any send failed
 *     producer.send(frame, (metadata, error) -> log(frame, metadata, error));
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
    private volatile boolean closed;

    private AvroKafkaProducer(Builder<T> b) {
        this.codec = AvroCodec.of(b.type);
        this.key = b.key;
        this.topic = b.topic;
        Properties props = KafkaClientConfigs.producer(b.bootstrapServers);
        if (b.maxInFlightBytes > 0) {
            props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(b.maxInFlightBytes));
        }
        if (b.linger != null) {
            props.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(b.linger.toMillis()));
        }
        if (b.clientId != null) {
            props.put(ProducerConfig.CLIENT_ID_CONFIG, b.clientId);
        }
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
     * Encodes the record and hands it to Kafka without waiting; a failure is thrown by the next {@link #flush()}.
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

    /**
     * Encodes the record and hands it to Kafka; {@code callback} then gets the record's metadata (partition, offset,
     * timestamp) or its failure, an {@link IOException} that names the topic with Kafka's exception as its cause
     * (the metadata then holds only the topic, and offset -1).
     * Every outcome reaches the callback exactly once, also a refusal before the record was queued (too large, no
     * metadata or no buffer room within {@code max.block.ms}); none is left for {@link #flush()}. Callbacks of one
     * partition run in send order, usually on Kafka's I/O thread, so they must be quick.
     *
     * <p>Blocks while the producer's buffer ({@link Builder#optMaxInFlightBytes}) is full.
     *
     * @throws InterruptedException if interrupted while waiting for buffer room; the record was not sent
     * @throws IllegalArgumentException if the record cannot be encoded
     * @throws IllegalStateException if the producer is closed
     */
    public void send(T record, Callback callback) throws InterruptedException {
        Objects.requireNonNull(callback, "callback");
        requireOpen();
        byte[] value = codec.encode(record);
        try {
            producer.send(new ProducerRecord<>(topic, key.keyOf(record), value),
                    (metadata, error) -> callback.onCompletion(metadata, error == null ? null : failure(error)));
        } catch (InterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while waiting for room in the producer buffer for " + topic);
        } catch (KafkaException e) {
            // Kafka reports most refusals through the callback itself; the rest are thrown, and go the same way
            RecordMetadata none = new RecordMetadata(new TopicPartition(topic, RecordMetadata.UNKNOWN_PARTITION), -1, 0,
                    RecordBatch.NO_TIMESTAMP, -1, -1);
            callback.onCompletion(none, failure(e));
        }
    }

    /** Sends the record and waits until the broker has it. */
    public RecordMetadata sendAndWait(T record) throws IOException {
        try {
            return send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while sending to " + topic);
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
    }

    /**
     * Waits until every record sent so far is acknowledged or has failed, and its callback has run; reports no
     * failures itself. After {@link #close(Duration)} it returns at once.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitCompletion() throws InterruptedException {
        try {
            producer.flush();
        } catch (InterruptException e) {
            Thread.interrupted();
            throw new InterruptedException("interrupted while flushing to " + topic);
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

    /**
     * Closes within {@code timeout}: records still unacknowledged by then fail through their callbacks. Does not
     * throw for failed sends without a callback; {@link #close()} does.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        producer.close(timeout);
    }

    private IOException failure(Throwable cause) {
        return new IOException("could not send a " + codec.schema().getName() + " to " + topic + ": "
                + cause.getMessage(), cause);
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
        private long maxInFlightBytes;
        private Duration linger;
        private String clientId;
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

        /**
         * Bytes of encoded records the producer may hold ({@code buffer.memory}) before a send blocks; at least
         * {@link KafkaClientConfigs#MAX_BATCH_BYTES}. 0 keeps the default of two maximal batches.
         */
        public Builder<T> optMaxInFlightBytes(long bytes) {
            this.maxInFlightBytes = bytes;
            return this;
        }

        /** How long a batch waits for more records before it is sent ({@code linger.ms}); Kafka's 5 ms by default. */
        public Builder<T> optLinger(Duration linger) {
            this.linger = linger;
            return this;
        }

        /** The client id in broker logs, metrics and quotas; Kafka makes one up by default. */
        public Builder<T> optClientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** One producer setting on top of {@link KafkaClientConfigs#producer} and the options above. */
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
            if (maxInFlightBytes < 0
                    || (maxInFlightBytes > 0 && maxInFlightBytes < KafkaClientConfigs.MAX_BATCH_BYTES)) {
                throw new IllegalArgumentException("the in-flight bound must hold at least one maximal record ("
                        + KafkaClientConfigs.MAX_BATCH_BYTES / (1024 * 1024) + " MiB), got " + maxInFlightBytes
                        + " bytes");
            }
            if (linger != null && linger.isNegative()) {
                throw new IllegalArgumentException("optLinger must not be negative, got " + linger);
            }
            if (clientId != null && clientId.isBlank()) {
                throw new IllegalArgumentException("optClientId needs a name, e.g. segstream-ingest");
            }
            if (key == null) {
                key = RecordKey.<T>defaultFor(AvroCodec.of(type).schema()).orElseThrow(() ->
                        new IllegalArgumentException(type.getSimpleName() + " has no camera_id field: set optKey"));
            }
            return new AvroKafkaProducer<>(this);
        }
    }
}
