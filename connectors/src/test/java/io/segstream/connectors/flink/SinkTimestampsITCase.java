package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the sinks write survives the broker's retention, whatever the elements' event times: a replayed drive
 * recorded in 2023 (and a frame from a camera whose clock runs 30 minutes ahead) goes through two exactly-once sinks
 * to topics that keep records for a day, on a broker that checks retention every 200 ms. A record stamped with its
 * 2023 capture time on such a topic is deleted at the next check (a control record shows the check ran); the sinks'
 * records are stamped with the time they were written, so all of them are still there, from offset 0.
 *
 * <p>Both sinks' counters reach a metric reporter on the MiniCluster, once each, although each exactly-once writer
 * opens its serializer twice.
 */
class SinkTimestampsITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long DAY_MS = Duration.ofDays(1).toMillis();
    /** The input keeps everything: its records carry the old times the job must not pass on. */
    private static final TopicSpec IN = topic("it-times.in", -1);
    private static final TopicSpec OUT_A = topic("it-times.out-a", DAY_MS);
    private static final TopicSpec OUT_B = topic("it-times.out-b", DAY_MS);
    private static final TopicSpec CONTROL = topic("it-times.control", DAY_MS);
    private static final long RECORDED_2023 = 1_700_000_000_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(reporting())
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;

    private static TopicSpec topic(String name, long retentionMs) {
        Map<String, String> configs = new HashMap<>(KafkaClientConfigs.topicSizeLimits());
        configs.put("retention.ms", Long.toString(retentionMs));
        return new TopicSpec(name, 1, (short) 1, configs);
    }

    private static Configuration reporting() {
        Configuration config = new Configuration();
        config.setString("metrics.reporter.collect.factory.class", CollectingReporter.class.getName());
        return config;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.builder()
                .optBrokerProperty("log.retention.check.interval.ms", "200")
                .optBrokerProperty("log.initial.task.delay.ms", "0")
                .start();
        kafka.ensureTopics(List.of(IN, OUT_A, OUT_B, CONTROL));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aReplayedDrivesRecordsAreStampedWithTheirWriteTimeAndOutliveTheRetentionCheck() throws Exception {
        AvroCodec<CameraFrame> codec = AvroCodec.of(CameraFrame.class);
        long ahead = System.currentTimeMillis() + Duration.ofMinutes(30).toMillis();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientConfigs.producer(kafka.bootstrapServers()))) {
            for (long seq = 0; seq < 3; seq++) {
                raw.send(new ProducerRecord<>(IN.name(), null, RECORDED_2023 + 100 * seq,
                        "cam-a".getBytes(StandardCharsets.UTF_8), codec.encode(frame(seq)))).get();
            }
            raw.send(new ProducerRecord<>(IN.name(), null, ahead, "cam-a".getBytes(StandardCharsets.UTF_8),
                    codec.encode(frame(3)))).get();
        }

        long started = System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        // the source gives each element its Kafka timestamp: 2023 for three, 30 minutes ahead for the fourth
        DecodedSplit<CameraFrame> split = DecodedSplit.of(env.fromSource(AvroKafkaSource.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(IN.name()).setGroupId("it-times")
                .optStartingOffsets(OffsetsInitializer.earliest()).optBounded(OffsetsInitializer.latest())
                .build(), WatermarkStrategy.noWatermarks(), "frames"), "frames");
        split.records().sinkTo(AvroKafkaSink.builder(CameraFrame.class).setBootstrapServers(kafka.bootstrapServers())
                .setTopic(OUT_A.name()).optExactlyOnce("it-times-a").build()).name("out a").uid("out-a");
        split.records().sinkTo(AvroKafkaSink.builder(CameraFrame.class).setBootstrapServers(kafka.bootstrapServers())
                .setTopic(OUT_B.name()).optExactlyOnce("it-times-b").build()).name("out b").uid("out-b");
        env.execute("sink timestamps");
        long finished = System.currentTimeMillis();

        // the control: a record stamped 2023 on a one-day topic goes at the broker's next retention check
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientConfigs.producer(kafka.bootstrapServers()))) {
            raw.send(new ProducerRecord<>(CONTROL.name(), null, RECORDED_2023, null, new byte[1])).get();
        }
        awaitLogStartAbove(CONTROL.name(), 0);

        for (TopicSpec out : List.of(OUT_A, OUT_B)) {
            List<ReceivedRecord<CameraFrame>> records = readAll(out.name(), 4);
            // a checkpoint between records splits them over two transactions, whose commit marker takes an offset:
            // what shows nothing was deleted is the first record at offset 0 and all four there
            assertEquals(4, records.size(), out.name() + ": every record kept");
            assertEquals(0L, records.get(0).position().offset(), out.name() + ": nothing deleted before the first");
            assertEquals(List.of(0L, 1L, 2L, 3L), records.stream().map(r -> r.value().getSeq()).toList(),
                    out.name() + ": the records in order");
            for (ReceivedRecord<CameraFrame> r : records) {
                long ts = r.position().timestamp();
                assertTrue(ts >= started && ts <= finished, out.name() + " seq " + r.value().getSeq()
                        + ": stamped " + Instant.ofEpochMilli(ts) + ", not within the job's run " + Instant.ofEpochMilli(
                        started) + " .. " + Instant.ofEpochMilli(finished));
            }
            assertEquals(List.of(Instant.ofEpochMilli(RECORDED_2023), Instant.ofEpochMilli(RECORDED_2023 + 100),
                    Instant.ofEpochMilli(RECORDED_2023 + 200)), records.stream().limit(3)
                    .map(r -> r.value().getCaptureTime()).toList(), "the capture times travel in the records");
        }
        assertEquals(1, CollectingReporter.count("out a: Writer", "recordsUnwritable"));
        assertEquals(1, CollectingReporter.count("out b: Writer", "recordsUnwritable"));
        assertEquals(0, CollectingReporter.sum("out a: Writer", "recordsUnwritable"));
        assertEquals(0, CollectingReporter.sum("out b: Writer", "recordsUnwritable"));
    }

    private static void awaitLogStartAbove(String topic, long offset) throws InterruptedException {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                KafkaClientConfigs.consumer(kafka.bootstrapServers()))) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            long start = consumer.beginningOffsets(List.of(partition)).get(partition);
            while (start <= offset) {
                assertTrue(System.nanoTime() < deadline, "the broker's retention check did not delete the 2023 record"
                        + " on " + topic + " within " + TIMEOUT.toSeconds() + " s");
                Thread.sleep(100);
                start = consumer.beginningOffsets(List.of(partition)).get(partition);
            }
        }
    }

    private static List<ReceivedRecord<CameraFrame>> readAll(String topic, int count) throws Exception {
        try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(topic).build()) {
            List<ReceivedRecord<CameraFrame>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                records.addAll(reader.poll(Duration.ofMillis(500)));
            }
            assertEquals(count, records.size(), "records on " + topic);
            return records;
        }
    }

    private static CameraFrame frame(long seq) {
        return CameraFrame.newBuilder().setCameraId("cam-a").setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(RECORDED_2023 + 100 * seq))
                .setIngestTime(Instant.ofEpochMilli(RECORDED_2023 + 50 + 100 * seq))
                .setWidth(2).setHeight(2).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[12])).build();
    }
}
