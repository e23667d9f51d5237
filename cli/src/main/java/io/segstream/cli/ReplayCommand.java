package io.segstream.cli;

import io.segstream.connectors.kafka.TopicRole;
import io.segstream.ingest.clock.IngestClock;
import io.segstream.ingest.grab.FrameSize;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.RtspTransport;
import io.segstream.ingest.grab.SourceException;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.replay.MediaTime;
import io.segstream.ingest.replay.Pace;
import io.segstream.ingest.replay.ReplayListener;
import io.segstream.ingest.replay.ReplayOptions;
import io.segstream.ingest.replay.ReplayProgress;
import io.segstream.ingest.replay.ReplayResult;
import io.segstream.ingest.replay.Replayer;
import io.segstream.ingest.sink.KafkaFrameSink;
import io.segstream.schemas.ImageEncoding;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream replay}: plays a recorded drive (video file, stream URL or Cityscapes image sequence) into the
 * frames topic as one camera.
 *
 * <pre>{@code ./segstream replay --source drive.mp4 --camera cam-1 --bootstrap 127.0.0.1:9092 --pace x4}</pre>
 *
 * <p>Exit codes: 0 done, 1 error (Kafka, options), 3 the source is damaged or not a video: the frames before the
 * damage were delivered.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay a recorded drive (video file, stream URL or image sequence) into the frames topic.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all frames delivered", "1:error (Kafka unreachable, bad options)",
                "3:the source is damaged or not a video; the frames before the damage were delivered"})
public final class ReplayCommand implements Callable<Integer> {
    /** Exit code for a source that is truncated, damaged or not a video. */
    static final int EXIT_DAMAGED_SOURCE = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "PATH|URL",
            description = "Video file, stream URL (rtsp://, http://, .m3u8) or image folder (Cityscapes "
                    + "leftImg8bit_sequence or plain images).")
    String source;

    @Option(names = "--camera", required = true, paramLabel = "ID",
            description = "Camera id: the Kafka key of the frames.")
    String camera;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "NAME", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String topic = TopicRole.FRAMES.defaultName();

    @Option(names = "--pace", paramLabel = "realtime|max|xN",
            description = "Playback speed (default: ${DEFAULT-VALUE}).")
    String pace = "realtime";

    @Option(names = "--from", paramLabel = "T",
            description = "Start at this time in the recording: seconds (90, 1500ms) or [hh:]mm:ss.")
    String from;

    @Option(names = "--to", paramLabel = "T", description = "Stop after this time in the recording (inclusive).")
    String to;

    @Option(names = "--loop", description = "Start over at the end until stopped (Ctrl-C, SIGTERM).")
    boolean loop;

    @Option(names = "--drive-id", paramLabel = "ID",
            description = "Drive id of the frames (default: the file or folder name).")
    String driveId;

    @Option(names = "--encoding", paramLabel = "jpeg|png|raw_rgb24",
            description = "Frame encoding (default: ${DEFAULT-VALUE}).")
    ImageEncoding encoding = ImageEncoding.JPEG;

    @Option(names = "--jpeg-quality", paramLabel = "1-100", description = "JPEG quality (default: ${DEFAULT-VALUE}).")
    int jpegQuality = 90;

    @Option(names = "--encoder-threads", paramLabel = "N",
            description = "Threads per JPEG encoder: faster on many cores, JPEGs about a quarter larger (default: "
                    + "${DEFAULT-VALUE}).")
    int encoderThreads = 1;

    @Option(names = "--resize", paramLabel = "WxH", description = "Resize frames, e.g. 1024x512.")
    String resize;

    @Option(names = "--fps", paramLabel = "F",
            description = "Frame rate of an image folder (default: 17 for Cityscapes, else 10).")
    double fps;

    @Option(names = "--rtsp-transport", paramLabel = "tcp|udp",
            description = "RTSP transport (default: ${DEFAULT-VALUE}).")
    RtspTransport rtspTransport = RtspTransport.TCP;

    @Option(names = "--read-timeout", paramLabel = "SECONDS",
            description = "Network read timeout (default: ${DEFAULT-VALUE}).")
    double readTimeoutSeconds = 10;

    @Option(names = "--start-time", paramLabel = "ISO-8601",
            description = "Capture time of the recording's start (default: its creation_time, else now).")
    Instant startTime;

    @Option(names = "--attr", paramLabel = "KEY=VALUE",
            description = "Camera attribute added to every frame (repeatable).")
    Map<String, String> attributes = new LinkedHashMap<>();

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        SourceSpec sourceSpec = SourceSpec.builder()
                .setLocation(source)
                .optRtspTransport(rtspTransport)
                .optReadTimeout(Duration.ofMillis(Math.round(readTimeoutSeconds * 1000)))
                .optSequenceFps(fps)
                .build();
        ReplayOptions options = ReplayOptions.builder()
                .setSource(sourceSpec)
                .setCameraId(camera)
                .optImage(new ImageOptions(encoding, jpegQuality, resize == null ? null : FrameSize.parse(resize),
                        encoderThreads))
                .optPace(Pace.parse(pace))
                .optFromMicros(from == null ? 0 : MediaTime.parseMicros(from))
                .optToMicros(to == null ? -1 : MediaTime.parseMicros(to))
                .optLoop(loop)
                .optDriveId(driveId)
                .optAttributes(attributes)
                .optStartTime(startTime)
                .build();
        IngestOptions.ensureFramesTopic(bootstrap, topic);

        PrintWriter err = spec.commandLine().getErr();
        ReplayListener progress = noProgress ? new ReplayListener() {}
                : new ReplayProgress(err, "replay " + camera, IngestClock.SYSTEM, System.console() != null);
        CountDownLatch done = new CountDownLatch(1);
        try (KafkaFrameSink sink = KafkaFrameSink.builder().setBootstrapServers(bootstrap).setTopic(topic).build()) {
            Replayer replayer = new Replayer(options, sink, IngestClock.SYSTEM);
            // on SIGTERM: stop after the current frame and hold the JVM until the frames sent are flushed
            Thread hook = new Thread(() -> {
                replayer.stop();
                awaitQuietly(done);
            }, "replay-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            ReplayResult result;
            try {
                result = replayer.run(progress);
            } catch (SourceException e) {
                err.println("segstream replay: " + e.getMessage());
                err.flush();
                return EXIT_DAMAGED_SOURCE;
            } finally {
                removeHook(hook);
            }
            printSummary(spec.commandLine().getOut(), result);
            return 0;
        } finally {
            done.countDown();
        }
    }

    /** The figures of a replay, one aligned row each. */
    private void printSummary(PrintWriter out, ReplayResult result) {
        out.printf(Locale.ROOT, "%-16s %s%n", "camera", camera);
        out.printf(Locale.ROOT, "%-16s %s%n", "drive", result.driveId());
        out.printf(Locale.ROOT, "%-16s %d%n", "frames sent", result.framesSent());
        out.printf(Locale.ROOT, "%-16s %d%n", "corrupt frames", result.corruptFrames());
        out.printf(Locale.ROOT, "%-16s %d%n", "passes", result.passes());
        out.printf(Locale.ROOT, "%-16s %.1f%n", "seconds", result.seconds());
        out.printf(Locale.ROOT, "%-16s %.1f%n", "frames/s", result.framesPerSecond());
        out.flush();
    }

    private static void awaitQuietly(CountDownLatch done) {
        try {
            done.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and waits for this replay to finish
        }
    }
}
