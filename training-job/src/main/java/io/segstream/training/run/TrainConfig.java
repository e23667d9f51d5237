package io.segstream.training.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.loss.LossSpec;
import io.segstream.training.model.ModelBuilder;
import io.segstream.training.model.ModelRegistry;
import io.segstream.training.model.ModelSpec;
import io.segstream.training.optim.Optimizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a training run is configured with, parsed once from a map of options over {@link #DEFAULTS}, validated
 * with messages that say what to fix, and written to the run directory as {@code config.json}.
 *
 * <pre>{@code
 * TrainConfig c = TrainConfig.of(Map.of("model", "fastscnn", "dataPath", "/data/cityscapes", "width", 512,
 *         "height", 256, "epochs", 3));
 * }</pre>
 *
 * @param model            registered model name
 * @param backbone         DeepLabV3+ backbone
 * @param encoder          FCN encoder
 * @param fcnStride        FCN variant (32, 16, 8)
 * @param widthMultiplier  channel width multiplier
 * @param labelSet         label set of the class ids ({@code cityscapes-19} or {@code rail-20})
 * @param dataPath         Cityscapes-layout root (null: {@code CITYSCAPES_DATASET})
 * @param coarse           add gtCoarse frames to training
 * @param width            training width
 * @param height           training height
 * @param augment          random scale, crop, flip and colour jitter
 * @param minScale         smallest random scale
 * @param maxScale         largest random scale
 * @param rareClassCrop    share of crops placed on a pixel of a class drawn by rarity (0 = uniform crops)
 * @param loaderThreads    background threads that load and augment batches
 * @param cacheMb          MB of decoded training samples kept in memory across epochs (-1: a third of the JVM's
 *                         maximum heap; 0: none)
 * @param batch            images per batch
 * @param epochs           epochs to train (total, including those before a resume)
 * @param optimizer        optimiser name
 * @param learningRate     base (or peak) learning rate
 * @param momentum         momentum for sgd and sgd_nesterov
 * @param schedule         none, polynomial, cyclic, warmup or slowstart
 * @param power            polynomial decay power
 * @param minLr            end rate of polynomial decay, floor of warm-up decay, low end of cyclic
 * @param maxLr            high end of cyclic
 * @param cycle            full cyclic period in iterations
 * @param warmupSteps      warm-up iterations
 * @param decay            inverse-square-root decay factor per iteration
 * @param slowStartSteps   slow-start iterations
 * @param slowStartLr      slow-start rate
 * @param loss             ce, ce_dice, ohem or focal
 * @param classWeights     none, auto (ENet weights from label frequencies) or a comma-separated list
 * @param topK             ohem: fraction of hardest pixels
 * @param miningSteps      ohem: iterations over which the fraction narrows from 1 to topK
 * @param gamma            focal loss gamma
 * @param accumulate       batches whose gradients are summed into one optimiser step
 * @param clipNorm         per-layer gradient L2 clipping threshold (0 = off)
 * @param clipValue        element-wise gradient clipping threshold (0 = off)
 * @param headLrMultiplier learning-rate multiplier of the newly initialised last layers
 * @param weightDecay      decoupled weight decay (0 = off)
 * @param validateEvery    validate every this many iterations (0 = once an epoch)
 * @param validationImages how many val frames to score each time (0 = all)
 * @param valWidth         width val frames are resized to and scored at (0 = the training width): the size the
 *                         model is deployed at, when it trains on crops of another scale
 * @param valHeight        height of validation (0 = the training height)
 * @param seed             seed of initialisation, data order, augmentation and dropout
 * @param mixedPrecision   FP16 compute (refused on the CPU backend)
 * @param runsDir          parent of run directories
 * @param prunedChannels   filters kept per convolution of a pruned network ({@code segstream prune}); empty for the
 *                         full-size model
 */
public record TrainConfig(
        String model, String backbone, String encoder, int fcnStride, double widthMultiplier,
        String labelSet, String dataPath, boolean coarse, int width, int height,
        boolean augment, double minScale, double maxScale, double rareClassCrop, int loaderThreads, long cacheMb,
        int batch, int epochs, String optimizer, double learningRate, double momentum,
        String schedule, double power, double minLr, double maxLr, int cycle, int warmupSteps, double decay,
        int slowStartSteps, double slowStartLr,
        String loss, String classWeights, double topK, long miningSteps, double gamma,
        int accumulate, double clipNorm, double clipValue, double headLrMultiplier, double weightDecay,
        int validateEvery, int validationImages, int valWidth, int valHeight, long seed, boolean mixedPrecision,
        String runsDir,
        Map<String, Integer> prunedChannels) {

    /** Schedule names {@code --schedule} accepts. */
    public static final List<String> SCHEDULES = List.of("none", "polynomial", "cyclic", "warmup", "slowstart");

    /** Every option with its default. */
    public static final Map<String, Object> DEFAULTS = defaults();

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", null);
        d.put("backbone", ModelSpec.DEFAULT_BACKBONE);
        d.put("encoder", ModelSpec.DEFAULT_ENCODER);
        d.put("fcnStride", ModelSpec.DEFAULT_FCN_STRIDE);
        d.put("widthMultiplier", 1.0);
        d.put("labelSet", LabelSet.DEFAULT);
        d.put("dataPath", null);
        d.put("coarse", false);
        d.put("width", 1024);
        d.put("height", 512);
        d.put("augment", true);
        d.put("minScale", 0.5);
        d.put("maxScale", 2.0);
        d.put("rareClassCrop", 0.0);
        d.put("loaderThreads", 2);
        d.put("cacheMb", 0L);
        d.put("batch", 4);
        d.put("epochs", 10);
        d.put("optimizer", "adam");
        d.put("learningRate", 1e-3);
        d.put("momentum", 0.9);
        d.put("schedule", "none");
        d.put("power", 0.9);
        d.put("minLr", 0.0);
        d.put("maxLr", 1e-2);
        d.put("cycle", 2000);
        d.put("warmupSteps", 500);
        d.put("decay", 1e-3);
        d.put("slowStartSteps", 0);
        d.put("slowStartLr", 1e-4);
        d.put("loss", "ce");
        d.put("classWeights", "none");
        d.put("topK", 0.25);
        d.put("miningSteps", 0L);
        d.put("gamma", 2.0);
        d.put("accumulate", 1);
        d.put("clipNorm", 0.0);
        d.put("clipValue", 0.0);
        d.put("headLrMultiplier", 1.0);
        d.put("weightDecay", 0.0);
        d.put("validateEvery", 0);
        d.put("validationImages", 0);
        d.put("valWidth", 0);
        d.put("valHeight", 0);
        d.put("seed", 42L);
        d.put("mixedPrecision", false);
        d.put("runsDir", "runs");
        d.put("prunedChannels", Map.of());
        return java.util.Collections.unmodifiableMap(d);
    }

    /** The defaults overridden by {@code options}; unknown keys and invalid values are errors. */
    public static TrainConfig of(Map<String, ?> options) {
        Map<String, Object> merged = new LinkedHashMap<>(DEFAULTS);
        for (Map.Entry<String, ?> e : options.entrySet()) {
            if (!DEFAULTS.containsKey(e.getKey())) {
                throw new IllegalArgumentException("unknown training option '" + e.getKey() + "'; known options: "
                        + String.join(", ", DEFAULTS.keySet()));
            }
            if (e.getValue() != null) {
                merged.put(e.getKey(), e.getValue());
            }
        }
        TrainConfig c;
        try {
            c = JSON.convertValue(merged, TrainConfig.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("training options do not parse: " + e.getMessage(), e);
        }
        c.validate();
        return c;
    }

    /** Reads a {@code config.json} written by {@link #write}. */
    public static TrainConfig read(Path file) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.readValue(file.toFile(), Map.class);
        return of(map);
    }

    /** Writes the configuration as JSON. */
    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /** The configuration as an option map (the inverse of {@link #of}). */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toMap() {
        return JSON.convertValue(this, LinkedHashMap.class);
    }

    /** A copy with some options changed. */
    public TrainConfig with(Map<String, ?> changes) {
        Map<String, Object> m = toMap();
        m.putAll(changes);
        return of(m);
    }

    /** The sample cache's budget in bytes: {@code cacheMb}, or a third of the maximum heap when it is -1. */
    public long cacheBudgetBytes() {
        return cacheMb < 0 ? Runtime.getRuntime().maxMemory() / 3 : cacheMb << 20;
    }

    /** The model this configuration trains. */
    public ModelSpec modelSpec() {
        return ModelSpec.builder().setModel(model).setNumClasses(LabelSet.named(labelSet).numClasses())
                .setSize(width, height).optWidthMultiplier(widthMultiplier).optBackbone(backbone).optEncoder(encoder)
                .optFcnStride(fcnStride).build();
    }

    public TrainConfig {
        prunedChannels = prunedChannels == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(prunedChannels));
    }

    private void validate() {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model given; choose one with -m/--model");
        }
        if (!labelSet.equals("cityscapes-19") && !labelSet.equals("rail-20")) {
            throw new IllegalArgumentException("label set must be cityscapes-19 or rail-20 (train ids), got '"
                    + labelSet + "'");
        }
        ModelSpec spec = modelSpec();
        ModelBuilder.checkSize(ModelRegistry.get(model), spec);
        requirePositive("batch", batch);
        requirePositive("epochs", epochs);
        requirePositive("accumulate", accumulate);
        requirePositive("loaderThreads", loaderThreads);
        if (!Optimizers.NAMES.contains(optimizer)) {
            throw new IllegalArgumentException("unknown optimizer '" + optimizer + "'; use one of "
                    + String.join(", ", Optimizers.NAMES));
        }
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("unknown schedule '" + schedule + "'; use one of "
                    + String.join(", ", SCHEDULES));
        }
        if (!LossSpec.NAMES.contains(loss)) {
            throw new IllegalArgumentException("unknown loss '" + loss + "'; use one of " + String.join(", ", LossSpec.NAMES));
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        }
        // builds the optimiser and schedule once so that their own checks (ftrl, adadelta with a schedule, cyclic
        // bounds...) fail here, before any data is read
        Optimizers.create(optimizer, learningRate, Schedules.of(this, 1), momentum);
        if (clipNorm < 0 || clipValue < 0 || (clipNorm > 0 && clipValue > 0)) {
            throw new IllegalArgumentException("use one of --clip-norm and --clip-value, with a value > 0");
        }
        if (cacheMb < -1) {
            throw new IllegalArgumentException("sample cache must be >= 0 MB (or -1 for a third of the heap), got "
                    + cacheMb);
        }
        if (!(rareClassCrop >= 0 && rareClassCrop <= 1)) {
            throw new IllegalArgumentException("rare-class crop share must be in [0, 1], got " + rareClassCrop);
        }
        if (valWidth < 0 || valHeight < 0 || (valWidth == 0) != (valHeight == 0)) {
            throw new IllegalArgumentException("validation size must be WxH with both > 0 (or unset), got "
                    + valWidth + "x" + valHeight);
        }
        if (valWidth > 0) {
            ModelBuilder.checkSize(ModelRegistry.get(model), spec.withSize(valWidth, valHeight));
        }
        if (validateEvery < 0 || validationImages < 0) {
            throw new IllegalArgumentException("validation interval and image count must be >= 0");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
