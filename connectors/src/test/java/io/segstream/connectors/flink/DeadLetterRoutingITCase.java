package io.segstream.connectors.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.DeadLetters;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicSpec;
import io.segstream.schemas.Alert;
import io.segstream.schemas.AlertState;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A Flink job on a MiniCluster reads frames from a real broker: good ones pass, bad ones are dead-lettered. */
class DeadLetterRoutingITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final SegstreamTopics TOPICS =
            SegstreamTopics.builder().optPrefix("it-flink.").optPartitions(2).build();
    private static final TopicSpec OUT = new TopicSpec("it-flink.frames-out", 2, (short) 1,
            KafkaClientConfigs.topicSizeLimits());

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.builder().optTopics(TOPICS.all()).start();
        kafka.ensureTopics(List.of(OUT));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void badValuesLandInTheDeadLetterTopicAndGoodFramesPassExactlyOnce() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        try (AvroKafkaProducer<CameraFrame> frames = AvroKafkaProducer.builder(CameraFrame.class)
                .setBootstrapServers(bootstrap).setTopic(TOPICS.frames()).build()) {
            for (long seq = 0; seq < 3; seq++) {
                frames.send(frame("cam-a", seq));
                frames.send(frame("cam-b", seq));
            }
            frames.flush();
        }
        byte[] goodValue = AvroCodec.of(CameraFrame.class).encode(frame("cam-c", 0));
        Alert alert = Alert.newBuilder().setAlertId("cam-c/0/r").setCameraId("cam-c").setSeq(0).setRuleId("r")
                .setSeverity(Severity.WARNING).setState(AlertState.RAISED).setCaptureTime(Instant.EPOCH).build();
        Map<String, byte[]> bad = new TreeMap<>(Map.of(
                "garbage", "\u00ff\u00d8 not an avro record".getBytes(StandardCharsets.ISO_8859_1),
                "empty", new byte[0],
                "alert", AvroCodec.of(Alert.class).encode(alert),
                "truncated", Arrays.copyOf(goodValue, goodValue.length - 4)));
        Map<String, RecordMetadata> badAt = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KafkaClientConfigs.producer(bootstrap))) {
            for (Map.Entry<String, byte[]> e : bad.entrySet()) {
                badAt.put(e.getKey(), raw.send(new ProducerRecord<>(TOPICS.frames(),
                        e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue())).get());
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        DecodedSplit<CameraFrame> split = DecodedSplit.of(env.fromSource(AvroKafkaSource.builder(CameraFrame.class)
                        .setBootstrapServers(bootstrap).setTopic(TOPICS.frames()).setGroupId("it-flink")
                        .optStartingOffsets(OffsetsInitializer.earliest())
                        .optBounded(OffsetsInitializer.latest())
                        .build(), WatermarkStrategy.noWatermarks(), "frames")
                // a network shuffle, so Decoded records go through Flink's serializer as in a real job
                .rebalance(), "frames");
        split.records().sinkTo(AvroKafkaSink.builder(CameraFrame.class).setBootstrapServers(bootstrap)
                .setTopic(OUT.name()).optExactlyOnce("it-flink-out").build()).name("frames out").uid("frames-out");
        split.deadLetters().sinkTo(AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bootstrap)
                .setTopic(TOPICS.deadLetters()).build()).name("dead letters").uid("dead-letters");
        env.execute("dead-letter routing");

        List<ReceivedRecord<CameraFrame>> out = readAll(CameraFrame.class, OUT.name(), 6);
        Map<String, List<Long>> seqsByKey = out.stream().collect(Collectors.groupingBy(ReceivedRecord::keyString,
                TreeMap::new, Collectors.mapping(r -> r.value().getSeq(), Collectors.toList())));
        seqsByKey.values().forEach(seqs -> seqs.sort(null));
        assertEquals(Map.of("cam-a", List.of(0L, 1L, 2L), "cam-b", List.of(0L, 1L, 2L)), seqsByKey,
                "every good frame once, keyed by its camera");

        List<ReceivedRecord<DeadLetter>> dead = readAll(DeadLetter.class, TOPICS.deadLetters(), 4);
        Map<String, DeadLetter> byKey = dead.stream().collect(Collectors.toMap(ReceivedRecord::keyString,
                ReceivedRecord::value));
        assertEquals(bad.keySet(), byKey.keySet());
        assertReason(byKey.get("garbage"), "does not start with the Avro single-object marker C3 01");
        assertReason(byKey.get("empty"), "the value is empty (0 bytes)");
        assertReason(byKey.get("alert"), "the value holds a record of type Alert");
        assertReason(byKey.get("truncated"), "the value ends early");
        for (Map.Entry<String, DeadLetter> e : byKey.entrySet()) {
            DeadLetter letter = e.getValue();
            RecordMetadata at = badAt.get(e.getKey());
            assertEquals(TOPICS.frames(), letter.getSourceTopic());
            assertEquals(at.partition(), letter.getSourcePartition(), e.getKey());
            assertEquals(at.offset(), letter.getSourceOffset(), e.getKey());
            assertEquals(DeadLetters.STAGE_DECODE, letter.getStage());
            assertEquals(bad.get(e.getKey()).length, letter.getPayloadSize());
            assertEquals(ByteBuffer.wrap(bad.get(e.getKey())), letter.getPayload());
        }
    }

    private static void assertReason(DeadLetter letter, String expected) {
        assertTrue(letter.getReason().contains(expected), letter.getReason());
    }

    /** Everything committed on the topic, checking that there are exactly {@code count} records. */
    private static <T extends org.apache.avro.specific.SpecificRecord> List<ReceivedRecord<T>> readAll(
            Class<T> type, String topic, int count) throws Exception {
        try (AvroTopicReader<T> reader = AvroTopicReader.builder(type).setBootstrapServers(kafka.bootstrapServers())
                .setTopic(topic).build()) {
            List<ReceivedRecord<T>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                records.addAll(reader.poll(Duration.ofMillis(500)));
            }
            assertEquals(count, records.size(), "records on " + topic);
            assertEquals(List.of(), reader.readToEnd(TIMEOUT), "no more records on " + topic);
            return records;
        }
    }

    private static CameraFrame frame(String camera, long seq) {
        return CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + 100 * seq))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_050L + 100 * seq))
                .setWidth(2).setHeight(2).setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(new byte[12])).build();
    }
}
