package io.segstream.cli;

import io.segstream.connectors.kafka.KafkaTopicAdmin;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Kafka options shared by {@code ingest} and {@code replay}, and the creation of the frames topic. */
final class IngestOptions {
    private IngestOptions() {}

    /** Creates the frames topic when it is missing; the message of a failure names the cluster. */
    static void ensureFramesTopic(String bootstrap, String topic) throws IOException {
        SegstreamTopics topics = SegstreamTopics.builder().optName(TopicRole.FRAMES, topic).build();
        try {
            KafkaTopicAdmin.ensureTopics(bootstrap, List.of(topics.spec(TopicRole.FRAMES)), Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new IOException("cannot reach Kafka at " + bootstrap + " to check topic " + topic + " ("
                    + e.getMessage() + "); is the broker running? (./segstream broker starts one)", e);
        }
    }
}
