package io.segstream.cli;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertAgreement;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.model.BootstrapModel;
import io.segstream.dashboard.Dashboard;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.SegmentationMask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream demo}: the whole system in one process: an embedded Kafka broker, a local Flink job with
 * its web UI, a generated railway drive played as live cameras, masks and alerts, overlays on disk.
 *
 * <pre>{@code ./segstream demo --duration 60 --cameras 2 --out demo-out}</pre>
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline in one process: an embedded Kafka broker, the inference job on a",
            "local Flink with its web UI, a generated railway drive played into the frames topic per camera, the",
            "bundled model and the railway rules. Prints throughput, latency and alerts every second, a summary at",
            "the end, and writes overlay PNGs (mask on frame, zones, alerts) to --out. The live dashboard shows the",
            "same on a web page (its address is printed at the start)."})
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "60",
            description = "Seconds of playing frames (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--cameras", paramLabel = "N", defaultValue = "2",
            description = "Live cameras playing the drive (default: ${DEFAULT-VALUE}).")
    int cameras;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-out",
            description = "Where overlays go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--fps", paramLabel = "F", defaultValue = "4",
            description = "Frames per second of each camera (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "640x320",
            description = "Frame size of the generated drive (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--drive-frames", paramLabel = "N", defaultValue = "120",
            description = "Length of the generated drive; cameras loop it (default: ${DEFAULT-VALUE}).")
    int driveFrames;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory, or 'bundled-tta' for the bundled"
            + " model's accurate variant (about 3x the CPU per frame); default: the bundled model.")
    Path model;

    @Option(names = "--rules", paramLabel = "FILE", defaultValue = "railway",
            description = "Alert rules file or built-in set (default: ${DEFAULT-VALUE}).")
    String rules;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Flink web UI port on localhost; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int webPort;

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "8090",
            description = "Port of the live dashboard on localhost; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Seed of the generated drive.")
    long seed;

    @Option(names = "--alert-tolerance", paramLabel = "FRAMES", defaultValue = "5",
            description = "How many frames apart an alert and the ground truth's alert of the same rule and camera may"
                    + " raise (or clear) and still match, for alert precision and recall (default: ${DEFAULT-VALUE}).")
    int alertTolerance;

    @Option(names = "--alerts-delivery", paramLabel = "MODE", defaultValue = "exactly-once",
            description = "exactly-once: alerts commit with the checkpoints, like masks; fast: published as they are"
                    + " raised, at least once with stable ids (default: ${DEFAULT-VALUE}).")
    String alertsDelivery;

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        if (duration < 1 || cameras < 1 || fps <= 0 || driveFrames < 20 || alertTolerance < 0) {
            throw new IllegalArgumentException("--duration, --cameras and --fps must be positive, --drive-frames"
                    + " at least 20 and --alert-tolerance at least 0");
        }
        if (!List.of("exactly-once", "fast").contains(alertsDelivery)) {
            throw new IllegalArgumentException("--alerts-delivery must be exactly-once or fast, got " + alertsDelivery);
        }
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        AlertRules alertRules = InferenceJob.loadRules(rules);
        Path modelDir = BootstrapModel.resolve(model);

        err.println("demo: rendering a " + driveFrames + "-frame railway drive at " + size + " ...");
        DemoDrive drive = DemoDrive.render(wh[0], wh[1], driveFrames, seed, err);

        SegstreamTopics topics = SegstreamTopics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().optTopics(topics.all()).start();
                Dashboard dashboard = Dashboard.builder().setBootstrapServers(kafka.bootstrapServers())
                        .optPort(dashboardPort).optRules(alertRules).start()) {
            String bootstrap = kafka.bootstrapServers();
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("bootstrap", bootstrap);
            settings.put("mode", "live");
            settings.put("checkpoint-interval-ms", "1000");
            settings.put("batch-size", "4");
            settings.put("segmenter.batch-size", "4");
            settings.put("rules", rules);
            settings.put("alerts-delivery", alertsDelivery);
            InferenceJobOptions options = InferenceJobOptions.fromMap(settings);
            StreamExecutionEnvironment env = InferCommand.localEnvironment(webPort, 0);
            InferenceJob.configure(env, options);
            InferenceJob.onKafka(options, modelDir).build(env);
            JobClient job = env.executeAsync("segstream demo");
            err.println("demo: broker " + bootstrap + ", job " + job.getJobID()
                    + (webPort > 0 ? ", Flink web UI http://localhost:" + webPort : "") + ", " + cameras
                    + " camera(s) at " + fps + " fps for " + duration + " s");
            err.println("dashboard: " + dashboard.url());
            err.flush();

            List<DemoPlayer> players = new ArrayList<>();
            List<AvroKafkaProducer<CameraFrame>> producers = new ArrayList<>();
            Map<String, DemoPlayer> byCamera = new HashMap<>();
            for (int c = 0; c < cameras; c++) {
                AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                        .setBootstrapServers(bootstrap).setTopic(topics.frames()).build();
                DemoPlayer p = new DemoPlayer(drive, "cam-" + (c + 1), c * driveFrames / cameras, fps, producer);
                producers.add(producer);
                players.add(p);
                byCamera.put(p.camera(), p);
            }
            Path overlays = out.resolve("overlays");
            try (DemoView view = new DemoView(
                    reader(SegmentationMask.class, bootstrap, topics.masks()),
                    reader(Alert.class, bootstrap, topics.alerts()),
                    reader(DeadLetter.class, bootstrap, topics.deadLetters()),
                    stdout, overlays, 30, alertRules,
                    m -> drive.jpegs.get(byCamera.get(m.getCameraId()).frameIndex(m.getSeq())),
                    m -> drive.labels.get(byCamera.get(m.getCameraId()).frameIndex(m.getSeq())))) {
                List<Thread> threads = new ArrayList<>();
                for (DemoPlayer p : players) {
                    Thread t = new Thread(p, "demo-" + p.camera());
                    t.setDaemon(true);
                    t.start();
                    threads.add(t);
                }
                long start = System.currentTimeMillis();
                long nextLine = start + 1000;
                while (System.currentTimeMillis() - start < duration * 1000L) {
                    view.poll(Duration.ofMillis(100));
                    if (System.currentTimeMillis() >= nextLine) {
                        stdout.println(view.statusLine((nextLine - start) / 1000));
                        stdout.flush();
                        nextLine += 1000;
                    }
                }
                players.forEach(DemoPlayer::stop);
                for (Thread t : threads) {
                    t.join(5000);
                }
                for (AvroKafkaProducer<CameraFrame> p : producers) {
                    p.close();
                }
                long sent = players.stream().mapToLong(DemoPlayer::sent).sum();
                // the last masks become visible with the next checkpoints; frames the job judged stale never do
                long drainUntil = System.currentTimeMillis() + 15_000;
                while (view.masks() < sent && System.currentTimeMillis() < drainUntil) {
                    view.poll(Duration.ofMillis(200));
                }
                job.cancel().get();

                stdout.println();
                stdout.println("frames: " + sent);
                stdout.println("masks: " + view.masks());
                stdout.println("alerts: " + view.alerts());
                stdout.println("dead letters: " + view.deadLetters());
                stdout.printf(Locale.ROOT, "latency p50: %.0f ms%n", view.latencyPercentile(0.5));
                stdout.printf(Locale.ROOT, "latency p99: %.0f ms%n", view.latencyPercentile(0.99));
                stdout.printf(Locale.ROOT, "mask visible p50: %.0f ms, p99: %.0f ms%n",
                        view.maskVisiblePercentile(0.5), view.maskVisiblePercentile(0.99));
                stdout.printf(Locale.ROOT, "alert visible p50: %.0f ms, p99: %.0f ms (alerts %s)%n",
                        view.alertVisiblePercentile(0.5), view.alertVisiblePercentile(0.99), alertsDelivery);
                stdout.printf(Locale.ROOT, "mean frame mIoU: %.3f%n", view.meanMiou());
                stdout.println("overlays: " + view.overlays() + " in " + overlays.toAbsolutePath());
                // the rules on the ground truth of the frames that got masks: what a perfect model would have raised
                AlertAgreement agreement = view.alertAgreement(alertTolerance);
                agreement.summary(10).forEach(stdout::println);
                agreement.ruleTable().forEach(stdout::println);
                stdout.println("(one drive: a few frames earlier or later move these figures; score a model's alerts"
                        + " over many drives with scenes --sequence --count N and eval --rules)");
                stdout.flush();
            }
            return 0;
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> AvroTopicReader<T> reader(Class<T> type,
            String bootstrap, String topic) throws java.io.IOException {
        return AvroTopicReader.builder(type).setBootstrapServers(bootstrap).setTopic(topic).build();
    }
}
