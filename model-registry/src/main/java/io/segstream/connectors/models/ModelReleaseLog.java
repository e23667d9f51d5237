package io.segstream.connectors.models;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.RecordDecodeException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models topic up to a fixed end: what was released before a job started. A job takes the end when it is
 * built ({@link #atEnd}), reads the releases before it at start-up ({@link #read}) and streams the releases
 * from it on, so that every release is seen exactly once, by one of the two.
 *
 * <p>Releases come back in topic order, which is release order: the models topic has one partition. Values
 * that do not decode are skipped with a warning (the live stream sends them to the dead-letter topic).
 *
 * <pre>{@code
 * ModelReleaseLog log = ModelReleaseLog.atEnd(bootstrap, "segstream.models", Duration.ofSeconds(30));
 * List<ModelRelease> before = log.read(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topic            the models topic
 * @param endOffsets       partition to the first offset not included; empty when the topic did not exist
 */
public record ModelReleaseLog(String bootstrapServers, String topic, Map<Integer, Long> endOffsets)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelReleaseLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    public ModelReleaseLog {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        endOffsets = Map.copyOf(new TreeMap<>(endOffsets));
    }

    /**
     * The log of {@code topic} up to its current end.
     *
     * @throws IOException when the cluster cannot be reached within {@code timeout}
     */
    public static ModelReleaseLog atEnd(String bootstrapServers, String topic, Duration timeout) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(bootstrapServers))) {
            List<TopicPartition> partitions = partitions(consumer, topic, timeout);
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
            return new ModelReleaseLog(bootstrapServers, topic, ends);
        } catch (TimeoutException e) {
            throw new IOException("cannot read the end of " + topic + " on " + bootstrapServers + " within "
                    + timeout.toSeconds() + " s: " + e.getMessage(), e);
        }
    }

    /** The end offsets keyed by Kafka partition, for a source that starts where this log ends. */
    public Map<TopicPartition, Long> topicPartitionEnds() {
        Map<TopicPartition, Long> out = new HashMap<>();
        endOffsets.forEach((p, o) -> out.put(new TopicPartition(topic, p), o));
        return out;
    }

    /**
     * Every release before the end, in topic order.
     *
     * @throws IOException when the topic cannot be read to the end within {@code timeout}
     */
    public List<ModelRelease> read(Duration timeout) throws IOException {
        List<ModelRelease> out = new ArrayList<>();
        if (endOffsets.values().stream().allMatch(end -> end == 0)) {
            return out;
        }
        AvroCodec<ModelRelease> codec = AvroCodec.of(ModelRelease.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientConfigs.consumer(bootstrapServers))) {
            List<TopicPartition> partitions = new ArrayList<>(topicPartitionEnds().keySet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reachedEnd(consumer)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("did not read " + topic + " on " + bootstrapServers + " up to " + endOffsets
                            + " within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() >= endOffsets.getOrDefault(r.partition(), 0L)) {
                        continue;
                    }
                    try {
                        out.add(codec.decode(r.value()));
                    } catch (RecordDecodeException e) {
                        LOG.warn("{} partition {} offset {} is not a model release and is skipped: {}", topic,
                                r.partition(), r.offset(), e.getMessage());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IOException("cannot read " + topic + " on " + bootstrapServers + ": " + e.getMessage(), e);
        }
        return out;
    }

    private boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer) {
        for (Map.Entry<TopicPartition, Long> end : topicPartitionEnds().entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic,
            Duration timeout) {
        List<PartitionInfo> infos = consumer.listTopics(timeout).get(topic);
        if (infos == null) {
            return List.of();
        }
        return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }
}
