package io.segstream.core.scenes.bootstrap;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.scenes.Scene;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.segment.OnnxFeatureExtractor;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Fits a baseline model without a training run (segstream bundled one until its trained model,
 * {@link BootstrapModel}, replaced it): the {@link BootstrapNetwork} of fixed colour, texture, context and position
 * features with a classifier fitted in plain Java (softmax regression on sampled pixels) to labelled images. An
 * authoring tool: nothing at run time uses it.
 *
 * <pre>{@code
 * BootstrapFit.Report r = BootstrapFit.fit(out, train, 40, val, 8, BootstrapFit.FitOptions.defaults(),
 *         System.err::println);
 * }</pre>
 */
public final class BootstrapFit {
    /** Model name of the fitted baseline. */
    public static final String NAME = "bootstrap-rail";

    private static final float[] MEAN = {0.5f, 0.5f, 0.5f};
    private static final float[] STD = {0.25f, 0.25f, 0.25f};

    private BootstrapFit() {}

    /**
     * An image and its labels.
     *
     * @param image    the image
     * @param classIds {@code rail-20} class ids (255 ignored), one per pixel of {@code image}, row-major
     */
    public record LabelledImage(RgbImage image, byte[] classIds) {
        public LabelledImage {
            Objects.requireNonNull(image, "image");
            if (classIds.length != image.width() * image.height()) {
                throw new IllegalArgumentException("a " + image.size() + " image needs "
                        + (image.width() * image.height()) + " labels, got " + classIds.length);
            }
        }
    }

    /**
     * How to fit.
     *
     * @param width       model input width (a multiple of 64)
     * @param height      model input height (a multiple of 64)
     * @param projections random ReLU projections of the features fed to the classifier with them
     * @param perClass    most pixels sampled per class per image (keeps rare classes from drowning)
     * @param epochs      passes of softmax regression
     * @param l2          weight decay
     * @param seed        seed of projections, sampling and shuffling
     */
    public record FitOptions(int width, int height, int projections, int perClass, int epochs, float l2, long seed) {
        /** The settings of the bundled model. */
        public static FitOptions defaults() {
            return new FitOptions(512, 256, 64, 3000, 16, 1e-5f, 20250601L);
        }

        /** A copy with another input size. */
        public FitOptions withSize(int w, int h) {
            return new FitOptions(w, h, projections, perClass, epochs, l2, seed);
        }

        /** A copy with another epoch count. */
        public FitOptions withEpochs(int e) {
            return new FitOptions(width, height, projections, perClass, e, l2, seed);
        }
    }

    /**
     * What a fit achieved on the validation images.
     *
     * @param miou     mean IoU over the classes that occur in ground truth or prediction
     * @param classIou IoU per class id, NaN where a class occurs in neither
     * @param accuracy share of labelled pixels predicted right
     * @param samples  pixels the classifier was fitted on
     */
    public record Report(ModelDirectory directory, double miou, double[] classIou, double accuracy, int samples) {}

    // ---------------------------------------------------------------- fitting

