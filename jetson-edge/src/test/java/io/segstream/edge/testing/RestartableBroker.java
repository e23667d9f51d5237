package io.segstream.edge.testing;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A broker that can be stopped and started again on the same port and data, as an uplink that goes down and comes
 * back. Closing it stops it for good, also when a test failed half-way: a broker left running over a deleted temporary
 * folder halts the JVM.
 */
public final class RestartableBroker implements AutoCloseable {
    private final Path logDir;
    private final SegstreamTopics topics;
    private final int port;
    private EmbeddedKafka kafka;

    private RestartableBroker(Path logDir, SegstreamTopics topics, EmbeddedKafka kafka) {
        this.logDir = logDir;
        this.topics = topics;
        this.kafka = kafka;
        this.port = kafka.port();
    }

    /** Starts a broker on a free port with {@code topics}, keeping its data in {@code logDir}. */
    public static RestartableBroker start(Path logDir, SegstreamTopics topics) throws IOException {
        return new RestartableBroker(logDir, topics,
                EmbeddedKafka.builder().optLogDir(logDir).optTopics(topics.all()).start());
    }

    /** {@code host:port}, the same across restarts. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Stops the broker: the uplink is down. */
    public void stop() throws IOException {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** Starts it again on the same port and data: the uplink is back. */
    public void restart() throws IOException {
        if (kafka == null) {
            kafka = EmbeddedKafka.builder().optLogDir(logDir).optPort(port).optTopics(topics.all()).start();
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
