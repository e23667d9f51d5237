package io.segstream.connectors.kafka;

import java.time.Duration;
import java.util.Map;

/** The part a topic plays in the pipeline, with its default name, partition count and retention. */
public enum TopicRole {
    /** Camera frames in, several MB each; short retention because stale frames are worthless. */
    FRAMES("segstream.frames", 4, Map.of("retention.ms", millis(Duration.ofHours(1)))),
    /** Segmentation masks out. */
    MASKS("segstream.masks", 4, Map.of("retention.ms", millis(Duration.ofDays(1)))),
    /** Alert state changes out; small, kept long for audits. */
    ALERTS("segstream.alerts", 4, Map.of("retention.ms", millis(Duration.ofDays(30)))),
    /** Model releases keyed by {@code name:version@target}; compacted, so the latest record of each release stays. */
    MODELS("segstream.models", 1, Map.of("cleanup.policy", "compact")),
    /** Records that could not be processed, with the reason. */
    DEAD_LETTERS("segstream.dlq", 1, Map.of("retention.ms", millis(Duration.ofDays(7))));

    private final String defaultName;
    private final int defaultPartitions;
    private final Map<String, String> defaultConfigs;

    TopicRole(String defaultName, int defaultPartitions, Map<String, String> defaultConfigs) {
        this.defaultName = defaultName;
        this.defaultPartitions = defaultPartitions;
        this.defaultConfigs = defaultConfigs;
    }

    /** Name used unless configured otherwise, e.g. {@code segstream.frames}. */
    public String defaultName() {
        return defaultName;
    }

    /** Partition count used unless configured otherwise. */
    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Topic configs of this role, without the size limits every topic gets. */
    public Map<String, String> defaultConfigs() {
        return defaultConfigs;
    }

    private static String millis(Duration d) {
        return String.valueOf(d.toMillis());
    }
}