    /**
     * Fits a bootstrap model to {@code trainCount} training images, evaluates it on {@code valCount}
     * validation images, and writes the model directory {@code out} (manifest with metrics and training
     * configuration).
     *
     * @param train    the i-th training image, 0 &lt;= i &lt; trainCount (made on demand, so they need not fit in memory)
     * @param val      the i-th validation image
     * @param data     says where the images come from, for the manifest's training configuration
     * @param progress receives one line per step
     */
    public static Report fit(Path out, IntFunction<LabelledImage> train, int trainCount, IntFunction<LabelledImage> val,
            int valCount, String data, FitOptions options, Consumer<String> progress) throws IOException {
        LabelSet labels = LabelSet.named(BootstrapModel.LABEL_SET);
        int classes = labels.numClasses();
        ModelManifest.Builder manifest = ModelManifest.builder()
                .setName(NAME).setVersion("1").setLabelSet(BootstrapModel.LABEL_SET)
                .setInput(BootstrapNetwork.INPUT, options.width(), options.height(), Layout.NCHW)
                .setNormalization(MEAN, STD)
                .setOutput(BootstrapNetwork.LOGITS, OutputKind.LOGITS_NCHW)
                .optBaseline(true);
        int d = BootstrapNetwork.FEATURES;

        // 1. features of sampled pixels
        Samples samples = new Samples(d);
        Random rnd = new Random(options.seed());
        byte[] onnxFeatures = BootstrapNetwork.featureGraph(options.width(), options.height());
        ModelManifest featureManifest = manifest.build();
        try (OnnxFeatureExtractor fx = OnnxFeatureExtractor.open(onnxFeatures, featureManifest,
                BootstrapNetwork.FEATURE_OUTPUT)) {
            for (int i = 0; i < trainCount; i++) {
                LabelledImage img = train.apply(i);
                float[] f = fx.features(img.image());
                byte[] lab = nearest(img, options.width(), options.height());
                sample(f, lab, options.width() * options.height(), d, classes, options.perClass(), rnd, samples);
                progress.accept(String.format("bootstrap: features of training image %d/%d, %d pixels sampled",
                        i + 1, trainCount, samples.count));
            }
        } catch (ModelException e) {
            throw new IllegalStateException("the bootstrap feature graph does not load: " + e.getMessage(), e);
        }
        if (samples.count == 0) {
            throw new IllegalArgumentException("the training images hold no labelled pixel");
        }

        // 2. standardise, project, fit
        int n = samples.count;
        float[] mean = new float[d];
        float[] std = new float[d];
        standardise(samples.x, n, d, mean, std);
        int k = options.projections();
        float[] proj = new float[k * d];
        float[] projBias = new float[k];
        double scale = 1.0 / Math.sqrt(d);
        for (int i = 0; i < proj.length; i++) {
            proj[i] = (float) (rnd.nextGaussian() * scale * 1.5);
        }
        for (int i = 0; i < k; i++) {
            projBias[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        int dims = d + k;
        float[] x = new float[n * dims];
        for (int i = 0; i < n; i++) {
            System.arraycopy(samples.x, i * d, x, i * dims, d);
            for (int p = 0; p < k; p++) {
                float z = projBias[p];
                for (int j = 0; j < d; j++) {
                    z += proj[p * d + j] * samples.x[i * d + j];
                }
                x[i * dims + d + p] = Math.max(0f, z);
            }
        }
        int[] y = Arrays.copyOf(samples.y, n);
        SoftmaxRegression.Fit fit = SoftmaxRegression.fit(x, y, dims, classes, options.epochs(), options.l2(),
                options.seed(), epoch -> progress.accept("bootstrap: softmax regression epoch " + epoch + "/"
                        + options.epochs() + " on " + n + " pixels of " + dims + " features"));

        // 3. fold the standardisation into the graph's weights
        float[] graphProj = new float[k * d];
        float[] graphProjBias = projBias.clone();
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < d; j++) {
                graphProj[p * d + j] = proj[p * d + j] / std[j];
                graphProjBias[p] -= proj[p * d + j] * mean[j] / std[j];
            }
        }
        float[] graphCls = fit.weights().clone();
        float[] graphBias = fit.bias().clone();
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < d; j++) {
                graphCls[c * dims + j] = fit.weights()[c * dims + j] / std[j];
                graphBias[c] -= fit.weights()[c * dims + j] * mean[j] / std[j];
            }
        }
        byte[] onnx = BootstrapNetwork.model(options.width(), options.height(), graphProj, graphProjBias, graphCls,
                graphBias).optDocString("segstream bootstrap model: fixed features, fitted softmax classifier")
                .toByteArray();

        ObjectNode training = JsonNodeFactory.instance.objectNode();
        training.put("method", "fixed feature network + random ReLU projection + softmax regression");
        training.put("data", data);
        training.put("trainImages", trainCount);
        training.put("valImages", valCount);
        training.put("sampledPixels", n);
        training.put("features", d);
        training.put("projections", k);
        training.put("perClassPerImage", options.perClass());
        training.put("epochs", options.epochs());
        training.put("l2", options.l2());
        training.put("seed", options.seed());
        manifest.optTraining(training).optDescription(description(trainCount));
        ModelDirectory dir = ModelDirectory.write(out, onnx, manifest.build());

        // 4. evaluate and record the figures in the manifest
        long[] confusion = new long[classes * classes];
        try (OnnxSegmenter seg = OnnxSegmenter.open(out, SegmenterOptions.defaults())) {
            for (int i = 0; i < valCount; i++) {
                LabelledImage img = val.apply(i);
                byte[] pred = seg.segment(img.image()).classIds();
                accumulate(confusion, classes, img.classIds(), pred);
                progress.accept(String.format("bootstrap: evaluated validation image %d/%d", i + 1, valCount));
            }
        } catch (ModelException e) {
            throw new IllegalStateException("the fitted bootstrap model does not load: " + e.getMessage(), e);
        }
        double[] iou = classIou(confusion, classes);
        double miou = meanIgnoringNaN(iou);
        double accuracy = accuracy(confusion, classes);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("miou", round4(miou));
        metrics.put("pixelAccuracy", round4(accuracy));
        for (int c = 0; c < classes; c++) {
            if (!Double.isNaN(iou[c])) {
                metrics.put("iou." + labels.classLabel(c).name().replace(' ', '_'), round4(iou[c]));
            }
        }
        dir = ModelDirectory.write(out, onnx, manifest.optMetrics(metrics).build());
        return new Report(dir, miou, iou, accuracy, n);
    }

    // ---------------------------------------------------------------- fitting on generated rail scenes

    /** Generator index of the first validation scene; training scenes count from 0, so the two never meet. */
    public static final int FIRST_VAL_SCENE = 1_000_000;

    /**
     * Fits on {@code trainScenes} generated rail scenes of {@code sceneWidth x sceneHeight} and validates on
     * {@code valScenes} others (generator seed: {@code options.seed()}); see {@link #fit}.
     */
    public static Report fitOnScenes(Path out, int trainScenes, int valScenes, int sceneWidth, int sceneHeight,
            FitOptions options, Consumer<String> progress) throws IOException {
        SceneGenerator gen = SceneGenerator.builder().setSize(sceneWidth, sceneHeight).optKind(SceneKind.RAIL)
                .optSeed(options.seed()).build();
        String data = String.format("generated %s scenes %dx%d, generator seed %d: indices 0..%d for training, "
                + "%d..%d for validation", SceneKind.RAIL.name().toLowerCase(), sceneWidth, sceneHeight,
                options.seed(), trainScenes - 1, FIRST_VAL_SCENE, FIRST_VAL_SCENE + valScenes - 1);
        return fit(out, i -> fromScene(gen.render(i), "training scene " + i), trainScenes,
                i -> fromScene(gen.render(FIRST_VAL_SCENE + i), "validation scene " + i), valScenes, data, options,
                progress);
    }

    /** A generated scene with its labels as {@code rail-20} class ids. */
    public static LabelledImage fromScene(Scene scene, String source) {
        byte[] classIds = LabelSet.named(BootstrapModel.LABEL_SET).labelIdsToClassIds(scene.labelIds().toBytes(), source);
        return new LabelledImage(RgbImage.ofPackedRgb(scene.width(), scene.height(), scene.rgb()), classIds);
    }

    /**
     * Fits the baseline: {@code BootstrapFit OUT_DIR [TRAIN_SCENES [VAL_SCENES]]} fits on generated 1024x512 rail
     * scenes with {@link FitOptions#defaults()} and prints the validation figures. segstream shipped the baseline
     * made with the defaults (48 training and 12 validation scenes) until a trained Fast-SCNN replaced it.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: BootstrapFit OUT_DIR [TRAIN_SCENES (48)] [VAL_SCENES (12)]");
            System.exit(2);
        }
        int train = args.length > 1 ? Integer.parseInt(args[1]) : 48;
        int val = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        long t0 = System.nanoTime();
        Report r = fitOnScenes(Path.of(args[0]), train, val, 1024, 512, FitOptions.defaults(),
                line -> System.err.print("\r" + line + "          "));
        System.err.println();
        LabelSet labels = LabelSet.named(BootstrapModel.LABEL_SET);
        StringBuilder table = new StringBuilder(String.format("%-14s %7s%n", "class", "IoU"));
        for (int c = 0; c < r.classIou().length; c++) {
            if (!Double.isNaN(r.classIou()[c])) {
                table.append(String.format("%-14s %7.3f%n", labels.classLabel(c).name(), r.classIou()[c]));
            }
        }
        table.append(String.format("%-14s %7.3f%n%-14s %7.3f%n", "mean IoU", r.miou(), "pixel accuracy",
                r.accuracy()));
        System.out.print(table);
        System.out.printf("fitted on %d pixels of %d scenes in %.0f s; model in %s%n", r.samples(), train,
                (System.nanoTime() - t0) / 1e9, r.directory().dir());
    }

    static String description(int trainImages) {
        return "Baseline, not a trained network: a fixed convolutional feature network (colour, local texture, "
                + "block context, image position) with a softmax classifier fitted in plain Java to " + trainImages
                + " generated rail scenes. It segments segstream's synthetic scenes roughly and stands in until a "
                + "trained model is released; do not rely on it for real cameras.";
    }

    // ---------------------------------------------------------------- helpers

    /** Growable sample store. */
    private static final class Samples {
        private final int d;
        private float[] x = new float[1 << 16];
        private int[] y = new int[1 << 12];
        private int count;

        Samples(int d) {
            this.d = d;
        }

        void add(float[] f, int offset, int stride, int cls) {
            if ((count + 1) * d > x.length) {
                x = Arrays.copyOf(x, x.length * 2);
            }
            if (count + 1 > y.length) {
                y = Arrays.copyOf(y, y.length * 2);
            }
            for (int j = 0; j < d; j++) {
                x[count * d + j] = f[offset + j * stride];
            }
            y[count++] = cls;
        }
    }

    /** Labels at the model's resolution, sampled at pixel centres like the mask resize. */
    static byte[] nearest(LabelledImage img, int w, int h) {
        int sw = img.image().width();
        int sh = img.image().height();
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int sy = (int) Math.min(sh - 1, Math.floor((y + 0.5) * sh / h));
            for (int x = 0; x < w; x++) {
                int sx = (int) Math.min(sw - 1, Math.floor((x + 0.5) * sw / w));
                out[y * w + x] = img.classIds()[sy * sw + sx];
            }
        }
        return out;
    }

    /** Up to {@code perClass} random pixels of each class of one image. */
    private static void sample(float[] features, byte[] labels, int hw, int d, int classes, int perClass,
            Random rnd, Samples out) {
        int[][] byClass = new int[classes][];
        int[] counts = new int[classes];
        for (byte l : labels) {
            int c = l & 0xFF;
            if (c < classes) {
                counts[c]++;
            }
        }
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int p = 0; p < hw; p++) {
            int c = labels[p] & 0xFF;
            if (c < classes) {
                byClass[c][fill[c]++] = p;
            }
        }
        for (int c = 0; c < classes; c++) {
            int[] pixels = byClass[c];
            int take = Math.min(perClass, pixels.length);
            for (int t = 0; t < take; t++) {
                int j = t + rnd.nextInt(pixels.length - t);
                int tmp = pixels[t];
                pixels[t] = pixels[j];
                pixels[j] = tmp;
                out.add(features, pixels[t], hw, c);
            }
        }
    }

    private static void standardise(float[] x, int n, int d, float[] mean, float[] std) {
        double[] sum = new double[d];
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                sum[j] += v;
                sq[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (sum[j] / n);
            double var = sq[j] / n - (sum[j] / n) * (sum[j] / n);
            std[j] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, var)));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (x[i * d + j] - mean[j]) / std[j];
            }
        }
    }

    /**
     * Adds one image to a ground-truth x prediction confusion matrix; ignored ground truth is skipped (a logits
     * model predicts a class for every pixel, so predictions are always in range).
     */
    static void accumulate(long[] confusion, int classes, byte[] truth, byte[] pred) {
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xFF;
            int p = pred[i] & 0xFF;
            if (t < classes && p < classes) {
                confusion[t * classes + p]++;
            }
        }
    }

    /** IoU per class: TP / (TP + FP + FN), NaN where the class occurs in neither truth nor prediction. */
    static double[] classIou(long[] confusion, int classes) {
        double[] iou = new double[classes];
        for (int c = 0; c < classes; c++) {
            long tp = confusion[c * classes + c];
            long fn = 0;
            long fp = 0;
            for (int o = 0; o < classes; o++) {
                if (o != c) {
                    fn += confusion[c * classes + o];
                    fp += confusion[o * classes + c];
                }
            }
            long union = tp + fp + fn;
            iou[c] = union == 0 ? Double.NaN : (double) tp / union;
        }
        return iou;
    }

    static double meanIgnoringNaN(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double accuracy(long[] confusion, int classes) {
        long right = 0;
        long all = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                all += confusion[t * classes + p];
                if (t == p) {
                    right += confusion[t * classes + p];
                }
            }
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
