package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final SegstreamTopics TOPICS = SegstreamTopics.builder().optPrefix("it-broker.").optPartitions(2)
            .optPartitions(TopicRole.DEAD_LETTERS, 1).build();

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws IOException {
        kafka = EmbeddedKafka.builder().optTopics(TOPICS.all()).start();
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (kafka != null) {
            Path dir = kafka.logDir();
            kafka.close();
            assertTrue(Files.notExists(dir), "the temporary log dir is removed on close");
        }
    }

    @Test
    void createsTopicsWithTheirPartitionsAndConfigs() throws Exception {
        assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());
        try (Admin admin = Admin.create(KafkaClientConfigs.admin(kafka.bootstrapServers()))) {
            Map<String, TopicDescription> described = admin.describeTopics(
                    TOPICS.all().stream().map(TopicSpec::name).toList()).allTopicNames().get();
            assertEquals(2, described.get(TOPICS.frames()).partitions().size());
            assertEquals(1, described.get(TOPICS.deadLetters()).partitions().size());

            ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.frames());
            ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.models());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(frames, models)).all().get();
            assertEquals(String.valueOf(KafkaClientConfigs.MAX_BATCH_BYTES),
                    configs.get(frames).get("max.message.bytes").value());
            assertEquals("3600000", configs.get(frames).get("retention.ms").value());
            assertEquals("compact", configs.get(models).get("cleanup.policy").value());
        }
        assertEquals(List.of(), kafka.ensureTopics(TOPICS.all()), "existing topics are left alone");
    }

    @Test
    void aFiveMegabyteFrameRoundTripsKeyedByCamera() throws Exception {
        byte[] image = new byte[5 * 1024 * 1024];
        new Random(11).nextBytes(image);
        try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic(TOPICS.frames()).build();
                AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                        .setBootstrapServers(kafka.bootstrapServers()).setTopic(TOPICS.frames()).build()) {
            producer.send(frame("cam-big", 0, image));
            producer.send(frame("cam-small", 0, new byte[] {1}));
            producer.flush();

            List<ReceivedRecord<CameraFrame>> received = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (received.size() < 2 && System.nanoTime() < deadline) {
                received.addAll(reader.poll(Duration.ofMillis(500)));
            }
            assertEquals(2, received.size());
            ReceivedRecord<CameraFrame> big = received.stream()
                    .filter(r -> r.value().getCameraId().equals("cam-big")).findFirst().orElseThrow();
            assertEquals("cam-big", big.keyString());
            assertArrayEquals(image, AvroBytes.toArray(big.value().getData()));
            assertEquals(List.of(), reader.readToEnd(TIMEOUT), "nothing beyond the two frames");
        }
    }

    @Test
    void aPersistentLogDirKeepsTopicsAndRecordsAcrossRestarts(@TempDir Path dir) throws Exception {
        SegstreamTopics topics = SegstreamTopics.builder().optPrefix("it-restart.").optPartitions(1).build();
        try (EmbeddedKafka first = EmbeddedKafka.builder().optLogDir(dir).optTopics(topics.all()).start();
                // lz4 batches: the lz4 classes come from one artifact only (STACK.md), and they must work
                AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                        .setBootstrapServers(first.bootstrapServers()).setTopic(topics.frames())
                        .optProperty("compression.type", "lz4").build()) {
            for (long seq = 0; seq < 3; seq++) {
                producer.send(frame("cam-r", seq, new byte[] {(byte) seq}));
            }
            producer.flush();
        }
        assertTrue(Files.exists(dir.resolve("metadata/meta.properties")), "the directory stays formatted");

        try (EmbeddedKafka second = EmbeddedKafka.builder().optLogDir(dir).optTopics(topics.all()).start();
                AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                        .setBootstrapServers(second.bootstrapServers()).setTopic(topics.frames()).build()) {
            assertEquals(List.of(), second.ensureTopics(topics.all()), "the topics survived");
            List<CameraFrame> frames = reader.readToEnd(TIMEOUT);
            assertEquals(List.of(0L, 1L, 2L), frames.stream().map(CameraFrame::getSeq).toList());

            IOException locked = assertThrows(IOException.class,
                    () -> EmbeddedKafka.builder().optLogDir(dir).start().close());
            assertTrue(locked.getMessage().contains("lock"), locked.getMessage());
        }
    }

    @Test
    void failuresSayWhatIsWrong() {
        IOException missing = assertThrows(IOException.class, () -> AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(kafka.bootstrapServers()).setTopic("no.such.topic")
                .optTimeout(Duration.ofSeconds(5)).build());
        assertTrue(missing.getMessage().startsWith("topic no.such.topic does not exist"), missing.getMessage());

        IOException taken = assertThrows(IOException.class,
                () -> EmbeddedKafka.builder().optPort(kafka.port()).start().close());
        assertTrue(taken.getMessage().contains("127.0.0.1:" + kafka.port())
                && taken.getMessage().contains("Address already in use"), taken.getMessage());
    }

    private static CameraFrame frame(String camera, long seq, byte[] data) {
        return CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + seq))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_500L + seq))
                .setWidth(1920).setHeight(1080).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(data)).build();
    }

}
