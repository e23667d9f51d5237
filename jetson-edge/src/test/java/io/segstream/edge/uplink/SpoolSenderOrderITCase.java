package io.segstream.edge.uplink;

import static io.segstream.edge.testing.EdgeTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.edge.spool.DiskSpool;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.TopicRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a failure, the sender sends nothing newer of a topic before every older record of that topic left in flight
 * is acknowledged, also while the records it sends again keep failing.
 *
 * <p>Topics that do not exist yet make the failures, so that no timing decides them: a send to a missing topic waits
 * for its metadata and fails after the metadata timeout, every time, until the topic is created. The masks topic is
 * missing first, so the first masks fail and stay in flight; the alerts topic is missing longer, so every round that
 * sends the failed records again fails on the alert, which goes first, while the masks topic already takes records.
 * A sender that then still hands new masks to the producer puts them on the topic before the masks that failed.
 */
class SpoolSenderOrderITCase {
    private static final String CAMERA = "cam-1";
    private static final int MASKS = 10;

    @TempDir
    Path dir;

    @Test
    void masksReachTheirTopicInSpoolOrderWhileTheAlertBeforeThemKeepsFailing() throws Exception {
        SegstreamTopics topics = EdgeTesting.topics("order.");
        Map<RecordKind, String> topicOf = SpoolSender.topicsOf(topics);
        SenderOptions options = new SenderOptions(100, 8L << 20, 0, Duration.ofSeconds(4), Duration.ofSeconds(2),
                Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofMillis(200));
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optLogDir(dir.resolve("kafka"))
                        .optTopics(List.of(topics.spec(TopicRole.FRAMES))).start();
                DiskSpool spool = DiskSpool.open(dir.resolve("spool"), SpoolOptions.of(64L << 20));
                SpoolSender sender = new SpoolSender(spool, topicOf, kafka.bootstrapServers(), options)) {
            append(spool, RecordKind.MASK, "mask-0");
            append(spool, RecordKind.MASK, "mask-1");
            sender.start();
            await("sends to the missing masks topic failing", Duration.ofSeconds(30), () -> sender.resent() >= 2,
                    spool::toString);
            append(spool, RecordKind.ALERT, "alert-0");
            awaitRounds(sender, spool, 2);

            kafka.ensureTopics(List.of(topics.spec(TopicRole.MASKS)));
            for (int i = 2; i < MASKS; i++) {
                append(spool, RecordKind.MASK, "mask-" + i);
            }
            // each round here fails on the alert; a sender that sends new masks meanwhile gets them acknowledged
            awaitRounds(sender, spool, 5);

            kafka.ensureTopics(List.of(topics.spec(TopicRole.ALERTS)));
            await("the spool sent", Duration.ofSeconds(30), () -> spool.pending() == 0, spool::toString);

            assertEquals(List.of("alert-0"), values(kafka, topics.alerts()));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < MASKS; i++) {
                expected.add("mask-" + i);
            }
            assertEquals(expected, values(kafka, topics.masks()), "masks on the topic in spool order, each once");
        }
    }

    private static void append(DiskSpool spool, RecordKind kind, String value) throws IOException {
        spool.append(kind, CAMERA, System.currentTimeMillis(), CAMERA.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits for {@code rounds} more failed rounds of sending again. */
    private static void awaitRounds(SpoolSender sender, DiskSpool spool, int rounds) throws InterruptedException {
        long until = sender.resent() + rounds;
        await(rounds + " more failed rounds", Duration.ofSeconds(30), () -> sender.resent() >= until,
                () -> spool + "; last error " + sender.lastError());
    }

    private static List<String> values(EmbeddedKafka kafka, String topic) {
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicRecords.read(kafka.bootstrapServers(), topic)) {
            values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return values;
    }
}
