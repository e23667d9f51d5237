package io.segstream.cli;

import io.segstream.connectors.kafka.TopicRole;
import io.segstream.ingest.camera.CamerasConfig;
import io.segstream.ingest.camera.IngestService;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.IngestMetrics;
import io.segstream.ingest.metrics.MetricsServer;
import io.segstream.ingest.sink.KafkaFrameSink;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream ingest}: runs every camera of a cameras file into the frames topic until stopped, reloading the
 * file when it changes.
 *
 * <pre>{@code ./segstream ingest --config cameras.yaml --bootstrap 127.0.0.1:9092 --metrics-port 9400}</pre>
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingest live cameras, streams and recordings from a cameras file into the frames topic.",
                "The file is reloaded when it changes; SIGTERM stops the cameras and flushes Kafka."})
public final class IngestCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(IngestCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The cameras file (YAML).")
    Path config;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "NAME", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String topic = TopicRole.FRAMES.defaultName();

    @Option(names = "--metrics-port", paramLabel = "P",
            description = "Serve Prometheus metrics on http://0.0.0.0:P/metrics.")
    Integer metricsPort;

    @Option(names = "--health-interval", paramLabel = "SECONDS",
            description = "Log a health line per camera this often; 0 for never (default: ${DEFAULT-VALUE}).")
    int healthSeconds = 30;

    @Option(names = "--max-in-flight-mb", paramLabel = "MB",
            description = "Encoded frames the Kafka producer may hold before cameras feel back-pressure (default: "
                    + "the project's 66 MB).")
    int maxInFlightMb;

    @Override
    public Integer call() throws Exception {
        byte[] content = Files.readAllBytes(config);
        CamerasConfig cameras = CamerasConfig.read(config);
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalArgumentException("--metrics-port must be a port number, got " + metricsPort);
        }
        IngestOptions.ensureFramesTopic(bootstrap, topic);
        IngestMetrics metrics = new IngestMetrics(System::nanoTime);
        KafkaFrameSink sink = KafkaFrameSink.builder()
                .setBootstrapServers(bootstrap)
                .setTopic(topic)
                .optMaxInFlightBytes(maxInFlightMb * 1024L * 1024L)
                .build();
        MetricsServer metricsServer = null;
        IngestService service = null;
        try {
            if (metricsPort != null) {
                metricsServer = MetricsServer.start(metrics, metricsPort);
                LOG.info("metrics on http://0.0.0.0:{}/metrics", metricsServer.port());
            }
            service = IngestService.builder()
                    .setSink(sink)
                    .setMetrics(metrics)
                    .optHealthInterval(Duration.ofSeconds(Math.max(0, healthSeconds)))
                    .build();
            service.apply(cameras);
            service.watch(config, content);
        } catch (Exception | Error e) {
            closeAll(service, sink, metricsServer);
            throw e;
        }
        LOG.info("ingesting {} cameras from {} into {} on {}; SIGTERM or Ctrl-C stops",
                cameras.cameras().size(), config, topic, bootstrap);
        CountDownLatch stopped = new CountDownLatch(1);
        IngestService running = service;
        MetricsServer served = metricsServer;
        PrintWriter out = spec.commandLine().getOut();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // printed, not logged: the logging system shuts down in its own hook at the same time
            out.println("stopping: cameras stop, queued frames go out, the producer flushes");
            out.flush();
            closeAll(running, sink, served);
            printSummary(out, metrics);
            stopped.countDown();
        }, "ingest-shutdown"));
        stopped.await();
        return 0;
    }

    /** One aligned row per camera with the figures operators compare. */
    static void printSummary(PrintWriter out, IngestMetrics metrics) {
        String format = "%-20s %-12s %10s %10s %8s %8s %10s %6s%n";
        out.printf(Locale.ROOT, format, "camera", "state", "grabbed", "sent", "dropped", "corrupt", "reconnects",
                "gaps");
        for (CameraMetrics m : metrics.cameras()) {
            out.printf(Locale.ROOT, format, m.cameraId(), m.state(), m.grabbed(), m.sent(), m.dropped(), m.corrupt(),
                    m.reconnects(), m.gaps());
        }
        out.flush();
    }

    private static void closeAll(IngestService service, KafkaFrameSink sink, MetricsServer metricsServer) {
        if (service != null) {
            service.close();
        }
        sink.close();
        if (metricsServer != null) {
            metricsServer.close();
        }
    }
}
