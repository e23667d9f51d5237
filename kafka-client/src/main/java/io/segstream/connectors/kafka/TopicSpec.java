package io.segstream.connectors.kafka;

import java.io.Serializable;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * A Kafka topic as segstream needs it: name, partition count, replication factor and topic configs.
 *
 * @param name the topic name
 * @param partitions number of partitions, at least 1
 * @param replicationFactor replicas per partition, at least 1
 * @param configs topic-level configs (e.g. {@code max.message.bytes}, {@code retention.ms})
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs)
        implements Serializable {

    /** Checks the name and counts and freezes the configs. */
    public TopicSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a topic needs a name");
        }
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw new IllegalArgumentException("topic name '" + name + "' is not valid: " + e.getMessage(), e);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + " needs at least 1 partition, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("topic " + name + " needs a replication factor of at least 1, got "
                    + replicationFactor);
        }
        configs = Map.copyOf(new TreeMap<>(configs));
    }

    /** The value of one topic config, if set. */
    public Optional<String> config(String key) {
        return Optional.ofNullable(configs.get(key));
    }

    /** The admin-client request that creates this topic. */
    public NewTopic toNewTopic() {
        return new NewTopic(name, partitions, replicationFactor).configs(configs);
    }
}
