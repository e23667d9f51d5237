package io.segstream.cli;

import io.segstream.core.segment.ExecutionProvider;
import io.segstream.edge.agent.AlertHookOptions;
import io.segstream.edge.agent.EdgeAgent;
import io.segstream.edge.agent.EdgeCounters.Count;
import io.segstream.edge.agent.EdgeHttpServer;
import io.segstream.edge.agent.EdgeOptions;
import io.segstream.edge.agent.FramesPolicy;
import io.segstream.edge.spool.RecordKind;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.ingest.camera.CameraConfig;
import io.segstream.ingest.camera.CameraMode;
import io.segstream.ingest.camera.CamerasConfig;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import io.segstream.ingest.replay.Pace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream edge}: the edge agent, from an edge file or for one camera given on the command line.
 *
 * <pre>{@code
 * ./segstream edge --config edge.yaml
 * ./segstream edge --source drive.mp4 --camera c1 --bootstrap 127.0.0.1:9092 --spool /tmp/spool
 * ./segstream edge bench --frames 40 --size 1024x512
 * }</pre>
 */
@Command(name = "edge", mixinStandardHelpOptions = true, subcommands = EdgeBenchCommand.class,
        description = {"Run the edge agent: cameras -> segmentation -> alert rules -> masks and alerts on Kafka,"
                + " through a disk spool that keeps them while the uplink is down.",
                "Recordings end the agent once they are played and the spool is sent; live cameras run until "
                        + "SIGTERM or Ctrl-C, which stop the cameras and sync the spool."})
