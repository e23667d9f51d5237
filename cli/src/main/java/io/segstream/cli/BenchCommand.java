package io.segstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.imaging.JpegEncoder;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.progress.ProgressBar;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.inference.bench.LeverBenchmark;
import io.segstream.inference.bench.PipelineBenchmark;
import io.segstream.jpeg.ffmpeg.FfmpegJpegDecoder;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream bench}: bare segmenter throughput against the whole Kafka + Flink pipeline, same model and
 * frames.
 *
 * <pre>{@code
 * ./segstream bench --frames 200 --size 1024x512 --batch 4
 * ./segstream bench --levers --frames 50 --rounds 5      # each per-frame lever against what it replaces
 * }</pre>
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures the bare segmenter (batch 1 and batch B) and the whole pipeline (embedded Kafka +",
            "Flink job, exactly once) on the same model and generated frames, and prints the comparison: every",
            "configuration warmed up first, the bare ones timed in interleaved rounds, the median round and the",
            "spread shown, the pipeline compared with the best bare configuration; then the work around the network",
            "against a reference JPEG decode of the same frames (P3) and the network's achieved GFLOP/s. Time it on a",
            "quiet machine."})
final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory, or 'bundled-tta' for the bundled"
            + " model's accurate variant; default: the bundled model.")
    Path model;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "200",
            description = "Frames per measured run (default: ${DEFAULT-VALUE}).")
    int frames;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "1024x512",
            description = "Frame size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4",
            description = "Micro-batch size of the batched runs (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Timed rounds per configuration, after a warm-up; the median round is reported with the"
                    + " spread (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--levers", description = "Instead: measure each per-frame lever against what it replaces (JPEG "
            + "decoder, argmax in Java or in the graph, mask encodings with their sizes), interleaved rounds.")
    boolean levers;

    @Option(names = "--parallelism", paramLabel = "P", defaultValue = "1",
            description = "Segmenters side by side: the bare runs use P threads with a segmenter each, the job P"
                    + " segmentation subtasks on one camera per frames partition (default: ${DEFAULT-VALUE}; with 2,"
                    + " compare --set intra-op-threads=1 against the default 1 x 2 threads).")
    int parallelism;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A segmenter option for every configuration,"
            + " bare and pipeline alike, as the job's segmenter.KEY (e.g. --set spin-wait=false); repeatable.")
    Map<String, String> segmenterSettings = new LinkedHashMap<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON to FILE.")
    Path json;

    @Option(names = "--rules", paramLabel = "FILE", defaultValue = "railway",
            description = "Alert rules whose zones get fractions (default: ${DEFAULT-VALUE}).")
    String rules;

    @Override
    public Integer call() throws Exception {
        int[] wh = Sizes.parse(size, "--size");
        if (frames < 1 || batch < 1 || rounds < 1) {
            throw new IllegalArgumentException("--frames, --batch and --rounds must be at least 1");
        }
        Path modelDir = BootstrapModel.resolve(model);
        AlertRules alertRules = io.segstream.inference.InferenceJob.loadRules(rules);
        List<CameraFrame> input = render(wh[0], wh[1]);
        if (levers) {
            LeverBenchmark.Report report = LeverBenchmark.run(modelDir, input, rounds, line -> {
                spec.commandLine().getErr().println("segstream bench: " + line);
                spec.commandLine().getErr().flush();
            });
            spec.commandLine().getOut().print(report.table());
            spec.commandLine().getOut().flush();
            if (json != null) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("levers", report.toList());
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), all);
            }
            return 0;
        }
        PipelineBenchmark.Report report;
        try (FfmpegJpegDecoder ffmpeg = new FfmpegJpegDecoder()) {
            PipelineBenchmark.ReferenceDecoder reference = new PipelineBenchmark.ReferenceDecoder() {
                @Override
                public String name() {
                    return "FFmpeg MJPEG decoder, 1 thread, to YUV";
                }

                @Override
                public void decode(byte[] encoded) {
                    ffmpeg.decodeOnly(encoded);
                }
            };
            report = PipelineBenchmark.run(modelDir, input, batch, rounds, parallelism, alertRules, segmenterSettings,
                    reference, line -> {
                        spec.commandLine().getErr().println("segstream bench: " + line);
                        spec.commandLine().getErr().flush();
                    });
        }
        spec.commandLine().getOut().print(report.table());
        spec.commandLine().getOut().flush();
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report.toMap());
        }
        return 0;
    }

    /** Distinct generated rail scenes, JPEG-encoded as ingest would send them (at most 50 distinct, cycled). */
    private List<CameraFrame> render(int w, int h) throws java.io.IOException {
        SceneGenerator gen = SceneGenerator.builder().setSize(w, h).optKind(SceneKind.RAIL).optSeed(1).build();
        int distinct = Math.min(frames, 50);
        List<byte[]> jpegs = new ArrayList<>(distinct);
        ProgressBar bar = ProgressBar.builder().setOut(spec.commandLine().getErr()).setUnit("frames")
                .optLabel("rendering").build();
        for (int i = 0; i < distinct; i++) {
            jpegs.add(JpegEncoder.encode(gen.render(i).toImage(), 90));
            bar.update(i + 1, distinct);
        }
        bar.finish();
        List<CameraFrame> out = new ArrayList<>(frames);
        Instant t = Instant.now();
        for (int i = 0; i < frames; i++) {
            out.add(CameraFrame.newBuilder().setCameraId("bench").setSeq(i).setCaptureTime(t).setIngestTime(t)
                    .setWidth(w).setHeight(h).setEncoding(ImageEncoding.JPEG)
                    .setData(ByteBuffer.wrap(jpegs.get(i % distinct))).setAttributes(Map.of()).build());
        }
        return out;
    }
}
