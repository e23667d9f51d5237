package io.segstream.ingest.testing;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.ingest.sink.KafkaFrameSink;
import io.segstream.schemas.CameraFrame;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Frames-topic helpers for tests against the embedded broker. */
public final class KafkaFrames {
    private KafkaFrames() {}

    /** Creates a fresh frames topic named {@code prefix + "frames"} with two partitions. */
    public static String newTopic(EmbeddedKafka kafka, String prefix) throws IOException {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix(prefix).optPartitions(2).build();
        kafka.ensureTopics(List.of(topics.spec(TopicRole.FRAMES)));
        return topics.frames();
    }

    /** A sink to the topic. */
    public static KafkaFrameSink sink(EmbeddedKafka kafka, String topic) {
        return KafkaFrameSink.builder().setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build();
    }

    /**
     * Every record of the topic, in partition order (a camera's records are on one partition, so in its send
     * order): reads until the topic's end and then stays a moment longer to catch anything extra.
     */
    public static List<ReceivedRecord<CameraFrame>> readAll(EmbeddedKafka kafka, String topic) throws IOException {
        List<ReceivedRecord<CameraFrame>> out = new ArrayList<>();
        try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build()) {
            long quietSince = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() - quietSince < Duration.ofMillis(1500).toNanos() && System.nanoTime() < deadline) {
                List<ReceivedRecord<CameraFrame>> batch = reader.poll(Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    out.addAll(batch);
                    quietSince = System.nanoTime();
                }
            }
        }
        out.sort(Comparator.<ReceivedRecord<CameraFrame>>comparingInt(r -> r.position().partition())
                .thenComparingLong(r -> r.position().offset()));
        return out;
    }

    /** The records of one camera, in order. */
    public static List<CameraFrame> ofCamera(List<ReceivedRecord<CameraFrame>> records, String cameraId) {
        return records.stream().filter(r -> cameraId.equals(r.keyString())).map(ReceivedRecord::value).toList();
    }
}
