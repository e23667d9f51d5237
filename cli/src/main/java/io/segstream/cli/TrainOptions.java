package io.segstream.cli;

import io.segstream.core.model.BootstrapModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The training options of the seeds' train.py, shared by {@code segstream train} and {@code segstream retrain}
 * (a picocli mixin): what model, on which data, for how long, with which optimizer, schedule and loss.
 */
final class TrainOptions {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "fastscnn, unet, separable_unet, deeplabv3+, bayes_segnet or fcn.")
    String model;

    @Option(names = "--init", paramLabel = "CHECKPOINT|MODEL_DIR",
            description = "Start from the weights of this checkpoint, or of a model directory segstream exported"
                    + " ('bundled': the bundled model), with a fresh optimizer and schedule (fine-tuning); same model,"
                    + " encoder, width and label set.")
    Path init;

    /** {@link #init} with 'bundled' extracted to a temporary model directory; null when not given. */
    Path initPath() throws java.io.IOException {
        return init != null && init.toString().equals(BootstrapModel.BUNDLED) ? BootstrapModel.resolve(init) : init;
    }

    @Option(names = {"-p", "--path"}, paramLabel = "ROOT",
            description = "Dataset root (leftImg8bit/, gtFine/); default $CITYSCAPES_DATASET.")
    Path path;

    @Option(names = {"-c", "--coarse"},
            description = "Also train on gtCoarse: train_extra, and train frames that have no fine labels.")
    boolean coarse;

    @Option(names = {"-t", "--target-size"}, paramLabel = "WxH", defaultValue = "1024x512",
            description = "Training size (default: ${DEFAULT-VALUE}); a multiple of the model's size divisor.")
    String targetSize;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "4",
            description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-e", "--epochs"}, paramLabel = "N", defaultValue = "10",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--mixed-precision",
            description = "FP16 training; needs the CUDA backend (-Pnd4j-cuda), refused on CPU.")
    boolean mixedPrecision;

    @Option(names = {"-o", "--optimizer"}, paramLabel = "NAME", defaultValue = "adam",
            description = "Optimizer for training (names as --lrfinder; default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "none",
            description = "Learning-rate schedule: none, polynomial, cyclic, warmup (quadratic warm-up +"
                    + " inverse-sqrt decay) or slowstart (slow start + polynomial); default ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9",
            description = "Momentum of sgd and sgd_nesterov (0 = plain SGD); default ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = {"-l", "--learning-rate"}, paramLabel = "LR", defaultValue = "1e-3",
            description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--max-lr", paramLabel = "LR", defaultValue = "1e-2",
            description = "Cyclic: highest rate; lr finder: end of the sweep.")
    double maxLr;

    @Option(names = "--min-lr", paramLabel = "LR", defaultValue = "0",
            description = "Polynomial end rate, warm-up floor, cyclic low end.")
    double minLr;

    @Option(names = "--power", paramLabel = "P", defaultValue = "0.9",
            description = "Polynomial decay power (default: ${DEFAULT-VALUE}).")
    double power;

    @Option(names = "--cycle", paramLabel = "STEPS", defaultValue = "2000",
            description = "Cyclic period in iterations (default: ${DEFAULT-VALUE}).")
    int cycle;

    @Option(names = "--warmup-steps", paramLabel = "STEPS", defaultValue = "500",
            description = "Warm-up iterations (default: ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--decay", paramLabel = "D", defaultValue = "1e-3",
            description = "Inverse-sqrt decay factor per iteration.")
    double decay;

    @Option(names = "--slow-start-steps", paramLabel = "STEPS", defaultValue = "0",
            description = "Slow-start iterations.")
    int slowStartSteps;

    @Option(names = "--slow-start-lr", paramLabel = "LR", defaultValue = "1e-4",
            description = "Slow-start learning rate.")
    double slowStartLr;

    @Option(names = "--backbone", paramLabel = "NAME", defaultValue = "mobilenetv2",
            description = "DeepLabV3+ backbone: mobilenetv2 or xception.")
    String backbone;

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "mobilenetv2",
            description = "FCN encoder: mobilenetv2, resnet18 or vgg16.")
    String encoder;

    @Option(names = "--fcn-stride", paramLabel = "S", defaultValue = "8",
            description = "FCN variant: 32, 16 or 8 (default: ${DEFAULT-VALUE}).")
    int fcnStride;

    @Option(names = "--width-multiplier", paramLabel = "X", defaultValue = "1.0",
            description = "Scales every layer's channels.")
    double widthMultiplier;

    @Option(names = "--label-set", paramLabel = "NAME", defaultValue = "cityscapes-19",
            description = "cityscapes-19 or rail-20.")
    String labelSet;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "ce",
            description = "ce, ce_dice, ohem (hard-pixel mining) or focal.")
    String loss;

    @Option(names = "--class-weights", paramLabel = "W", defaultValue = "none",
            description = "none, auto (from label frequencies) or w0,w1,... (one per class).")
    String classWeights;

    @Option(names = "--top-k", paramLabel = "F", defaultValue = "0.25",
            description = "ohem: fraction of hardest pixels kept.")
    double topK;

    @Option(names = "--mining-steps", paramLabel = "STEPS", defaultValue = "0",
            description = "ohem: iterations to narrow from all pixels to --top-k.")
    long miningSteps;

    @Option(names = "--gamma", paramLabel = "G", defaultValue = "2", description = "focal: focusing parameter.")
    double gamma;

    @Option(names = "--accumulate", paramLabel = "N", defaultValue = "1",
            description = "Batches accumulated into one optimizer step.")
    int accumulate;

    @Option(names = "--clip-norm", paramLabel = "C", defaultValue = "0",
            description = "Clip each layer's gradient L2 norm to this (0 = off).")
    double clipNorm;

    @Option(names = "--clip-value", paramLabel = "C", defaultValue = "0",
            description = "Clip gradient elements to +-this (0 = off).")
    double clipValue;

    @Option(names = "--head-lr-multiplier", paramLabel = "X", defaultValue = "1",
            description = "Learning-rate multiplier of the new last layers.")
    double headLrMultiplier;

    @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0",
            description = "Decoupled weight decay (0 = off).")
    double weightDecay;

    @Option(names = "--validate-every", paramLabel = "K", defaultValue = "0",
            description = "Validate every K iterations (0 = each epoch).")
    int validateEvery;

    @Option(names = "--val-images", paramLabel = "N", defaultValue = "0",
            description = "Validation frames used (0 = all).")
    int validationImages;

    @Option(names = "--val-size", paramLabel = "WxH",
            description = "Size the validation frames are resized to and scored at (default: -t): the size the model"
                    + " will be exported and run at, when -t and --scale-range train it on crops of a larger frame"
                    + " (e.g. -t 256x128 --scale-range 1.5,2.5 --val-size 512x256).")
    String valSize;

    @Option(names = "--no-augment", description = "Train without random scale, crop, flip and colour jitter.")
    boolean noAugment;

    @Option(names = "--scale-range", paramLabel = "MIN,MAX", defaultValue = "0.5,2.0",
            description = "Random scale of the augmentation, relative to the image resized to the training size:"
                    + " 0.5,2.0 (default, DeepLab's); 2,2 with -t 256x128 trains on 256x128 crops of a 512x256"
                    + " frame, at the scale a 512x256 model sees.")
    String scaleRange;

    @Option(names = "--rare-class-crop", paramLabel = "P", defaultValue = "0",
            description = "Share of training crops placed on a pixel of a class drawn among the frame's classes with"
                    + " probability proportional to 1 / its pixel share in the training set (rare class sampling:"
                    + " more crops show persons and vehicles); 0 (default) crops uniformly.")
    double rareClassCrop;

    @Option(names = "--loader-threads", paramLabel = "N", defaultValue = "2",
            description = "Threads that load and augment batches.")
    int loaderThreads;

    @Option(names = "--cache-mb", paramLabel = "MB", defaultValue = "0",
            description = "Decoded training samples kept in memory after their first epoch, in MB (0, the default:"
                    + " decode every sample every epoch; -1: a third of the JVM's maximum heap). For frames on slow"
                    + " storage; on local disk it measured no faster here.")
    long cacheMb;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of weights, data order, augmentation, dropout.")
    long seed;

    @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs",
            description = "Where run directories go (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    private double[] scaleRange() {
        String[] parts = scaleRange.split(",");
        try {
            if (parts.length == 2) {
                double min = Double.parseDouble(parts[0].trim());
                double max = Double.parseDouble(parts[1].trim());
                if (min > 0 && max >= min) {
                    return new double[] {min, max};
                }
            }
        } catch (NumberFormatException e) {
            // reported below with the value the user gave
        }
        throw new IllegalArgumentException("--scale-range must be MIN,MAX with 0 < MIN <= MAX, got '" + scaleRange
                + "'");
    }

    /** The options as a training configuration map (see {@code TrainConfig.of}). */
    Map<String, Object> toMap() {
        int[] size = Sizes.parse(targetSize, "--target-size");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", model);
        o.put("backbone", backbone);
        o.put("encoder", encoder);
        o.put("fcnStride", fcnStride);
        o.put("widthMultiplier", widthMultiplier);
        o.put("labelSet", labelSet);
        o.put("dataPath", path == null ? null : path.toString());
        o.put("coarse", coarse);
        o.put("width", size[0]);
        o.put("height", size[1]);
        o.put("augment", !noAugment);
        double[] scales = scaleRange();
        o.put("minScale", scales[0]);
        o.put("maxScale", scales[1]);
        o.put("rareClassCrop", rareClassCrop);
        o.put("loaderThreads", loaderThreads);
        o.put("cacheMb", cacheMb);
        o.put("batch", batch);
        o.put("epochs", epochs);
        o.put("optimizer", optimizer);
        o.put("learningRate", learningRate);
        o.put("momentum", momentum);
        o.put("schedule", schedule);
        o.put("power", power);
        o.put("minLr", minLr);
        o.put("maxLr", maxLr);
        o.put("cycle", cycle);
        o.put("warmupSteps", warmupSteps);
        o.put("decay", decay);
        o.put("slowStartSteps", slowStartSteps);
        o.put("slowStartLr", slowStartLr);
        o.put("loss", loss);
        o.put("classWeights", classWeights);
        o.put("topK", topK);
        o.put("miningSteps", miningSteps);
        o.put("gamma", gamma);
        o.put("accumulate", accumulate);
        o.put("clipNorm", clipNorm);
        o.put("clipValue", clipValue);
        o.put("headLrMultiplier", headLrMultiplier);
        o.put("weightDecay", weightDecay);
        o.put("validateEvery", validateEvery);
        o.put("validationImages", validationImages);
        int[] val = valSize == null ? new int[] {0, 0} : Sizes.parse(valSize, "--val-size");
        o.put("valWidth", val[0]);
        o.put("valHeight", val[1]);
        o.put("seed", seed);
        o.put("mixedPrecision", mixedPrecision);
        o.put("runsDir", runsDir.toString());
        return o;
    }
}
