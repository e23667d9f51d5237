package io.segstream.cli;

import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream broker}: one Kafka broker (KRaft) for local work, with the segstream topics, until Ctrl-C.
 *
 * <pre>{@code ./segstream broker --port 9092 --dir /tmp/segstream-kafka}</pre>
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs one Kafka broker (KRaft, in this process) with the segstream topics until Ctrl-C.",
            "Prints bootstrap=127.0.0.1:PORT on a line of its own once clients can connect."})
final class BrokerCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", description = "Client port (default: a free port).")
    int port;

    @Option(names = "--dir", paramLabel = "D",
            description = "Log directory kept across runs (default: a temporary one, deleted on exit).")
    Path dir;

    @Override
    public Integer call() throws IOException, InterruptedException {
        SegstreamTopics topics = SegstreamTopics.defaults();
        EmbeddedKafka kafka = EmbeddedKafka.builder().optPort(port).optLogDir(dir).optTopics(topics.all()).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
                spec.commandLine().getErr().println("segstream broker: stopped");
                spec.commandLine().getErr().flush();
            } catch (IOException e) {
                throw new UncheckedIOException("could not stop the broker cleanly: " + e.getMessage(), e);
            } finally {
                stopped.countDown();
            }
        }, "segstream-broker-shutdown"));
        spec.commandLine().getErr().println("segstream broker: topics "
                + topics.all().stream().map(TopicSpec::name).collect(Collectors.joining(", "))
                + "; log dir " + kafka.logDir() + (dir == null ? " (temporary)" : "") + "; Ctrl-C stops it");
        spec.commandLine().getErr().flush();
        spec.commandLine().getOut().println("bootstrap=" + kafka.bootstrapServers());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
