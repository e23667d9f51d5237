package io.segstream.edge.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.agent.EdgeOptions;
import io.segstream.edge.uplink.SenderOptions;
import io.segstream.ingest.camera.CameraConfig;
import io.segstream.ingest.camera.CamerasConfig;
import io.segstream.ingest.grab.SourceSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the agent's integration tests share: a broker that can go down and come back, options, waiting. */
public final class EdgeTesting {
    /**
     * Delivery gives up after 4 s (request 2 s, metadata 2 s), retries after 200 ms growing to 1 s: an outage of a few
     * seconds already outlasts the producer, so the spool, not Kafka's memory, has to carry the records.
     */
    public static final SenderOptions SENDER = new SenderOptions(500, 8L << 20, 0, Duration.ofSeconds(4),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1));

    private EdgeTesting() {}

    /** Topics of one test: one partition each, names with a prefix of their own. */
    public static SegstreamTopics topics(String prefix) {
        return SegstreamTopics.builder().optPrefix(prefix).optPartitions(1).build();
    }

    /** A broker on {@code port} (0: a free one) keeping its data in {@code logDir}, so it can be stopped and restarted. */
    public static EmbeddedKafka broker(Path logDir, int port, SegstreamTopics topics) throws IOException {
        return EmbeddedKafka.builder().optLogDir(logDir).optPort(port).optTopics(topics.all()).start();
    }

    /** One camera replaying {@code drive} in real time, railway rules, the bundled model on the CPU. */
    public static EdgeOptions options(String camera, Path drive, String bootstrap, Path spool, SegstreamTopics topics) {
        CamerasConfig cameras = new CamerasConfig(List.of(CameraConfig.of(camera, SourceSpec.of(drive.toString()))));
        return EdgeOptions.of(cameras, bootstrap, spool).withTopics(topics).withSender(SENDER)
                .withHealthInterval(Duration.ofSeconds(2));
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code state} otherwise. */
    public static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting for " + what + ": " + state.get());
            Thread.sleep(100);
        }
    }
}
