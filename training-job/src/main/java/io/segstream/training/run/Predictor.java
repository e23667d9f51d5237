package io.segstream.training.run;

import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.Normalization;
import io.segstream.training.data.Resampler;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.graph.McDropoutGraphVertex;
import io.segstream.training.model.ModelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Runs a trained checkpoint on images of any size: resize to the training size, forward, argmax, back to the image
 * size. Models with Monte-Carlo dropout (Bayesian SegNet) run {@code samples} stochastic passes in one batch; the
 * prediction is the argmax of the mean softmax and the uncertainty the predictive entropy divided by ln(classes).
 *
 * <pre>{@code
 * Predictor p = Predictor.load(Path.of("runs/.../checkpoints/epoch-003_....zip"), 0, 0, 8);
 * Predictor.Prediction out = p.predict(sample);
 * }</pre>
 */
public final class Predictor {
    private final ComputationGraph graph;
    private final TrainConfig config;
    private final LabelSet labelSet;
    private final int width;
    private final int height;
    private final int samples;
    private final boolean monteCarlo;
    private final BatchEncoder encoder;

    /** Class ids at image size, and the uncertainty in [0, 1] per pixel (null without Monte-Carlo dropout). */
    public record Prediction(int width, int height, byte[] classIds, float[] uncertainty) {
    }

    private Predictor(ComputationGraph graph, TrainConfig config, int width, int height, int samples) {
        this.graph = graph;
        this.config = config;
        this.labelSet = LabelSet.named(config.labelSet());
        this.width = width;
        this.height = height;
        List<McDropoutGraphVertex> mc = new ArrayList<>();
        for (GraphVertex v : graph.getVertices()) {
            if (v instanceof McDropoutGraphVertex d) {
                mc.add(d);
            }
        }
        this.monteCarlo = !mc.isEmpty() && samples > 1;
        this.samples = monteCarlo ? samples : 1;
        mc.forEach(d -> d.setSampling(monteCarlo));
        this.encoder = new BatchEncoder(labelSet.numClasses(), Normalization.IMAGENET);
    }

    /**
     * Loads a checkpoint with its run configuration.
     *
     * @param width   input width, or 0 for the training width
     * @param height  input height, or 0 for the training height
     * @param samples Monte-Carlo passes for models with MC dropout (1 = dropout off)
     */
    public static Predictor load(Path weights, int width, int height, int samples) throws IOException {
        Checkpoints.Restored r = Checkpoints.load(weights);
        TrainConfig config = TrainConfig.of(r.state().config());
        int w = width > 0 ? width : config.width();
        int h = height > 0 ? height : config.height();
        ComputationGraph graph = r.graph();
        if (w != config.width() || h != config.height()) {
            // pooling layers are sized for the input (pyramid and image pooling): rebuild at the new size and carry
            // the weights over, which fully convolutional models allow
            TrainConfig resized = config.with(java.util.Map.of("width", w, "height", h));
            graph = new ComputationGraph(ModelBuilder.builder().setSpec(resized.modelSpec())
                    .optChannelPlan(resized.prunedChannels()).build().configuration());
            graph.init();
            Checkpoints.copyWeights(r.graph(), graph, weights);
            config = resized;
        }
        return new Predictor(graph, config, w, h, samples);
    }

    public TrainConfig config() {
        return config;
    }

    public LabelSet labelSet() {
        return labelSet;
    }

    public boolean monteCarlo() {
        return monteCarlo;
    }

    /** Segments one image (its class ids, if any, are ignored). */
    public Prediction predict(TrainingSample image) {
        byte[] rgb = Resampler.bilinear(image.rgb(), image.width(), image.height(), 3, width, height);
        TrainingSample resized = new TrainingSample(image.id(), width, height, rgb, new byte[width * height]);
        INDArray x = encoder.features(Collections.nCopies(samples, resized));
        INDArray logits = graph.output(false, x)[0];
        int classes = labelSet.numClasses();
        INDArray probs;
        if (samples == 1) {
            probs = softmaxOverChannels(logits).get(org.nd4j.linalg.indexing.NDArrayIndex.point(0));
        } else {
            probs = softmaxOverChannels(logits).mean(0);
        }
        long[] argmax = Nd4j.argMax(probs, 0).dup('c').data().asLong();
        byte[] ids = new byte[argmax.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (byte) argmax[i];
        }
        byte[] full = Resampler.nearest(ids, width, height, image.width(), image.height());
        float[] uncertainty = null;
        if (monteCarlo) {
            INDArray entropy = probs.mul(Transforms.log(probs.add(1e-12), false)).sum(0).negi().divi(Math.log(classes));
            byte[] u8 = new byte[width * height];
            float[] u = entropy.dup('c').data().asFloat();
            for (int i = 0; i < u.length; i++) {
                u8[i] = (byte) Math.round(Math.max(0, Math.min(1, u[i])) * 255);
            }
            byte[] up = Resampler.bilinear(u8, width, height, 1, image.width(), image.height());
            uncertainty = new float[up.length];
            for (int i = 0; i < up.length; i++) {
                uncertainty[i] = (up[i] & 0xFF) / 255f;
            }
        }
        return new Prediction(image.width(), image.height(), full, uncertainty);
    }

    private static INDArray softmaxOverChannels(INDArray logits) {
        INDArray shifted = logits.sub(logits.max(true, 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.divi(e.sum(true, 1));
    }
}
