package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.TopicSpec;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sinks' own counters reach a metric reporter on a MiniCluster: two exactly-once sinks in one job (whose writers
 * open their serializers twice) each report every record whose timestamp they replaced.
 */
class SinkMetricsITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final TopicSpec IN = topic("it-metrics.in");
    private static final TopicSpec OUT_A = topic("it-metrics.out-a");
    private static final TopicSpec OUT_B = topic("it-metrics.out-b");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(reporting())
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;

    private static TopicSpec topic(String name) {
        return new TopicSpec(name, 1, (short) 1, KafkaClientConfigs.topicSizeLimits());
    }

    private static Configuration reporting() {
        Configuration config = new Configuration();
        config.setString("metrics.reporter.collect.factory.class", CollectingReporter.class.getName());
        return config;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.builder().start();
        kafka.ensureTopics(List.of(IN, OUT_A, OUT_B));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bothSinksReportTheTimestampsTheyReplaced() throws Exception {
        // 30 min ahead: the broker keeps it (its bound is 1 h), the sinks replace it (theirs is 10 min)
        long ahead = System.currentTimeMillis() + Duration.ofMinutes(30).toMillis();
        AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientConfigs.producer(kafka.bootstrapServers()))) {
            for (long seq = 0; seq < 3; seq++) {
                raw.send(new ProducerRecord<>(IN.name(), null, ahead, "cam-a".getBytes(StandardCharsets.UTF_8),
                        codec.encode(frame(seq)))).get();
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        DecodedSplit<CameraFrame> split = DecodedSplit.of(env.fromSource(AvroKafkaSource.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(IN.name()).setGroupId("it-metrics")
                .optStartingOffsets(OffsetsInitializer.earliest()).optBounded(OffsetsInitializer.latest())
                .build(), WatermarkStrategy.noWatermarks(), "frames"), "frames");
        split.records().sinkTo(AvroKafkaSink.builder(CameraFrame.class).setBootstrapServers(kafka.bootstrapServers())
                .setTopic(OUT_A.name()).optExactlyOnce("it-metrics-a").build()).name("out a").uid("out-a");
        split.records().sinkTo(AvroKafkaSink.builder(CameraFrame.class).setBootstrapServers(kafka.bootstrapServers())
                .setTopic(OUT_B.name()).optExactlyOnce("it-metrics-b").build()).name("out b").uid("out-b");
        env.execute("sink metrics");

        assertEquals(3, readAll(OUT_A.name(), 3).size());
        assertEquals(3, readAll(OUT_B.name(), 3).size());
        assertEquals(1, CollectingReporter.count("out a: Writer", "timestampsReplaced"));
        assertEquals(1, CollectingReporter.count("out b: Writer", "timestampsReplaced"));
        assertEquals(3, CollectingReporter.sum("out a: Writer", "timestampsReplaced"));
        assertEquals(3, CollectingReporter.sum("out b: Writer", "timestampsReplaced"));
        assertEquals(0, CollectingReporter.sum("out a: Writer", "recordsUnwritable"));
    }

    private static List<ReceivedRecord<CameraFrame>> readAll(String topic, int count) throws Exception {
        try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build()) {
            List<ReceivedRecord<CameraFrame>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                records.addAll(reader.poll(Duration.ofMillis(500)));
            }
            assertEquals(count, records.size(), "records on " + topic);
            return records;
        }
    }

    private static CameraFrame frame(long seq) {
        return CameraFrame.newBuilder().setCameraId("cam-a").setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + 100 * seq))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_050L + 100 * seq))
                .setWidth(2).setHeight(2).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[12])).build();
    }
}
