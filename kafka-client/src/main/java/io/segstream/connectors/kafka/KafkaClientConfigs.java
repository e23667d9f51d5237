package io.segstream.connectors.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where Kafka size limits and client defaults are set, so that broker, topics, producers and
 * consumers agree on how large a record may be, and where every client gets the process's
 * {@linkplain #security() security settings}.
 *
 * <p>A raw 4K frame (3840x2160 RGB, 24.9 MB) must fit, so a value may be up to {@link #MAX_RECORD_BYTES};
 * every limit below is derived from it. Set the same limits on an external cluster's topics (see
 * {@link SegstreamTopics}) and brokers ({@link #brokerSizeLimits()}).
 *
 * <pre>{@code
 * try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaClientConfigs.producer(bootstrap))) { ... }
 * }</pre>
 */
public final class KafkaClientConfigs {
    /** Largest value (encoded record) the pipeline carries: 32 MiB. */
    public static final int MAX_RECORD_BYTES = 32 * 1024 * 1024;

    /** Largest record batch: one maximal record plus room for key, headers and batch framing. */
    public static final int MAX_BATCH_BYTES = MAX_RECORD_BYTES + 1024 * 1024;

    /** Producer buffer: room for two maximal batches in flight. */
    static final long PRODUCER_BUFFER_BYTES = 2L * MAX_BATCH_BYTES;

    /** Largest fetch response: two maximal batches. */
    static final int MAX_FETCH_BYTES = 2 * MAX_BATCH_BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClientConfigs.class);
    private static volatile KafkaClientSecurity security;

    private KafkaClientConfigs() {}

    /**
     * How this process's Kafka clients authenticate: {@link KafkaClientSecurity} from the {@code SEGSTREAM_KAFKA_*}
     * environment variables, parsed once (PLAINTEXT when none is set). Every client this class configures carries
     * it, Flink's sources and sinks included, so the job, ingest, retrain and the CLI share one set of options.
     *
     * @throws IllegalArgumentException when the variables are inconsistent (the message says what to fix)
     */
    public static KafkaClientSecurity security() {
        KafkaClientSecurity s = security;
        if (s == null) {
            synchronized (KafkaClientConfigs.class) {
                if (security == null) {
                    security = KafkaClientSecurity.fromEnvironment(System.getenv());
                    if (!security.isPlaintext()) {
                        LOG.info("Kafka clients connect with {}", security);
                    }
                }
                s = security;
            }
        }
        return s;
    }

    /** Idempotent byte-array producer with acks=all and the size limits; add a transactional id for transactions. */
    public static Properties producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // KAFKA-15591: with several requests in flight, an idempotent producer that sends right after a topic is
        // created can lose records while retrying out-of-order sequence errors; one request in flight avoids it
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        // frames are JPEG/PNG already; compressing them again costs CPU and saves nothing
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.putAll(producerSizeLimits());
        return props;
    }

    /**
     * The producer settings a multi-MB record needs, and the client {@link #security()} (empty unless configured);
     * {@code KafkaSink} producer configs must carry them too.
     */
    public static Map<String, String> producerSizeLimits() {
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_BATCH_BYTES));
        limits.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(PRODUCER_BUFFER_BYTES));
        limits.putAll(security().clientProperties());
        return limits;
    }

    /**
     * Byte-array consumer that reads committed data only (so transactional outputs are seen exactly once),
     * starts at the earliest offset when it has none, never auto-commits, and fetches multi-MB records.
     */
    public static Properties consumer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putAll(consumerSettings());
        return props;
    }

    /**
     * Read-committed isolation, fetch sizes and the client {@link #security()}, for any consumer of segstream topics
     * incl. Flink's KafkaSource.
     */
    public static Map<String, String> consumerSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_BATCH_BYTES));
        settings.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(MAX_FETCH_BYTES));
        settings.putAll(security().clientProperties());
        return settings;
    }

    /** Admin client settings, with the client {@link #security()}. */
    public static Properties admin(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putAll(security().clientProperties());
        return props;
    }

    /** Topic-level limit, set on every segstream topic. */
    public static Map<String, String> topicSizeLimits() {
        return Map.of("max.message.bytes", String.valueOf(MAX_BATCH_BYTES));
    }

    /** Broker settings matching the client limits: accepted batch size, replication fetches, fetch responses. */
    public static Map<String, String> brokerSizeLimits() {
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put("message.max.bytes", String.valueOf(MAX_BATCH_BYTES));
        limits.put("replica.fetch.max.bytes", String.valueOf(MAX_BATCH_BYTES));
        limits.put("replica.fetch.response.max.bytes", String.valueOf(MAX_FETCH_BYTES));
        limits.put("fetch.max.bytes", String.valueOf(MAX_FETCH_BYTES));
        limits.put("socket.request.max.bytes", String.valueOf(2 * MAX_FETCH_BYTES));
        return limits;
    }
}
