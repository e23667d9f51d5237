package io.segstream.inference.bench;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.kafka.TopicRole;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.metrics.Median;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.onnx.ConvolutionFlops;
import io.segstream.core.segment.FramePreprocessor;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.inference.InferenceJob;
import io.segstream.inference.InferenceJobOptions;
import io.segstream.schemas.Alert;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.DeadLetter;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.SegmentationMask;
import io.segstream.schemas.StageTimings;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.utils.Utils;

/**
 * Compares the bare segmenter with the whole pipeline on the same model and frames: the frame-to-mask work of
 * one subtask ({@link FrameSegmenter}: decode, pre, infer, post, fractions, mask encoding) at batch 1 and
 * batch B in a plain loop, then the same frames through an embedded Kafka broker and the Flink job with
 * exactly-once sinks. The ratio says what Kafka, Flink and the exactly-once machinery cost.
 *
 * <p>So that the figures can be trusted: every configuration is warmed up before any is timed (JIT, ONNX Runtime
 * arenas, Kafka transactions), the bare configurations are timed in interleaved rounds (their order alternating),
 * the pipeline in as many rounds, and each figure is the median round with the spread (slowest and fastest round)
 * beside it. The pipeline is compared with the best bare configuration, whichever batch that is.
 *
 * <pre>{@code
 * PipelineBenchmark.Report r = PipelineBenchmark.run(modelDir, frames, 4, 3, rules, System.err::println);
 * System.out.print(r.table());
 * }</pre>
 */
public final class PipelineBenchmark {
    private static final int WARM_UP = 16;
    /** A warm-up pass whose JIT compilation took less than this share of its wall time ends the warm-up. */
    private static final double JIT_SETTLED = 0.05;
    /** The longest warm-up of one configuration; the pipeline (broker, Flink, clients) needs about a minute here. */
    private static final long MAX_WARM_UP_NANOS = 120_000_000_000L;
    /** Thread groups the table lists by name. */
    private static final int CPU_GROUPS = 12;
    /** The client id of the bench's frame producer, whose I/O thread is then named after it. */
    private static final String FRAME_PRODUCER = "bench-frames";

    private PipelineBenchmark() {}

