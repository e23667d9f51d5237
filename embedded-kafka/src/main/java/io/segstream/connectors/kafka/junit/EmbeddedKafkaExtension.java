package io.segstream.connectors.kafka.junit;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.TopicSpec;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A broker for this class: a JUnit 5 extension that starts one {@link EmbeddedKafka} before the first test of
 * a class and closes it after the last, so test classes do not each copy the same start and stop methods.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();
 *
 * @Test
 * void sends() {
 *     producer = AvroKafkaProducer.builder(CameraFrame.class).setBootstrapServers(KAFKA.bootstrapServers())...
 * }
 * }</pre>
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private final List<TopicSpec> topics;
    private EmbeddedKafka kafka;

    private EmbeddedKafkaExtension(Collection<TopicSpec> topics) {
        this.topics = List.copyOf(topics);
    }

    /** A broker with no topics created up front. */
    public static EmbeddedKafkaExtension forClass() {
        return new EmbeddedKafkaExtension(List.of());
    }

    /** A broker that creates {@code topics} on start. */
    public static EmbeddedKafkaExtension withTopics(Collection<TopicSpec> topics) {
        return new EmbeddedKafkaExtension(topics);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        kafka = EmbeddedKafka.builder().optTopics(topics).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The running broker; only between the class's first and last test. */
    public EmbeddedKafka broker() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the test class runs: register the"
                    + " extension on a static field with @RegisterExtension");
        }
        return kafka;
    }

    /** {@code host:port} of the running broker. */
    public String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
