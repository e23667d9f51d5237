package io.segstream.training.run;

import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelComplexity;
import io.segstream.training.model.ModelSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Measures training throughput (images per second of forward, backward and Adam update, and the convolution
 * GFLOP/s that achieves) of every model on random images; not a test. One warm-up step, then {@code iterations} timed steps.
 *
 * <pre>{@code
 * List<TrainingBenchmark.Result> r = TrainingBenchmark.run(512, 256, 4, 3, 1.0, 19, List.of(), System.err);
 * }</pre>
 */
public final class TrainingBenchmark {
    private TrainingBenchmark() {
    }

    /**
     * Throughput of one model.
     *
     * @param forwardFlops convolution FLOPs of one image's forward pass at the benchmark size ({@link ModelComplexity})
     */
    public record Result(String model, long params, double secondsPerStep, double imagesPerSecond,
            double forwardFlops) {

        /**
         * Achieved GFLOP/s of training: a step costs about three forward passes of convolution work (the forward,
         * the gradient for the inputs and the gradient for the weights).
         */
        public double achievedGflops() {
            return 3 * forwardFlops * imagesPerSecond / 1e9;
        }
    }

    /**
     * @param only model labels to run (as {@code segstream models} prints them), or empty for all
     */
    public static List<Result> run(int width, int height, int batch, int iterations, double widthMultiplier,
            int numClasses, List<String> only, PrintStream console) {
        MultiDataSet data = new BatchEncoder(numClasses, Normalization.IMAGENET).encode(randomImages(batch, width,
                height, numClasses));
        List<Result> results = new ArrayList<>();
        for (ModelSpec spec : ModelTable.variants(numClasses, width, height, widthMultiplier)) {
            if (!only.isEmpty() && !only.contains(spec.label())) {
                continue;
            }
            ComputationGraphConfiguration conf = ModelBuilder.builder().setSpec(spec).build().configuration();
            double flops = ModelComplexity.of(conf, height, width).flops();
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init();
            MultiDataSet forGraph = BatchEncoder.forOutputs(data, graph.getNumOutputArrays());
            graph.fit(forGraph);
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                graph.fit(forGraph);
            }
            double perStep = (System.nanoTime() - start) / 1e9 / iterations;
            Result r = new Result(spec.label(), graph.numParams(), perStep, batch / perStep, flops);
            console.println(String.format(Locale.ROOT, "%s: %.2f s per step, %.2f images/s, %.1f GFLOP/s", r.model(),
                    r.secondsPerStep(), r.imagesPerSecond(), r.achievedGflops()));
            results.add(r);
        }
        return results;
    }

    /** The results as an aligned table. */
    public static String format(List<Result> results, int width, int height, int batch) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "training throughput at %dx%d, batch %d (forward + backward + Adam), %d cores%n", width, height, batch,
                Runtime.getRuntime().availableProcessors()));
        sb.append(String.format(Locale.ROOT, "%-24s %12s %12s %10s %10s %10s%n", "model", "params", "s/step",
                "images/s", "GFLOP/img", "GFLOP/s"));
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "%-24s %12s %12.2f %10.2f %10.3f %10.2f%n", r.model(),
                    String.format(Locale.ROOT, "%,d", r.params()), r.secondsPerStep(), r.imagesPerSecond(),
                    3 * r.forwardFlops() / 1e9, r.achievedGflops()));
        }
        sb.append("GFLOP/img: convolution work of one training image (forward + both backward passes, 3 x forward);"
                + " GFLOP/s: that work per second achieved\n");
        return sb.toString();
    }

    private static List<TrainingSample> randomImages(int n, int width, int height, int numClasses) {
        Random r = new Random(1);
        List<TrainingSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] rgb = new byte[3 * width * height];
            byte[] ids = new byte[width * height];
            r.nextBytes(rgb);
            for (int k = 0; k < ids.length; k++) {
                ids[k] = (byte) r.nextInt(numClasses);
            }
            out.add(new TrainingSample("bench_" + i, width, height, rgb, ids));
        }
        return out;
    }
}
