package io.segstream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-record callback of {@link AvroKafkaProducer} against a real broker: metadata on success, failures named. */
class AvroKafkaProducerITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final SegstreamTopics TOPICS = SegstreamTopics.builder().optPrefix("it-producer.").optPartitions(2)
            .build();
    /** A frames topic that takes batches of at most 1 KiB. */
    private static final SegstreamTopics SMALL = SegstreamTopics.builder().optPrefix("it-small.").optPartitions(1)
            .optConfig(TopicRole.FRAMES, "max.message.bytes", "1024").build();

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.withTopics(
            List.of(TOPICS.spec(TopicRole.FRAMES), SMALL.spec(TopicRole.FRAMES)));

    @Test
    void theCallbackGetsEachRecordsPartitionAndOffset() throws Exception {
        List<CompletableFuture<RecordMetadata>> sent;
        List<ReceivedRecord<CameraFrame>> received = new ArrayList<>();
        try (AvroKafkaProducer<CameraFrame> producer = producer(TOPICS.frames()).build();
                AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                        .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(TOPICS.frames()).build()) {
            sent = List.of(send(producer, frame("cam-a", 0, 10)), send(producer, frame("cam-a", 1, 10)),
                    send(producer, frame("cam-a", 2, 10)));
            producer.awaitCompletion();
            assertTrue(sent.stream().allMatch(CompletableFuture::isDone), "every callback ran before the wait ended");
            producer.flush();   // nothing is left for it: the outcomes went to the callbacks
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (received.size() < 3 && System.nanoTime() < deadline) {
                received.addAll(reader.poll(Duration.ofMillis(500)));
            }
        }
        assertEquals(3, received.size());
        RecordMetadata first = sent.get(0).get();
        for (int i = 0; i < 3; i++) {
            RecordMetadata metadata = sent.get(i).get();
            SourcePosition position = received.get(i).position();
            assertEquals(TOPICS.frames(), metadata.topic());
            assertEquals(first.partition(), metadata.partition(), "one camera, one partition");
            assertEquals(first.offset() + i, metadata.offset(), "offsets follow the send order");
            assertEquals(List.of(position.partition(), position.offset(), position.timestamp()),
                    List.of(metadata.partition(), metadata.offset(), metadata.timestamp()),
                    "the metadata says where the record landed");
            assertEquals(i, received.get(i).value().getSeq());
        }
    }

    @Test
    void aRecordLargerThanTheTopicAllowsFailsThroughItsCallback() throws Exception {
        try (AvroKafkaProducer<CameraFrame> producer = producer(SMALL.frames()).build()) {
            CompletableFuture<RecordMetadata> tooLarge = send(producer, frame("cam-b", 0, 8 * 1024));
            Throwable error = failure(tooLarge);
            assertInstanceOf(IOException.class, error);
            assertTrue(error.getMessage().startsWith("could not send a CameraFrame to " + SMALL.frames() + ": "),
                    error.getMessage());
            assertInstanceOf(RecordTooLargeException.class, error.getCause(), "the broker refused it");

            producer.flush();   // the failure went to the callback only
            RecordMetadata next = send(producer, frame("cam-b", 1, 10)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(SMALL.frames(), next.topic());
            assertTrue(next.offset() >= 0, "the producer goes on after a refused record");
        }
    }

    @Test
    void aRecordRefusedBeforeSendingFailsThroughItsCallbackToo() throws Exception {
        try (AvroKafkaProducer<CameraFrame> producer = producer(TOPICS.frames())
                .optProperty("max.request.size", "2048").build()) {
            CompletableFuture<RecordMetadata> refused = send(producer, frame("cam-c", 0, 8 * 1024));
            assertTrue(refused.isDone(), "a record over max.request.size is refused at once");
            Throwable error = failure(refused);
            assertTrue(error.getMessage().startsWith("could not send a CameraFrame to " + TOPICS.frames() + ": "),
                    error.getMessage());
            assertInstanceOf(RecordTooLargeException.class, error.getCause());
        }
    }

    @Test
    void aClosedProducerRefusesSends() throws Exception {
        AvroKafkaProducer<CameraFrame> producer = producer(TOPICS.frames()).build();
        producer.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
        producer.awaitCompletion();
        IllegalStateException closed = assertThrows(IllegalStateException.class,
                () -> producer.send(frame("cam-d", 0, 10), (metadata, error) -> { }));
        assertEquals("the producer to " + TOPICS.frames() + " is closed", closed.getMessage());
    }

    @Test
    void optionsAreChecked() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> producer(TOPICS.frames()).optMaxInFlightBytes(1024 * 1024).build());
        assertEquals("the in-flight bound must hold at least one maximal record (33 MiB), got 1048576 bytes",
                small.getMessage());
        IllegalArgumentException linger = assertThrows(IllegalArgumentException.class,
                () -> producer(TOPICS.frames()).optLinger(Duration.ofMillis(-1)).build());
        assertTrue(linger.getMessage().startsWith("optLinger must not be negative"), linger.getMessage());
        IllegalArgumentException clientId = assertThrows(IllegalArgumentException.class,
                () -> producer(TOPICS.frames()).optClientId(" ").build());
        assertTrue(clientId.getMessage().startsWith("optClientId needs a name"), clientId.getMessage());
    }

    private static AvroKafkaProducer.Builder<CameraFrame> producer(String topic) {
        return AvroKafkaProducer.builder(CameraFrame.class).setBootstrapServers(KAFKA.bootstrapServers())
                .setTopic(topic).optClientId("it-producer");
    }

    /** Sends with a callback that completes the returned future with the metadata or the failure. */
    private static CompletableFuture<RecordMetadata> send(AvroKafkaProducer<CameraFrame> producer, CameraFrame frame)
            throws InterruptedException {
        CompletableFuture<RecordMetadata> outcome = new CompletableFuture<>();
        producer.send(frame, (metadata, error) -> {
            if (error == null) {
                outcome.complete(metadata);
            } else {
                outcome.completeExceptionally(error);
            }
        });
        return outcome;
    }

    private static Throwable failure(CompletableFuture<RecordMetadata> outcome) throws Exception {
        try {
            RecordMetadata metadata = outcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the record was accepted at " + metadata);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static CameraFrame frame(String camera, long seq, int bytes) {
        return CameraFrame.newBuilder().setCameraId(camera).setSeq(seq)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + seq))
                .setIngestTime(Instant.ofEpochMilli(1_700_000_000_500L + seq))
                .setWidth(64).setHeight(48).setEncoding(ImageEncoding.JPEG)
                .setData(ByteBuffer.wrap(new byte[bytes])).build();
    }
}