    /**
     * One way of running the frames, measured in rounds.
     *
     * @param name    what ran
     * @param frames  frames per round
     * @param seconds wall time of each round
     * @param stages  mean stage times in ms per frame over all rounds (decode, pre, infer, post)
     * @param cpuMs   CPU ms per frame over the timed rounds: the process's as "total", and for the pipeline also by
     *                thread group ({@link ThreadCpu}), largest first
     */
    public record Run(String name, int frames, List<Double> seconds, double[] stages, Map<String, Double> cpuMs) {
        public Run {
            seconds = List.copyOf(seconds);
            cpuMs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cpuMs));
        }

        /** The process's CPU ms per frame over the timed rounds. */
        public double processCpuMs() {
            return cpuMs.getOrDefault("total", Double.NaN);
        }

        /** Frames per second of the median round. */
        public double framesPerSecond() {
            return frames / Median.of(seconds);
        }

        /** Frames per second of the slowest and of the fastest round. */
        public double[] spread() {
            double slowest = seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double fastest = seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            return new double[] {frames / slowest, frames / fastest};
        }

        public double msPerFrame() {
            return 1000 * Median.of(seconds) / frames;
        }
    }

    /**
     * The runs and how they compare.
     *
     * @param convGflops        convolution GFLOPs of one frame's forward pass ({@link ConvolutionFlops}), NaN when
     *                          the graph's convolutions could not be counted
     * @param referenceDecodeMs ms per frame of the reference decoder on the same frames, NaN when none was given
     * @param referenceName     what the reference decoder is
     */
    public record Report(Run bare1, Run bareBatch, Run pipeline, int batch, double convGflops,
            double referenceDecodeMs, String referenceName) {
        /** The faster of the two bare configurations. */
        public Run bestBare() {
            return bare1.framesPerSecond() >= bareBatch.framesPerSecond() ? bare1 : bareBatch;
        }

        /** Pipeline throughput over the best bare throughput. */
        public double ratio() {
            return pipeline.framesPerSecond() / bestBare().framesPerSecond();
        }

        /** Achieved GFLOP/s of the network during a run's inference stage; NaN when the FLOPs are unknown. */
        public double achievedGflops(Run r) {
            return convGflops / (r.stages()[2] / 1000);
        }

        /** Decode + pre + post + mask encoding of a run, ms per frame. */
        public static double aroundTheNetworkMs(Run r) {
            return r.stages()[0] + r.stages()[1] + r.stages()[3];
        }

        /** P3: the work around the network over the reference decode of the same frame (goal: at most 1.5). */
        public double overheadOverReference(Run r) {
            return aroundTheNetworkMs(r) / referenceDecodeMs;
        }

        /**
         * The best bare run's CPU a frame over the pipeline's: where both keep every core busy, the most P1 can be
         * on this machine (NaN where the process CPU could not be read).
         */
        public double cpuCeiling() {
            return ceiling(0);
        }

        /**
         * {@link #cpuCeiling()} without the bench's own broker, frame producer and mask reader in the pipeline's CPU:
         * the ceiling where those run elsewhere, as in a deployment (NaN where they were not told apart).
         */
        public double cpuCeilingWithoutHarness() {
            return ceiling(harnessMs());
        }

        /** CPU ms a frame of the bench's own broker, frame producer and mask reader in the pipeline run. */
        public double harnessMs() {
            return pipeline.cpuMs().getOrDefault(ThreadCpu.HARNESS, Double.NaN);
        }

        private double ceiling(double lessMs) {
            double bare = bestBare().processCpuMs();
            double piped = pipeline.processCpuMs() - lessMs;
            return bare > 0 && piped > 0 ? bare / piped : Double.NaN;
        }

        /** Every figure, for {@code bench --json}. */
        public Map<String, Object> toMap() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("batch", batch);
            out.put("pre_vector_api", FramePreprocessor.usesVectorApiByDefault());
            List<Map<String, Object>> runs = new ArrayList<>();
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("name", r.name());
                run.put("frames_per_round", r.frames());
                run.put("round_seconds", r.seconds());
                run.put("frames_per_second_median", r.framesPerSecond());
                run.put("frames_per_second_slowest", r.spread()[0]);
                run.put("frames_per_second_fastest", r.spread()[1]);
                run.put("ms_per_frame", r.msPerFrame());
                run.put("decode_ms", r.stages()[0]);
                run.put("pre_ms", r.stages()[1]);
                run.put("infer_ms", r.stages()[2]);
                run.put("post_ms", r.stages()[3]);
                run.put("achieved_gflops_per_second", achievedGflops(r));
                run.put("around_network_over_reference_decode", overheadOverReference(r));
                run.put("cpu_ms_per_frame", r.cpuMs());
                runs.add(run);
            }
            out.put("runs", runs);
            out.put("best_bare", bestBare().name());
            out.put("pipeline_over_best_bare", ratio());
            out.put("cpu_ceiling_of_pipeline_over_best_bare", cpuCeiling());
            out.put("harness_cpu_ms_per_frame", harnessMs());
            out.put("cpu_ceiling_without_harness", cpuCeilingWithoutHarness());
            out.put("conv_gflops_per_frame", convGflops);
            out.put("reference_decoder", referenceName);
            out.put("reference_decode_ms", referenceDecodeMs);
            return out;
        }

        /** The comparison as aligned tables. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-28s %7s %7s %9s %17s %9s%n", "run", "frames", "rounds", "frames/s",
                    "spread (min-max)", "ms/frame"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                double[] spread = r.spread();
                sb.append(String.format("%-28s %7d %7d %9.2f %8.2f-%-8.2f %9.1f%n", r.name(), r.frames(),
                        r.seconds().size(), r.framesPerSecond(), spread[0], spread[1], r.msPerFrame()));
            }
            sb.append(String.format("%-28s %s %.3f%n", "pipeline / best bare", "(" + bestBare().name() + ")",
                    ratio()));
            sb.append("(a pipeline round ends when the job wrote its last mask, not when a checkpoint made it visible)");
            sb.append(System.lineSeparator());
            sb.append(System.lineSeparator());
            sb.append(String.format("%-28s %8s %8s %8s %8s %14s%n", "stage ms/frame", "decode", "pre", "infer",
                    "post+enc", "kafka+flink"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                double overhead = r == pipeline ? pipeline.msPerFrame() - bestBare().msPerFrame() : 0;
                sb.append(String.format("%-28s %8.2f %8.2f %8.2f %8.2f %14s%n", r.name(), r.stages()[0],
                        r.stages()[1], r.stages()[2], r.stages()[3],
                        r == pipeline ? String.format("%.2f", overhead) : "-"));
            }
            sb.append(System.lineSeparator());
            sb.append(String.format("%-28s %12s %12s %14s%n", "per frame", "around net", "/ reference",
                    "net GFLOP/s"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                sb.append(String.format("%-28s %9.2f ms %12.2f %14.1f%n", r.name(), aroundTheNetworkMs(r),
                        overheadOverReference(r), achievedGflops(r)));
            }
            sb.append(String.format("around net: decode + pre + post+enc; reference: %s, %.2f ms per frame on the"
                    + " same frames (goal: around net <= 1.5 x reference)%n", referenceName, referenceDecodeMs));
            sb.append(FramePreprocessor.usesVectorApiByDefault()
                    ? String.format("pre: 4:2:0 frames prepared with the JDK's vector API%n")
                    : String.format("pre: 4:2:0 frames prepared without the JDK's vector API (java"
                            + " --add-modules=jdk.incubator.vector, 8 float lanes or more)%n"));
            sb.append(String.format("net GFLOP/s: %.2f GFLOP of convolutions per frame over the infer time%n",
                    convGflops));
            sb.append(System.lineSeparator());
            sb.append(String.format("%-28s %12s %12s%n", "CPU ms/frame (process)", "all threads", "GC (time)"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                sb.append(String.format("%-28s %12.2f %12.2f%n", r.name(), r.processCpuMs(),
                        r.cpuMs().getOrDefault(ThreadCpu.GC_TIME, Double.NaN)));
            }
            sb.append(String.format("pipeline CPU ms/frame by thread (digits as #), the %d largest:%n", CPU_GROUPS));
            int shown = 0;
            double rest = 0;
            for (Map.Entry<String, Double> e : pipeline.cpuMs().entrySet()) {
                if (e.getKey().equals("total") || e.getKey().equals(ThreadCpu.UNACCOUNTED)
                        || e.getKey().equals(ThreadCpu.GC_TIME) || e.getKey().equals(ThreadCpu.JIT_THREADS)
                        || e.getKey().equals(ThreadCpu.GC_THREADS) || e.getKey().equals(ThreadCpu.HARNESS)) {
                    continue;
                }
                if (shown++ < CPU_GROUPS) {
                    sb.append(String.format("  %8.2f  %s%n", e.getValue(), e.getKey()));
                } else {
                    rest += e.getValue();
                }
            }
            sb.append(String.format("  %8.2f  (%d other thread groups)%n", rest, Math.max(0, shown - CPU_GROUPS)));
            sb.append(String.format("  %8.2f  %s%n", pipeline.cpuMs().getOrDefault(ThreadCpu.UNACCOUNTED, 0.0),
                    ThreadCpu.UNACCOUNTED));
            for (String jvm : List.of(ThreadCpu.JIT_THREADS, ThreadCpu.GC_THREADS)) {
                sb.append(String.format("  %8.2f  %s%n", pipeline.cpuMs().getOrDefault(jvm, 0.0), jvm));
            }
            sb.append(String.format("  %8.2f  %s%n", pipeline.cpuMs().getOrDefault(ThreadCpu.GC_TIME, 0.0),
                    ThreadCpu.GC_TIME));
            sb.append(String.format("  %8.2f  %s%n", harnessMs(), ThreadCpu.HARNESS));
            sb.append(String.format("CPU ceiling of pipeline / best bare: %.3f (best bare CPU ms/frame over the"
                    + " pipeline's: where both keep every core busy, the most it can be here); without the bench's"
                    + " own broker, frame producer and mask reader: %.3f%n", cpuCeiling(), cpuCeilingWithoutHarness()));
            return sb.toString();
        }
    }

    /**
     * Warms up and measures the three configurations on {@code frames}.
     *
     * @param rounds             timed rounds per configuration; the bare ones interleaved
     * @param segmenterSettings  segmenter options ({@link SegmenterOptions#fromMap}) of every configuration; the
     *                           batch size is the benchmark's
     */
    public static Report run(Path modelDir, List<CameraFrame> frames, int batch, int rounds, AlertRules rules,
            Map<String, String> segmenterSettings, ReferenceDecoder reference, Consumer<String> progress)
            throws Exception {
        return run(modelDir, frames, batch, rounds, 1, rules, segmenterSettings, reference, progress);
    }

    /**
     * As {@link #run(Path, List, int, int, AlertRules, Map, ReferenceDecoder, Consumer)} with {@code parallelism}
     * segmenters: the bare configurations run that many segmenters in as many threads, each on every
     * {@code parallelism}-th frame, and the job runs that many segmentation subtasks on frames of one camera per
     * partition of the frames topic (so each subtask gets its share).
     */
    public static Report run(Path modelDir, List<CameraFrame> frames, int batch, int rounds, int parallelism,
            AlertRules rules, Map<String, String> segmenterSettings, ReferenceDecoder reference,
            Consumer<String> progress) throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
        }
        if (parallelism < 1 || parallelism > 4) {
            throw new IllegalArgumentException("parallelism must be 1 to 4 (the frames topic's partitions), got "
                    + parallelism);
        }
        Map<String, String> bareSettings = new LinkedHashMap<>(segmenterSettings);
        if (parallelism > 1) {
            // the cores shared among the segmenters, as the job shares a task manager's among its slots
            bareSettings.putIfAbsent(SegmenterOptions.INTRA_OP_THREADS.key(),
                    String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / parallelism)));
        }
        List<CameraFrame> warmUp = frames.subList(0, Math.min(WARM_UP, frames.size()));
        List<OnnxSegmenter> open = new ArrayList<>();
        try {
            List<FrameSegmenter> fs1 = new ArrayList<>();
            List<FrameSegmenter> fsB = new ArrayList<>();
            for (int i = 0; i < parallelism; i++) {
                OnnxSegmenter s1 = OnnxSegmenter.open(modelDir, withBatch(bareSettings, 1));
                open.add(s1);
                OnnxSegmenter sB = OnnxSegmenter.open(modelDir, withBatch(bareSettings, batch));
                open.add(sB);
                // the masks encoded as the job encodes them by default
                MaskEncoding encoding = InferenceJobOptions.MASK_ENCODING.defaultValue();
                fs1.add(new FrameSegmenter(s1, rules, encoding));
                fsB.add(new FrameSegmenter(sB, rules, encoding));
            }
            progress.accept("warming up the bare segmenter at batch 1 and batch " + batch + " ...");
            untilCompiled(() -> timed(fs1, frames, 1, new double[4], new double[4], 0), progress, "bare, batch 1");
            untilCompiled(() -> timed(fsB, frames, batch, new double[4], new double[4], 1), progress,
                    "bare, batch " + batch);
            for (CameraFrame f : warmUp) {
                reference.decode(bytes(f));
            }
            List<Double> seconds1 = new ArrayList<>();
            List<Double> secondsB = new ArrayList<>();
            List<Double> secondsReference = new ArrayList<>();
            double[] stages1 = new double[4];
            double[] stagesB = new double[4];
            double[] cpu = new double[4];   // process CPU ms of batch 1 and batch B, then their collector ms
            for (int round = 0; round < rounds; round++) {
                progress.accept("bare segmenter, round " + (round + 1) + " of " + rounds + " ...");
                // alternate which configuration goes first, so neither always runs on a warmer machine
                if (round % 2 == 0) {
                    seconds1.add(timed(fs1, frames, 1, stages1, cpu, 0));
                    secondsB.add(timed(fsB, frames, batch, stagesB, cpu, 1));
                } else {
                    secondsB.add(timed(fsB, frames, batch, stagesB, cpu, 1));
                    seconds1.add(timed(fs1, frames, 1, stages1, cpu, 0));
                }
                secondsReference.add(timedReference(reference, frames));
            }
            int timedFrames = frames.size() * rounds;
            String times = parallelism > 1 ? parallelism + " x " : "";
            Run bare1 = new Run(times + "bare segmenter, batch 1", frames.size(), seconds1,
                    mean(stages1, timedFrames), Map.of("total", cpu[0] / timedFrames, ThreadCpu.GC_TIME,
                            cpu[2] / timedFrames));
            Run bareB = new Run(times + "bare segmenter, batch " + batch, frames.size(), secondsB,
                    mean(stagesB, timedFrames), Map.of("total", cpu[1] / timedFrames, ThreadCpu.GC_TIME,
                            cpu[3] / timedFrames));
            progress.accept("Kafka + Flink job, batch " + batch + ", " + rounds + " rounds ...");
            Run pipeline = pipeline(modelDir, frames, batch, rounds, parallelism, rules, segmenterSettings,
                    "Kafka + Flink, " + (parallelism > 1 ? parallelism + " subtasks, " : "") + "batch " + batch,
                    progress);
            double referenceMs = 1000 * Median.of(secondsReference) / frames.size();
            return new Report(bare1, bareB, pipeline, batch, convGflops(modelDir, progress), referenceMs,
                    reference.name());
        } finally {
            for (OnnxSegmenter s : open) {
                s.close();
            }
        }
    }

    /** A decoder the per-frame work is compared with (P3): decodes one encoded frame fully, on one thread. */
    public interface ReferenceDecoder {
        /** What it is, for the table. */
        String name();

        /** Decodes {@code encoded} completely; the result is thrown away. */
        void decode(byte[] encoded);
    }

    private static double timedReference(ReferenceDecoder reference, List<CameraFrame> frames) {
        long t0 = System.nanoTime();
        for (CameraFrame f : frames) {
            reference.decode(bytes(f));
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static byte[] bytes(CameraFrame f) {
        ByteBuffer b = f.getData().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Convolution GFLOPs per frame at the model's input size; NaN (with the reason told) when uncountable. */
    private static double convGflops(Path modelDir, Consumer<String> progress) {
        try {
            ModelManifest m = ModelManifest.read(modelDir.resolve(ModelDirectory.MANIFEST_FILE));
            long[] shape = m.layout() == ModelManifest.Layout.NHWC
                    ? new long[] {1, m.inputHeight(), m.inputWidth(), 3}
                    : new long[] {1, 3, m.inputHeight(), m.inputWidth()};
            byte[] onnx = Files.readAllBytes(modelDir.resolve(ModelDirectory.MODEL_FILE));
            return ConvolutionFlops.count(onnx, m.inputName(), shape) / 1e9;
        } catch (Exception e) {
            progress.accept("the network's FLOPs could not be counted (" + e.getMessage() + ")");
            return Double.NaN;
        }
    }

    /**
     * Runs the frames once; adds the process's CPU ms to {@code cpu[slot]} and the collector's ms to
     * {@code cpu[slot + 2]}; returns the wall seconds.
     */
    private static double timed(List<FrameSegmenter> segmenters, List<CameraFrame> frames, int batch,
            double[] stages, double[] cpu, int slot) {
        ThreadCpu threads = ThreadCpu.start();
        long t0 = System.nanoTime();
        if (segmenters.size() == 1) {
            runBatches(segmenters.get(0), frames, batch, stages);
        } else {
            // each segmenter in its own thread on every n-th frame, as n subtasks would share the cameras
            int n = segmenters.size();
            List<Thread> running = new ArrayList<>();
            double[][] own = new double[n][4];
            RuntimeException[] failed = new RuntimeException[1];
            for (int i = 0; i < n; i++) {
                List<CameraFrame> share = new ArrayList<>();
                for (int k = i; k < frames.size(); k += n) {
                    share.add(frames.get(k));
                }
                FrameSegmenter fs = segmenters.get(i);
                double[] mine = own[i];
                Thread t = new Thread(() -> {
                    try {
                        runBatches(fs, share, batch, mine);
                    } catch (RuntimeException e) {
                        failed[0] = e;
                    }
                }, "bench segmenter " + i);
                t.start();
                running.add(t);
            }
            for (Thread t : running) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the bare segmenters ran", e);
                }
            }
            if (failed[0] != null) {
                throw failed[0];
            }
            for (double[] mine : own) {
                for (int k = 0; k < 4; k++) {
                    stages[k] += mine[k];
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> ms = threads.sinceStart();
        cpu[slot] += ms.get("total");
        cpu[slot + 2] += ms.get(ThreadCpu.GC_TIME);
        return seconds;
    }

    private static double[] mean(double[] sums, int frames) {
        double[] out = sums.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] /= frames;
        }
        return out;
    }

    private static void runBatches(FrameSegmenter fs, List<CameraFrame> frames, int batch, double[] stages) {
        for (int from = 0; from < frames.size(); from += batch) {
            for (FrameOutcome o : fs.segment(frames.subList(from, Math.min(frames.size(), from + batch)))) {
                if (!o.succeeded()) {
                    throw new IllegalStateException("benchmark frame failed: " + o.failure().reason());
                }
                add(stages, o.mask().getTimings());
            }
        }
    }

    private static void add(double[] stages, StageTimings t) {
        stages[0] += t.getDecodeMs();
        stages[1] += t.getPreMs();
        stages[2] += t.getInferMs();
        stages[3] += t.getPostMs();
    }

    private static SegmenterOptions withBatch(Map<String, String> settings, int batch) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.put(SegmenterOptions.BATCH_SIZE.key(), String.valueOf(batch));
        return SegmenterOptions.fromMap(all);
    }

    /** One pass of warm-up work. */
    private interface WarmUp {
        double run() throws Exception;
    }

    /**
     * Runs {@code pass} until the JIT compilers spend less than {@link #JIT_SETTLED} of a pass's wall time (for at
     * most {@link #MAX_WARM_UP_NANOS}), so timed rounds measure compiled code, as a long-running job does: the
     * pipeline's broker, Flink and Kafka client paths take thousands of frames to compile, and the compilers' CPU
     * would otherwise count as the pipeline's (5-9 ms a frame after 16 warm-up frames).
     */
    private static void untilCompiled(WarmUp pass, Consumer<String> progress, String what) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        for (int n = 1; ; n++) {
            long jit0 = jit.getTotalCompilationTime();
            long t0 = System.nanoTime();
            pass.run();
            double wallMs = (System.nanoTime() - t0) / 1e6;
            double jitMs = jit.getTotalCompilationTime() - jit0;
            if (jitMs < JIT_SETTLED * wallMs || System.nanoTime() - start > MAX_WARM_UP_NANOS) {
                progress.accept(String.format("%s warmed up in %d pass(es) (JIT %.0f ms of the last pass's %.0f ms)",
                        what, n, jitMs, wallMs));
                return;
            }
        }
    }

    static Run pipeline(Path modelDir, List<CameraFrame> frames, int batch, int rounds, int parallelism,
            AlertRules rules, Map<String, String> segmenterSettings, String name, Consumer<String> progress)
            throws Exception {
        Set<Long> before = ThreadCpu.liveThreads(thread -> true);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            // the broker's threads: those its start made (nothing else runs yet)
            Set<Long> harness = ThreadCpu.liveThreads(thread -> true);
            harness.removeAll(before);
            SegstreamTopics topics = SegstreamTopics.builder().optPrefix("bench.").build();
            kafka.ensureTopics(topics.all());
            Map<String, String> settings = new LinkedHashMap<>(Map.of(
                    "bootstrap", kafka.bootstrapServers(),
                    "topic-prefix", "bench.",
                    "mode", "replay",
                    "batch-size", String.valueOf(batch),
                    "parallelism", String.valueOf(parallelism),
                    "checkpoint-interval-ms", "500"));
            segmenterSettings.forEach((k, v) -> settings.put("segmenter." + k, v));
            InferenceJobOptions options = InferenceJobOptions.fromMap(settings);
            String bs = kafka.bootstrapServers();
            InferenceJob job = new InferenceJob(options, modelDir, rules,
                    AvroKafkaSource.builder(CameraFrame.class).setBootstrapServers(bs).setTopic(topics.frames())
                            .setGroupId("bench").build(),
                    AvroKafkaSink.builder(SegmentationMask.class).setBootstrapServers(bs).setTopic(topics.masks())
                            .optExactlyOnce("bench-masks").build(),
                    AvroKafkaSink.builder(Alert.class).setBootstrapServers(bs).setTopic(topics.alerts())
                            .optExactlyOnce("bench-alerts").build(),
                    AvroKafkaSink.builder(DeadLetter.class).setBootstrapServers(bs).setTopic(topics.deadLetters())
                            .build());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(new Configuration());
            InferenceJob.configure(env, options);
            job.build(env);
            JobClient client = env.executeAsync("segstream bench");
            try (AvroKafkaProducer<CameraFrame> producer = AvroKafkaProducer.builder(CameraFrame.class)
                            .setBootstrapServers(bs).setTopic(topics.frames())
                            .optProperty("client.id", FRAME_PRODUCER).build();
                    AvroTopicReader<SegmentationMask> masks = AvroTopicReader.builder(SegmentationMask.class)
                            .setBootstrapServers(bs).setTopic(topics.masks()).build()) {
                int partitions = topics.spec(TopicRole.FRAMES).partitions();
                int cameras = parallelism > 1 ? partitions : 1;
                int[] warmUps = {0};
                untilCompiled(() -> {
                    List<CameraFrame> warmUp = renumber(frames, "warm-up-" + warmUps[0]++, cameras, partitions);
                    send(producer, warmUp);
                    masks.readAtLeast(warmUp.size(), Duration.ofMinutes(2));
                    return 0.0;
                }, progress, "Kafka + Flink");

                List<Double> seconds = new ArrayList<>();
                double[] stages = new double[4];
                // the frame producer's I/O thread, and this one, which sends the frames and reads the masks
                harness.addAll(ThreadCpu.liveThreads(thread -> thread.endsWith("| " + FRAME_PRODUCER)));
                harness.add(Thread.currentThread().getId());
                ThreadCpu threads = ThreadCpu.start(harness);
                for (int round = 0; round < rounds; round++) {
                    List<CameraFrame> measured = renumber(frames, "bench-" + round, cameras, partitions);
                    long t0 = System.currentTimeMillis();
                    send(producer, measured);
                    // the round ends when the job wrote its last mask (the record's CreateTime), not when a
                    // checkpoint made it visible to read_committed readers: throughput, not commit latency
                    long lastWritten = 0;
                    int read = 0;
                    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    while (read < measured.size()) {
                        if (System.nanoTime() > deadline) {
                            throw new IOException("the job wrote " + read + " of " + measured.size()
                                    + " masks within 10 minutes");
                        }
                        for (ReceivedRecord<SegmentationMask> r : masks.poll(Duration.ofMillis(100))) {
                            lastWritten = Math.max(lastWritten, r.position().timestamp());
                            add(stages, r.value().getTimings());
                            read++;
                        }
                    }
                    seconds.add(Math.max(1, lastWritten - t0) / 1e3);
                }
                Map<String, Double> cpuMs = new LinkedHashMap<>();
                threads.sinceStart().forEach((group, ms) -> cpuMs.put(group, ms / (frames.size() * rounds)));
                return new Run(name, frames.size(), seconds, mean(stages, frames.size() * rounds), cpuMs);
            } finally {
                client.cancel().get();
            }
        }
    }

    private static void send(AvroKafkaProducer<CameraFrame> producer, List<CameraFrame> frames) throws IOException {
        for (CameraFrame f : frames) {
            producer.send(f);
        }
        producer.flush();
    }

    /**
     * Copies of the frames, ingested now, in turn on {@code cameras} cameras named after {@code prefix} (seq 0.. on
     * each); with more than one, one camera per partition of the frames topic, so every source subtask reads its share.
     */
    static List<CameraFrame> renumber(List<CameraFrame> frames, String prefix, int cameras, int partitions) {
        List<String> names = cameras == 1 ? List.of(prefix) : onePerPartition(prefix, partitions);
        List<CameraFrame> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            out.add(CameraFrame.newBuilder(frames.get(i)).setCameraId(names.get(i % names.size()))
                    .setSeq(i / names.size()).setIngestTime(Instant.now()).build());
        }
        return out;
    }

    /** Camera ids {@code prefix-N} that Kafka's keyed partitioning puts on partitions 0 .. partitions-1, in turn. */
    static List<String> onePerPartition(String prefix, int partitions) {
        String[] byPartition = new String[partitions];
        int found = 0;
        for (int n = 0; found < partitions; n++) {
            String name = prefix + "-" + n;
            int p = Utils.toPositive(Utils.murmur2(name.getBytes(StandardCharsets.UTF_8))) % partitions;
            if (byPartition[p] == null) {
                byPartition[p] = name;
                found++;
            }
        }
        return List.of(byPartition);
    }
}
