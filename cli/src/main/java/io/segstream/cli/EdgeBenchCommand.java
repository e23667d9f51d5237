package io.segstream.cli;

import io.segstream.core.imaging.JpegEncoder;
import io.segstream.core.scenes.DriveGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.ExecutionProvider;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.edge.agent.EdgeBenchmark;
import io.segstream.edge.spool.SpoolBenchmark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code segstream edge bench}: the edge agent's throughput on this machine, as a table: frames per second and
 * milliseconds per stage of the agent's per-frame work (rendered railway frames as JPEG through the pipeline with the
 * served model, without Kafka), then the spool's write and drain rates.
 *
 * <pre>{@code
 * ./segstream edge bench --frames 40 --size 1024x512 --provider tensorrt
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the edge agent on this machine: frames/s and ms per stage at --size with the served "
                + "model (the bundled one, or --model), then the spool's write and drain rates (records/s, MB/s).",
                "Run it on the device itself, with nothing else running: the figures are this machine's."})
public final class EdgeBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--frames", paramLabel = "N", description = "Frames timed, after 2 warm-up frames (default: 40).")
    int frames = 40;

    @Option(names = "--size", paramLabel = "WxH", description = "Frame size (default: 1024x512).")
    String size = "1024x512";

    @Option(names = "--model", paramLabel = "DIR", description = "A model directory (default: the bundled model).")
    Path model;

    @Option(names = "--provider", paramLabel = "tensorrt|cuda|cpu",
            description = "Execution provider (default: tensorrt, falling back to the CPU with one warning).")
    String provider = "tensorrt";

    @Option(names = "--records", paramLabel = "N", description = "Spool records written and drained (default: 5000).")
    int records = 5000;

    @Option(names = "--record-bytes", paramLabel = "N",
            description = "Bytes per spool record, about a 1024x512 mask's (default: 20000).")
    int recordBytes = 20_000;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the spool and the bundled model go while it runs, on the disk the spool will use "
                    + "(default: a temporary folder; removed afterwards).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        if (frames < 1) {
            throw new IllegalArgumentException("--frames must be at least 1, got " + frames);
        }
        SegmenterOptions segmenter = SegmenterOptions.builder().optProvider(ExecutionProvider.parse(provider))
                .optTensorRtFp16(true).build();
        Path dir = workDir != null ? Files.createDirectories(workDir).resolve("edge-bench-" + ProcessHandle.current()
                .pid()) : Files.createTempDirectory("edge-bench");
        PrintWriter out = spec.commandLine().getOut();
        try {
            List<byte[]> jpegs = render(frames + EdgeBenchmark.WARM_UP, wh[0], wh[1]);
            EdgeBenchmark.Result p = EdgeBenchmark.run(jpegs, wh[0], wh[1], model, segmenter,
                    Files.createDirectories(dir.resolve("pipeline")));
            out.printf(Locale.ROOT, "agent pipeline: %dx%d, %d frames (after %d warm-up), model %s on %s%n", wh[0],
                    wh[1], p.frames(), EdgeBenchmark.WARM_UP, p.model(), p.provider());
            out.print(new TextTable(List.of("stage", "ms per frame"))
                    .row(List.of("JPEG decode and resize", ms(p.decodeMs())))
                    .row(List.of("pre-processing", ms(p.preMs())))
                    .row(List.of("inference", ms(p.inferMs())))
                    .row(List.of("fractions and PNG mask", ms(p.postMs())))
                    .row(List.of("rules, Avro and spool", ms(p.restMs())))
                    .row(List.of("total", ms(p.totalMs())))
                    .row(List.of("frames/s", String.format(Locale.ROOT, "%.2f", p.framesPerSecond()))));
            SpoolBenchmark.Result s = SpoolBenchmark.run(dir.resolve("spool"), records, recordBytes);
            out.printf(Locale.ROOT, "%nspool: %d records of %d bytes in %s%n", s.records(), s.recordBytes(), dir);
            out.print(new TextTable(List.of("spool", "records/s", "MB/s"))
                    .row(List.of("write (synced every 200 ms)", rate(s.writeRecordsPerSecond()),
                            mbs(s.writeMegabytesPerSecond())))
                    .row(List.of("drain (read, CRC, delivered, removed)", rate(s.drainRecordsPerSecond()),
                            mbs(s.drainMegabytesPerSecond()))));
            out.flush();
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static List<byte[]> render(int n, int width, int height) throws java.io.IOException {
        DriveGenerator drive = DriveGenerator.builder().setSize(width, height).setFrames(n).optKind(SceneKind.RAIL)
                .optSeed(7).build();
        List<byte[]> jpegs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            jpegs.add(JpegEncoder.encode(drive.render(i).toImage(), 90));
        }
        return jpegs;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String rate(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String mbs(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
