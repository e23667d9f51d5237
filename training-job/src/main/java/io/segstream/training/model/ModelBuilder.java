package io.segstream.training.model;

import io.segstream.training.graph.LayerHelpers;
import io.segstream.training.graph.OnePassLossLayer;
import io.segstream.training.loss.PixelLoss;
import io.segstream.training.loss.WeightedCrossEntropy;
import io.segstream.training.optim.Optimizers;
import io.segstream.training.prune.FilterPruner;
import io.segstream.training.optim.ScaledSchedule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Turns a {@link ModelSpec} into a trainable DL4J {@link ComputationGraphConfiguration}: the registered model's
 * layers from input {@value #INPUT} (N×3×H×W, normalised RGB) to logits, then a {@code CnnLossLayer} (an
 * {@link OnePassLossLayer}) named
 * {@value #LOSS} with the chosen {@link PixelLoss}. The graph's first output is the logits (identity activation);
 * models with deep supervision ({@link GraphBlocks#markAuxiliary}) add one loss layer per auxiliary logits after it,
 * named {@value #LOSS}{@code _aux1}, {@code _aux2}, …, which take the same labels.
 *
 * <pre>{@code
 * BuiltModel m = ModelBuilder.builder().setSpec(spec).optUpdater(new Adam(1e-3))
 *         .optLoss(new WeightedCrossEntropy(null)).optSeed(42).build();
 * ComputationGraph graph = new ComputationGraph(m.configuration());
 * graph.init();
 * }</pre>
 */
public final class ModelBuilder {
    /** Name of the graph's input vertex. */
    public static final String INPUT = "input";
    /** Name of the loss (output) layer. */
    public static final String LOSS = "loss";

    private ModelSpec spec;
    private IUpdater updater = new Adam(1e-3);
    private PixelLoss loss = new WeightedCrossEntropy(null);
    private long seed = 12345;
    private double headLrMultiplier = 1.0;
    private GradientNormalization gradientNormalization = GradientNormalization.None;
    private double gradientThreshold = 1.0;
    private double weightDecay;
    private DataType dataType = DataType.FLOAT;
    private Map<String, Integer> channelPlan = Map.of();

    private ModelBuilder() {
    }

    public static ModelBuilder builder() {
        return new ModelBuilder();
    }

    public ModelBuilder setSpec(ModelSpec spec) {
        this.spec = spec;
        return this;
    }

    /** Optimiser with its learning rate or schedule (default Adam 1e-3). */
    public ModelBuilder optUpdater(IUpdater updater) {
        this.updater = updater;
        return this;
    }

    public ModelBuilder optLoss(PixelLoss loss) {
        this.loss = loss;
        return this;
    }

    /** Seed of the weight initialisation. */
    public ModelBuilder optSeed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Multiplies the learning rate of the newly initialised head layers (DeepLab's last-layer multiplier). */
    public ModelBuilder optHeadLrMultiplier(double multiplier) {
        this.headLrMultiplier = multiplier;
        return this;
    }

    /** Per-layer gradient clipping or normalisation as DL4J applies it before the updater. */
    public ModelBuilder optGradientNormalization(GradientNormalization normalization, double threshold) {
        this.gradientNormalization = normalization;
        this.gradientThreshold = threshold;
        return this;
    }

    /** Decoupled weight decay coefficient (0 = none). */
    public ModelBuilder optWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
        return this;
    }

    /** Network data type (FLOAT; HALF only where the backend computes it, see the training README). */
    public ModelBuilder optDataType(DataType dataType) {
        this.dataType = dataType;
        return this;
    }

    /** Filters kept per convolution of a pruned network ({@link FilterPruner}); empty for the full-size model. */
    public ModelBuilder optChannelPlan(Map<String, Integer> plan) {
        this.channelPlan = Objects.requireNonNull(plan, "plan");
        return this;
    }

    /** Checks the input size against the model and builds the configuration. */
    public BuiltModel build() {
        Objects.requireNonNull(spec, "model spec is required (setSpec)");
        Objects.requireNonNull(updater, "updater");
        Objects.requireNonNull(loss, "loss");
        if (!(headLrMultiplier > 0)) {
            throw new IllegalArgumentException("head learning-rate multiplier must be > 0, got " + headLrMultiplier);
        }
        SegmentationModel model = ModelRegistry.get(spec.model());
        checkSize(model, spec);
        LayerHelpers.enable();
        NeuralNetConfiguration.Builder nn = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(dataType)
                .updater(updater)
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Same)
                .gradientNormalization(gradientNormalization)
                .gradientNormalizationThreshold(gradientThreshold);
        if (weightDecay > 0) {
            nn.weightDecay(weightDecay, true);
        }
        ComputationGraphConfiguration.GraphBuilder gb = nn.graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), 3));
        GraphBlocks g = new GraphBlocks(gb, INPUT, new FeatureShape(3, spec.height(), spec.width()));
        String logits = model.define(g, INPUT, spec);
        FeatureShape out = g.shape(logits);
        if (out.channels() != spec.numClasses() || out.height() != spec.height() || out.width() != spec.width()) {
            throw new IllegalStateException(spec.label() + " produced logits " + out + " for input "
                    + spec.height() + "x" + spec.width());
        }
        gb.addLayer(LOSS, OnePassLossLayer.of(new CnnLossLayer.Builder(loss).activation(Activation.IDENTITY)), logits);
        List<String> outputs = new ArrayList<>(List.of(LOSS));
        for (Map.Entry<String, Double> aux : g.auxiliaryLogits().entrySet()) {
            String name = LOSS + "_aux" + outputs.size();
            gb.addLayer(name, OnePassLossLayer.of(new CnnLossLayer.Builder(auxiliaryLoss(aux.getValue()))
                    .activation(Activation.IDENTITY)), aux.getKey());
            outputs.add(name);
        }
        gb.setOutputs(outputs.toArray(String[]::new));
        ComputationGraphConfiguration conf = gb.build();
        if (!channelPlan.isEmpty()) {
            conf = FilterPruner.resize(conf, channelPlan);
        }
        if (headLrMultiplier != 1.0) {
            scaleHeadLearningRate(conf, g.headLayers());
        }
        return new BuiltModel(spec, conf, logits, g.headLayers(), model.outputStride(spec));
    }

    /**
     * The loss of an auxiliary output: cross-entropy (as mmsegmentation's auxiliary heads) with the main loss's class
     * weights, scaled by {@code weight}, which scales the loss and its gradient by {@code weight}.
     */
    private WeightedCrossEntropy auxiliaryLoss(double weight) {
        double[] w = loss.getClassWeights();
        if (w == null) {
            w = new double[spec.numClasses()];
            Arrays.fill(w, 1.0);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] *= weight;
        }
        return new WeightedCrossEntropy(w);
    }

    private void scaleHeadLearningRate(ComputationGraphConfiguration conf, Set<String> head) {
        for (String name : head) {
            if (conf.getVertices().get(name) instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setIUpdater(scaled(layer.getIUpdater()));
                if (layer.getBiasUpdater() != null) {
                    layer.setBiasUpdater(scaled(layer.getBiasUpdater()));
                }
            }
        }
    }

    private IUpdater scaled(IUpdater base) {
        if (!base.hasLearningRate()) {
            throw new IllegalArgumentException("the head learning-rate multiplier needs an optimizer with a learning"
                    + " rate; " + base.getClass().getSimpleName() + " has none");
        }
        IUpdater u = base.clone();
        ISchedule schedule = Optimizers.scheduleOf(base);
        double lr = base.getLearningRate(0, 0);
        u.setLrAndSchedule(lr * headLrMultiplier, schedule == null ? null : new ScaledSchedule(schedule, headLrMultiplier));
        return u;
    }

    /**
     * The vertices the main output (the graph's first) depends on, the input and that output included: the network
     * a camera runs. Auxiliary heads that only feed training losses are not among them.
     */
    public static Set<String> inferenceVertices(ComputationGraphConfiguration conf) {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> open = new ArrayDeque<>(List.of(conf.getNetworkOutputs().get(0)));
        while (!open.isEmpty()) {
            String v = open.pop();
            if (needed.add(v)) {
                open.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        return needed;
    }

    /** Throws {@link InvalidInputSizeException} when the model cannot take the spec's input size. */
    public static void checkSize(SegmentationModel model, ModelSpec spec) {
        int d = model.sizeDivisor(spec);
        if (spec.width() % d != 0 || spec.height() % d != 0 || spec.width() < d || spec.height() < d) {
            int w = Math.max(d, Math.round(spec.width() / (float) d) * d);
            int h = Math.max(d, Math.round(spec.height() / (float) d) * d);
            throw new InvalidInputSizeException("model " + spec.label() + " needs width and height that are multiples"
                    + " of " + d + " (output stride " + model.outputStride(spec) + "); " + spec.width() + "x"
                    + spec.height() + " is not, use e.g. " + w + "x" + h);
        }
    }

    /**
     * A built configuration and what training needs to know about it.
     *
     * @param spec         what was built
     * @param configuration the DL4J graph configuration (input {@value #INPUT}, output {@value #LOSS})
     * @param logitsVertex the vertex that holds the logits
     * @param headLayers   newly initialised classifier layers
     * @param outputStride ratio of input size to the coarsest feature map
     */
    public record BuiltModel(ModelSpec spec, ComputationGraphConfiguration configuration, String logitsVertex,
            Set<String> headLayers, int outputStride) {
    }
}