public final class EdgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "The edge file: a cameras file as for ingest plus bootstrap, spool, model, rules, "
                    + "send-frames, ... (see jetson-edge/README.md). Or use --source, --camera, --bootstrap, --spool.")
    Path config;

    @Option(names = "--source", paramLabel = "PATH|URL", description = "One camera: a recording, stream URL or device.")
    String source;

    @Option(names = "--camera", paramLabel = "ID", description = "The camera id (the Kafka key) of --source.")
    String camera;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "The central Kafka.")
    String bootstrap;

    @Option(names = "--spool", paramLabel = "DIR", description = "The spool folder on local disk.")
    Path spool;

    @Option(names = "--pace", paramLabel = "realtime|max|xN",
            description = "How fast a recording plays (default: realtime).")
    String pace;

    @Option(names = "--model", paramLabel = "DIR", description = "A model directory (default: the bundled model).")
    Path model;

    @Option(names = "--rules", paramLabel = "FILE|NAME",
            description = "Alert rules: a YAML file, a built-in set (railway, road) or none (default: railway).")
    String rules;

    @Option(names = "--spool-max-bytes", paramLabel = "N",
            description = "Bound of the spool on disk: bytes, or with k, m, g (default: 4g).")
    String spoolMaxBytes;

    @Option(names = "--send-frames", paramLabel = "none|alerts|all",
            description = "Frames sent besides masks and alerts (default: none).")
    String sendFrames;

    @Option(names = "--provider", paramLabel = "tensorrt|cuda|cpu",
            description = "Execution provider; without a GPU build the agent says so once and runs on the CPU "
                    + "(default: tensorrt).")
    String provider;

    @Option(names = "--metrics-port", paramLabel = "P",
            description = "Serve Prometheus metrics on http://0.0.0.0:P/metrics and health on /healthz.")
    Integer metricsPort;

    @Option(names = "--alert-hook", paramLabel = "COMMAND",
            description = "Run COMMAND with sh -c for every alert, the alert as one JSON line on its stdin, e.g. "
                    + "'cat >> /var/log/segstream/alerts.jsonl' (works without the uplink; never blocks the cameras).")
    String alertHook;

    @Option(names = "--alert-hook-timeout", paramLabel = "SECONDS",
            description = "Kill a run of the alert hook after this long and count it as failed (default: 10).")
    Integer alertHookTimeoutSeconds;

    @Option(names = "--tegrastats", paramLabel = "auto|off|PATH",
            description = "NVIDIA's tegrastats for GPU, memory controller, RAM and temperatures in /metrics and "
                    + "/healthz: auto (on PATH, if any; the default), off, or its path.")
    String tegrastats;

    @Option(names = "--health-interval", paramLabel = "SECONDS",
            description = "Log the health line this often; 0 for never (default: 10).")
    Integer healthSeconds;

    @Override
    public Integer call() throws Exception {
        EdgeOptions options = options();
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalArgumentException("--metrics-port must be a port number, got " + metricsPort);
        }
        PrintWriter out = spec.commandLine().getOut();
        EdgeAgent agent = EdgeAgent.start(options);
        EdgeHttpServer http;
        try {
            http = metricsPort == null ? null : EdgeHttpServer.start(agent, metricsPort);
        } catch (Exception e) {
            agent.close();
            throw e;
        }
        if (http != null) {
            out.println("health on http://0.0.0.0:" + http.port() + "/healthz, metrics on /metrics");
            out.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // printed, not logged: the logging system shuts down in its own hook at the same time
            out.println("stopping: cameras stop, the spool is synced and sent for up to "
                    + options.stopTimeout().toSeconds() + " s; the rest waits on disk for the next start");
            out.flush();
            stop(agent, http, out);
            stopped.countDown();
        }, "edge-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean allRecordings = options.cameras().cameras().stream().allMatch(c -> c.mode() == CameraMode.REPLAY);
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (allRecordings && recordingsDone(agent) && agent.spool().pending() == 0) {
                Runtime.getRuntime().removeShutdownHook(hook);
                stop(agent, http, out);
                return 0;
            }
        }
        return 0;
    }

    private static boolean recordingsDone(EdgeAgent agent) {
        List<CameraMetrics> cameras = agent.cameraMetrics().cameras();
        // a finished camera may still have grabbed frames queued for the pipeline
        return !cameras.isEmpty() && cameras.stream()
                .allMatch(m -> (m.state() == CameraState.FINISHED || m.state() == CameraState.FAILED)
                        && m.sent() + m.sendErrors() == m.grabbed());
    }

    private static void stop(EdgeAgent agent, EdgeHttpServer http, PrintWriter out) {
        if (http != null) {
            http.close();
        }
        try {
            agent.close();
        } catch (Exception e) {
            out.println("the spool could not be closed cleanly: " + PlainErrorHandler.sentence(e));
        }
        out.printf(Locale.ROOT, "%-20s %10s %10s %8s %8s %8s%n", "camera", "segmented", "failed", "raised", "cleared",
                "jumps");
        agent.counters().snapshot().forEach((camera, c) -> out.printf(Locale.ROOT, "%-20s %10d %10d %8d %8d %8d%n",
                camera, c.getOrDefault(Count.FRAMES_SEGMENTED, 0L),
                c.getOrDefault(Count.FRAMES_FAILED, 0L),
                c.getOrDefault(Count.ALERTS_RAISED, 0L),
                c.getOrDefault(Count.ALERTS_CLEARED, 0L),
                c.getOrDefault(Count.CLOCK_JUMPS, 0L)));
        out.printf(Locale.ROOT, "sent alerts %d, masks %d, frames %d; left in the spool %d; dropped masks %d, "
                        + "frames %d; thinned masks %d%n", agent.sender().sent(RecordKind.ALERT),
                agent.sender().sent(RecordKind.MASK), agent.sender().sent(RecordKind.FRAME), agent.spool().pending(),
                agent.spool().drops().dropped(RecordKind.MASK), agent.spool().drops().dropped(RecordKind.FRAME),
                agent.spool().drops().thinned());
        if (agent.alertHook() != null) {
            out.printf(Locale.ROOT, "alert hook: delivered %d, failed %d, dropped %d%n", agent.alertHook().delivered(),
                    agent.alertHook().failed(), agent.alertHook().dropped());
        }
        out.flush();
    }

    /** The options from the edge file, or from the one-camera flags; exactly one of the two. */
    EdgeOptions options() throws Exception {
        boolean oneCamera = source != null || camera != null || bootstrap != null || spool != null;
        if (config != null && oneCamera) {
            throw new IllegalArgumentException("--config and --source/--camera/--bootstrap/--spool are alternatives;"
                    + " put the camera into the edge file or leave --config out");
        }
        EdgeOptions o;
        if (config != null) {
            o = EdgeOptions.read(config);
        } else {
            if (source == null || camera == null || bootstrap == null || spool == null) {
                throw new IllegalArgumentException("give --config FILE, or all of --source, --camera, --bootstrap and"
                        + " --spool");
            }
            CameraConfig c = CameraConfig.of(camera, SourceSpec.of(source));
            if (pace != null) {
                c = new CameraConfig(c.id(), c.source(), c.mode(), c.fpsCap(), c.image(), c.attributes(),
                        Pace.parse(pace), c.loop(), c.driveId(), c.stallTimeout(), c.queueFrames());
            }
            o = EdgeOptions.of(new CamerasConfig(List.of(c)), bootstrap, spool);
        }
        if (config != null && pace != null) {
            throw new IllegalArgumentException("--pace goes with --source; in an edge file set 'pace:' per camera");
        }
        if (spoolMaxBytes != null) {
            o = o.withSpool(SpoolOptions.of(SpoolOptions.parseBytes(spoolMaxBytes)));
        }
        if (model != null || rules != null || sendFrames != null) {
            o = o.withModel(model != null ? model : o.model(),
                    rules == null ? o.rules() : rules.equals("none") ? null : rules,
                    sendFrames != null ? FramesPolicy.parse(sendFrames) : o.framesPolicy());
        }
        if (provider != null) {
            o = o.withProvider(ExecutionProvider.parse(provider));
        }
        if (healthSeconds != null) {
            if (healthSeconds < 0) {
                throw new IllegalArgumentException("--health-interval must not be negative, got " + healthSeconds);
            }
            o = o.withHealthInterval(Duration.ofSeconds(healthSeconds));
        }
        if (alertHookTimeoutSeconds != null && alertHook == null && o.alertHook() == null) {
            throw new IllegalArgumentException("--alert-hook-timeout goes with --alert-hook (or alert-hook: in the edge "
                    + "file), the command to run");
        }
        if (alertHook != null || alertHookTimeoutSeconds != null) {
            if (alertHookTimeoutSeconds != null && alertHookTimeoutSeconds < 1) {
                throw new IllegalArgumentException("--alert-hook-timeout must be at least 1 second, got "
                        + alertHookTimeoutSeconds);
            }
            AlertHookOptions base = o.alertHook();
            o = o.withAlertHook(new AlertHookOptions(alertHook != null ? alertHook : base.command(),
                    alertHookTimeoutSeconds != null ? Duration.ofSeconds(alertHookTimeoutSeconds)
                            : base != null ? base.timeout() : AlertHookOptions.DEFAULT_TIMEOUT,
                    AlertHookOptions.DEFAULT_QUEUE));
        }
        if (tegrastats != null) {
            o = o.withTegrastats(tegrastats);
        }
        return o;
    }
}
