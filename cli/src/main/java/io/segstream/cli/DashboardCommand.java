package io.segstream.cli;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.dashboard.Dashboard;
import io.segstream.dashboard.sinks.AlertSinksConfig;
import io.segstream.inference.InferenceJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream dashboard}: the live web page of a deployment, read-only from its Kafka topics.
 *
 * <pre>{@code ./segstream dashboard --bootstrap kafka:9092 --port 8090 --rules config/rules/railway.yaml}</pre>
 */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Serves a live web page of the cameras: per camera the latest frame with its mask blended and the alert"
                + " zones drawn, fps, latency, model and frame mIoU; the active alerts with the frame that raised"
                + " each, raises and clears per camera, dead letters and model releases. Updates arrive over"
                + " Server-Sent Events. It reads the frames, masks, alerts, models and dead-letter topics"
                + " (read_committed, no consumer group, nothing written) and needs no internet access.",
            "Frames and masks are read from the moment it starts; alerts, releases and dead letters from the"
                + " beginning of their topics."
        })
final class DashboardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8090",
            description = "Port of the page; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--rules", paramLabel = "FILE",
            description = "The job's alert rules file or built-in set (railway, road): their zones are drawn on the"
                    + " frames. Without it no zones are drawn.")
    String rules;

    @Option(names = "--topic-prefix", paramLabel = "P", defaultValue = "segstream.",
            description = "Prefix of the topic names, as the job's topic-prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--frames-per-camera", paramLabel = "N", defaultValue = "4",
            description = "Newest frames and masks kept per camera; memory grows with N times the frame size"
                    + " (default: ${DEFAULT-VALUE}).")
    int framesPerCamera;

    @Option(names = "--alert-sinks", paramLabel = "FILE",
            description = "Also send the alerts to the webhooks of this sinks file (JSON POST, retries with backoff,"
                    + " Idempotency-Key = alert id, a journal so each alert goes once, a dead-letter log).")
    Path alertSinks;

    @Option(names = "--from-beginning",
            description = "Read frames and masks from the beginning of their topics too (a short recorded run).")
    boolean fromBeginning;

    @Override
    public Integer call() throws Exception {
        Dashboard.Builder b = Dashboard.builder().setBootstrapServers(bootstrap).optHost(host).optPort(port)
                .optTopics(SegstreamTopics.builder().optPrefix(topicPrefix).build())
                .optFramesPerCamera(framesPerCamera).optTimeout(Duration.ofSeconds(30));
        if (rules != null) {
            b.optRules(InferenceJob.loadRules(rules));
        }
        if (alertSinks != null) {
            b.optAlertSinks(AlertSinksConfig.load(alertSinks));
        }
        if (fromBeginning) {
            b.optFromBeginning();
        }
        Dashboard dashboard = b.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dashboard.close();
                spec.commandLine().getErr().println("segstream dashboard: stopped; " + dashboard.counters());
                spec.commandLine().getErr().flush();
            } finally {
                stopped.countDown();
            }
        }, "segstream-dashboard-shutdown"));
        spec.commandLine().getErr().println("segstream dashboard: reading " + bootstrap + "; Ctrl-C stops it");
        spec.commandLine().getErr().flush();
        spec.commandLine().getOut().println("dashboard: " + dashboard.url());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
