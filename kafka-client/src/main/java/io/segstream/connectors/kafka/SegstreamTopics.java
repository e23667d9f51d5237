package io.segstream.connectors.kafka;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The five segstream topics (frames, masks, alerts, models, dead letters) with their names, partitions and
 * configs; every topic allows records of {@link KafkaClientConfigs#MAX_RECORD_BYTES}.
 *
 * <pre>{@code
 * SegstreamTopics topics = SegstreamTopics.defaults();                  // segstream.frames, ...
 * SegstreamTopics test = SegstreamTopics.builder().optPrefix("it1.").optPartitions(1).build();
 * String frames = test.frames();                                         // "it1.frames"
 * }</pre>
 */
public final class SegstreamTopics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final EnumMap<TopicRole, TopicSpec> specs;

    private SegstreamTopics(EnumMap<TopicRole, TopicSpec> specs) {
        this.specs = specs;
    }

    /** The default names, partitions and configs with replication factor 1 (one broker). */
    public static SegstreamTopics defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The spec of one topic. */
    public TopicSpec spec(TopicRole role) {
        return specs.get(role);
    }

    /** All five specs, in pipeline order. */
    public List<TopicSpec> all() {
        return List.copyOf(specs.values());
    }

    /** Name of the frames topic. */
    public String frames() {
        return specs.get(TopicRole.FRAMES).name();
    }

    /** Name of the masks topic. */
    public String masks() {
        return specs.get(TopicRole.MASKS).name();
    }

    /** Name of the alerts topic. */
    public String alerts() {
        return specs.get(TopicRole.ALERTS).name();
    }

    /** Name of the models topic. */
    public String models() {
        return specs.get(TopicRole.MODELS).name();
    }

    /** Name of the dead-letter topic. */
    public String deadLetters() {
        return specs.get(TopicRole.DEAD_LETTERS).name();
    }

    @Override
    public String toString() {
        return "SegstreamTopics" + all();
    }

    /** Builds {@link SegstreamTopics}; {@code opt*} methods override the defaults. */
    public static final class Builder {
        private final Map<TopicRole, String> names = new EnumMap<>(TopicRole.class);
        private final Map<TopicRole, Integer> partitions = new EnumMap<>(TopicRole.class);
        private final Map<TopicRole, Map<String, String>> configs = new EnumMap<>(TopicRole.class);
        private Integer allPartitions;
        private String prefix;
        private short replicationFactor = 1;

        private Builder() {}

        /** Names every topic {@code prefix + role} ({@code frames, masks, alerts, models, dlq}), e.g. for tests. */
        public Builder optPrefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** The name of one topic, overriding the default and the prefix. */
        public Builder optName(TopicRole role, String name) {
            names.put(role, name);
            return this;
        }

        /** Partition count of every topic (per-role settings win). */
        public Builder optPartitions(int count) {
            this.allPartitions = count;
            return this;
        }

        /** Partition count of one topic. */
        public Builder optPartitions(TopicRole role, int count) {
            partitions.put(role, count);
            return this;
        }

        /** Replication factor of every topic (1 for one broker, 3 in production); min.insync.replicas follows. */
        public Builder optReplicationFactor(short factor) {
            this.replicationFactor = factor;
            return this;
        }

        /** One topic config of one topic, e.g. {@code retention.ms}. */
        public Builder optConfig(TopicRole role, String key, String value) {
            configs.computeIfAbsent(role, r -> new HashMap<>()).put(key, value);
            return this;
        }

        /** Checks the settings and builds the specs. */
        public SegstreamTopics build() {
            EnumMap<TopicRole, TopicSpec> specs = new EnumMap<>(TopicRole.class);
            Set<String> seen = new HashSet<>();
            List<String> clashes = new ArrayList<>();
            for (TopicRole role : TopicRole.values()) {
                String name = names.getOrDefault(role, prefix == null ? role.defaultName()
                        : prefix + role.defaultName().substring("segstream.".length()));
                if (!seen.add(name)) {
                    clashes.add(name);
                }
                int count = partitions.getOrDefault(role,
                        allPartitions != null ? allPartitions : role.defaultPartitions());
                Map<String, String> topicConfigs = new HashMap<>(KafkaClientConfigs.topicSizeLimits());
                topicConfigs.putAll(role.defaultConfigs());
                topicConfigs.put("min.insync.replicas", String.valueOf(Math.max(1, replicationFactor - 1)));
                topicConfigs.putAll(configs.getOrDefault(role, Map.of()));
                specs.put(role, new TopicSpec(name, count, replicationFactor, topicConfigs));
            }
            if (!clashes.isEmpty()) {
                throw new IllegalArgumentException("two topic roles share the name(s) " + clashes
                        + ": give each of frames, masks, alerts, models and dlq its own topic");
            }
            return new SegstreamTopics(specs);
        }
    }
}
