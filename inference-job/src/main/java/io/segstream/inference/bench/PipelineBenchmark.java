package io.segstream.inference.bench;

import io.segstream.connectors.flink.AvroKafkaSink;
import io.segstream.connectors.flink.AvroKafkaSource;
import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.core.alerts.AlertRules;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.ModelException;
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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Compares the bare segmenter with the whole pipeline on the same model and frames: the frame-to-mask work of
 * one subtask ({@link FrameSegmenter}: decode, pre, infer, post, fractions, mask encoding) at batch 1 and
 * batch B in a plain loop, then the same frames through an embedded Kafka broker and the Flink job with
 * exactly-once sinks. The ratio says what Kafka, Flink and the exactly-once machinery cost.
 *
 * <pre>{@code
 * PipelineBenchmark.Report r = PipelineBenchmark.run(modelDir, frames, 4, rules, System.err::println);
 * System.out.print(r.table());
 * }</pre>
 */
public final class PipelineBenchmark {
    private static final int WARM_UP = 8;

    private PipelineBenchmark() {}

    /**
     * One measured way of running the frames.
     *
     * @param name            what ran
     * @param frames          frames measured
     * @param seconds         wall time
     * @param stages          mean stage times in ms per frame (decode, pre, infer, post)
     */
    public record Run(String name, int frames, double seconds, double[] stages) {
        public double framesPerSecond() {
            return frames / seconds;
        }

        public double msPerFrame() {
            return 1000 * seconds / frames;
        }
    }

    /** The runs and how they compare. */
    public record Report(Run bare1, Run bareBatch, Run pipeline, int batch) {
        /** Pipeline throughput over bare throughput at the same batch size. */
        public double ratio() {
            return pipeline.framesPerSecond() / bareBatch.framesPerSecond();
        }

        /** The comparison as aligned tables. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-28s %7s %9s %9s%n", "run", "frames", "frames/s", "ms/frame"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                sb.append(String.format("%-28s %7d %9.2f %9.1f%n", r.name(), r.frames(), r.framesPerSecond(),
                        r.msPerFrame()));
            }
            sb.append(String.format("%-28s %7s %9.3f%n", "pipeline / bare (batch " + batch + ")", "", ratio()));
            sb.append(System.lineSeparator());
            sb.append(String.format("%-28s %8s %8s %8s %8s %14s%n", "stage ms/frame", "decode", "pre", "infer",
                    "post+enc", "kafka+flink"));
            for (Run r : List.of(bare1, bareBatch, pipeline)) {
                double overhead = r == pipeline ? pipeline.msPerFrame() - bareBatch.msPerFrame() : 0;
                sb.append(String.format("%-28s %8.2f %8.2f %8.2f %8.2f %14s%n", r.name(), r.stages()[0],
                        r.stages()[1], r.stages()[2], r.stages()[3],
                        r == pipeline ? String.format("%.2f", overhead) : "-"));
            }
            return sb.toString();
        }
    }

    /** Runs the three measurements on {@code frames} (each measured once, after a short warm-up). */
    public static Report run(Path modelDir, List<CameraFrame> frames, int batch, AlertRules rules,
            Consumer<String> progress) throws Exception {
        progress.accept("bare segmenter, batch 1 ...");
        Run bare1 = bare(modelDir, frames, 1, rules, "bare segmenter, batch 1");
        progress.accept("bare segmenter, batch " + batch + " ...");
        Run bareB = bare(modelDir, frames, batch, rules, "bare segmenter, batch " + batch);
        progress.accept("Kafka + Flink job, batch " + batch + " ...");
        Run pipeline = pipeline(modelDir, frames, batch, rules, "Kafka + Flink, batch " + batch);
        return new Report(bare1, bareB, pipeline, batch);
    }

    static Run bare(Path modelDir, List<CameraFrame> frames, int batch, AlertRules rules, String name)
            throws ModelException {
        SegmenterOptions options = SegmenterOptions.builder().optBatchSize(batch).build();
        try (OnnxSegmenter segmenter = OnnxSegmenter.open(modelDir, options)) {
            FrameSegmenter fs = new FrameSegmenter(segmenter, rules, MaskEncoding.PNG_CLASS_IDS);
            runBatches(fs, frames.subList(0, Math.min(WARM_UP, frames.size())), batch, new double[4]);
            double[] stages = new double[4];
            long t0 = System.nanoTime();
            runBatches(fs, frames, batch, stages);
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (int i = 0; i < 4; i++) {
                stages[i] /= frames.size();
            }
            return new Run(name, frames.size(), seconds, stages);
        }
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

    static Run pipeline(Path modelDir, List<CameraFrame> frames, int batch, AlertRules rules, String name)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            SegstreamTopics topics = SegstreamTopics.builder().optPrefix("bench.").build();
            kafka.ensureTopics(topics.all());
            InferenceJobOptions options = InferenceJobOptions.fromMap(Map.of(
                    "bootstrap", kafka.bootstrapServers(),
                    "topic-prefix", "bench.",
                    "mode", "replay",
                    "batch-size", String.valueOf(batch),
                    "checkpoint-interval-ms", "500",
                    "segmenter.batch-size", String.valueOf(batch)));
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
                            .setBootstrapServers(bs).setTopic(topics.frames()).build();
                    AvroTopicReader<SegmentationMask> masks = AvroTopicReader.builder(SegmentationMask.class)
                            .setBootstrapServers(bs).setTopic(topics.masks()).build()) {
                List<CameraFrame> warmUp = renumber(frames.subList(0, Math.min(WARM_UP, frames.size())), "warm-up");
                send(producer, warmUp);
                masks.readAtLeast(warmUp.size(), Duration.ofMinutes(2));

                List<CameraFrame> measured = renumber(frames, "bench");
                long t0 = System.nanoTime();
                send(producer, measured);
                List<SegmentationMask> out = masks.readAtLeast(measured.size(), Duration.ofMinutes(10));
                double seconds = (System.nanoTime() - t0) / 1e9;
                double[] stages = new double[4];
                for (SegmentationMask m : out) {
                    add(stages, m.getTimings());
                }
                for (int i = 0; i < 4; i++) {
                    stages[i] /= out.size();
                }
                return new Run(name, measured.size(), seconds, stages);
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

    /** Copies of the frames on camera {@code camera}, seq 0.., ingested now. */
    private static List<CameraFrame> renumber(List<CameraFrame> frames, String camera) {
        List<CameraFrame> out = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            out.add(CameraFrame.newBuilder(frames.get(i)).setCameraId(camera).setSeq(i)
                    .setIngestTime(Instant.now()).build());
        }
        return out;
    }
}
