package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SegstreamTopicsTest {

    @Test
    void defaultsNameTheFiveTopicsWithSizeLimits() {
        SegstreamTopics topics = SegstreamTopics.defaults();

        assertEquals(List.of("segstream.frames", "segstream.masks", "segstream.alerts", "segstream.models",
                "segstream.dlq"), topics.all().stream().map(TopicSpec::name).toList());
        for (TopicSpec spec : topics.all()) {
            assertEquals(String.valueOf(KafkaClientConfigs.MAX_BATCH_BYTES), spec.configs().get("max.message.bytes"));
            assertEquals(1, spec.replicationFactor());
            assertEquals("1", spec.configs().get("min.insync.replicas"));
        }
        assertEquals("compact", topics.spec(TopicRole.MODELS).configs().get("cleanup.policy"));
        assertEquals(4, topics.spec(TopicRole.FRAMES).partitions());
    }

    @Test
    void prefixPartitionsAndOverridesApply() {
        SegstreamTopics topics = SegstreamTopics.builder()
                .optPrefix("it7.")
                .optPartitions(2)
                .optPartitions(TopicRole.DEAD_LETTERS, 1)
                .optName(TopicRole.ALERTS, "railway.alerts")
                .optReplicationFactor((short) 3)
                .optConfig(TopicRole.FRAMES, "retention.ms", "60000")
                .build();

        assertEquals("it7.frames", topics.frames());
        assertEquals("it7.dlq", topics.deadLetters());
        assertEquals("railway.alerts", topics.alerts());
        assertEquals(2, topics.spec(TopicRole.MASKS).partitions());
        assertEquals(1, topics.spec(TopicRole.DEAD_LETTERS).partitions());
        assertEquals("60000", topics.spec(TopicRole.FRAMES).configs().get("retention.ms"));
        assertEquals("2", topics.spec(TopicRole.MASKS).configs().get("min.insync.replicas"));
    }

    @Test
    void clashingNamesAndBadSpecsAreRefusedWithAFix() {
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> SegstreamTopics.builder()
                .optName(TopicRole.MASKS, "x").optName(TopicRole.ALERTS, "x").build());
        assertTrue(clash.getMessage().contains("[x]") && clash.getMessage().contains("own topic"), clash.getMessage());

        IllegalArgumentException badName = assertThrows(IllegalArgumentException.class,
                () -> SegstreamTopics.builder().optName(TopicRole.FRAMES, "frames with spaces").build());
        assertTrue(badName.getMessage().startsWith("topic name 'frames with spaces' is not valid"),
                badName.getMessage());

        IllegalArgumentException noPartitions = assertThrows(IllegalArgumentException.class,
                () -> SegstreamTopics.builder().optPartitions(0).build());
        assertTrue(noPartitions.getMessage().contains("at least 1 partition"), noPartitions.getMessage());
    }
}
