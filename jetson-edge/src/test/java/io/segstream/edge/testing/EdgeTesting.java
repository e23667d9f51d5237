package io.segstream.edge.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.edge.agent.EdgeOptions;
import io.segstream.edge.agent.FramesPolicy;
import io.segstream.edge.uplink.SenderOptions;
import io.segstream.ingest.camera.CameraConfig;
import io.segstream.ingest.camera.CamerasConfig;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.replay.Pace;
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

    /** {@code flicker-rules.yaml}: rules that raise and clear many times on a rendered drive. */
    public static String flickerRules() {
        try {
            return Path.of(EdgeTesting.class.getResource("/flicker-rules.yaml").toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Topics of one test: one partition each, names with a prefix of their own. */
    public static SegstreamTopics topics(String prefix) {
        return SegstreamTopics.builder().optPrefix(prefix).optPartitions(1).build();
    }

    /** One camera replaying {@code drive} in real time, the flicker rules, the bundled model on the CPU. */
    public static EdgeOptions options(String camera, Path drive, String bootstrap, Path spool, SegstreamTopics topics) {
        return options(camera, drive, Pace.REALTIME, bootstrap, spool, topics);
    }

    /** One camera replaying {@code drive} at {@code pace}, the flicker rules, the bundled model on the CPU. */
    public static EdgeOptions options(String camera, Path drive, Pace pace, String bootstrap, Path spool,
            SegstreamTopics topics) {
        CameraConfig c = CameraConfig.of(camera, SourceSpec.of(drive.toString()));
        c = new CameraConfig(c.id(), c.source(), c.mode(), c.fpsCap(), c.image(), c.attributes(), pace, c.loop(),
                c.driveId(), c.stallTimeout(), c.queueFrames());
        return EdgeOptions.of(new CamerasConfig(List.of(c)), bootstrap, spool).withTopics(topics).withSender(SENDER)
                .withModel(null, flickerRules(), FramesPolicy.NONE).withHealthInterval(Duration.ofSeconds(1))
                .withStopTimeout(Duration.ofSeconds(3));
    }

    /**
     * Whether {@code camera}'s recording has ended and every grabbed frame went through the pipeline (the camera's
     * state turns FINISHED when its last frame is grabbed, before the queued ones are segmented).
     */
    public static boolean driveDone(EdgeAgent agent, String camera) {
        CameraMetrics m = agent.cameraMetrics().camera(camera);
        return m.state() == CameraState.FINISHED && m.sent() + m.sendErrors() == m.grabbed();
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
