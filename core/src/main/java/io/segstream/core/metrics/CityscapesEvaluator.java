package io.segstream.core.metrics;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.Label;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.labels.UnknownLabelException;
import java.util.Arrays;
import java.util.Objects;

/**
 * The official Cityscapes pixel-level evaluation, fed frame by frame from memory: a confusion matrix over label
 * ids plus the weighted instance statistics of iIoU. {@link #result()} gives the class and category IoU and iIoU
 * exactly as {@code evalPixelLevelSemanticLabeling.py} computes them, plus per-class Dice, precision and recall.
 *
 * <p>The label set decides which labels are ignored ({@code rail-20} scores {@code rail track}, Cityscapes does
 * not) and, for {@link PredictionIds#TRAIN}, how prediction train ids map to label ids. Not thread-safe; give
 * each thread its own evaluator and {@link #merge} them.
 *
 * <pre>{@code
 * CityscapesEvaluator eval = CityscapesEvaluator.builder()
 *         .optLabelSet(LabelSet.named("rail-20"))
 *         .optPredictionIds(PredictionIds.TRAIN)
 *         .build();
 * FrameScore frame = eval.add(gtLabelIds, gtInstanceIds, predictedTrainIds, "camera-7 seq 42");
 * EvaluationResult result = eval.result();
 * System.out.println(EvaluationReport.tables(result));
 * }</pre>
 */
public final class CityscapesEvaluator {
    private static final int MAX_INSTANCE_ID = 65535;

    private final EvaluationLabels labels;
    private final PredictionIds predictionIds;
    /** Prediction value to label id; -1 where the value means nothing. */
    private final int[] predictionToLabel;
    private final ConfusionMatrix matrix;
    private final double[] classTpWeighted;
    private final double[] classFnWeighted;
    private final double[] categoryTpWeighted;
    private final double[] categoryFnWeighted;
    private int frames;
    private int instanceFrames;

    private CityscapesEvaluator(Builder b) {
        this.labels = new EvaluationLabels(b.labelSet);
        this.predictionIds = b.predictionIds;
        this.predictionToLabel = predictionLookup(b.labelSet, b.predictionIds, labels);
        this.matrix = new ConfusionMatrix(labels.size);
        this.classTpWeighted = new double[labels.size];
        this.classFnWeighted = new double[labels.size];
        this.categoryTpWeighted = new double[labels.categoryNames.length];
        this.categoryFnWeighted = new double[labels.categoryNames.length];
    }

    /** A builder; without options it scores label-id predictions with {@code cityscapes-19}'s official rules. */
    public static Builder builder() {
        return new Builder();
    }

    /** The label set whose ignore flags and train ids apply. */
    public LabelSet labelSet() {
        return labels.labelSet;
    }

    /** What prediction pixel values mean. */
    public PredictionIds predictionIds() {
        return predictionIds;
    }

    /** Frames added so far. */
    public int frames() {
        return frames;
    }

    /**
     * Scores one frame and adds it to the totals.
     *
     * @param groundTruth label ids, as in {@code *_gtFine_labelIds.png}
     * @param instanceIds instance ids as in {@code *_gtFine_instanceIds.png}, or null to leave the frame out of
     *                    the instance-level scores (when no frame has them, every iIoU is NaN)
     * @param prediction  label ids or train ids, as {@link #predictionIds()} says
     * @param source      names the frame (file, camera and seq) in error messages
     * @return the frame's own scores
     * @throws IllegalArgumentException when sizes differ; {@link UnknownLabelException} for an id the label
     *                                  set does not define; nothing is added then
     */
    public FrameScore add(LabelImage groundTruth, LabelImage instanceIds, LabelImage prediction, String source) {
        Objects.requireNonNull(groundTruth, "groundTruth");
        Objects.requireNonNull(prediction, "prediction");
        checkSize(groundTruth, prediction, "prediction", source);
        if (instanceIds != null) {
            checkSize(groundTruth, instanceIds, "instanceIds image", source);
        }
        byte[] predictedLabels = new byte[groundTruth.values().length];
        int[] frameCounts = count(groundTruth, prediction, predictedLabels, source);
        InstanceFrame instances = instanceIds == null ? null : instances(instanceIds, predictedLabels, source);
        // nothing above changed the totals, so a bad frame leaves them as they were
        matrix.addAll(frameCounts);
        if (instances != null) {
            instances.addTo(this);
            instanceFrames++;
        }
        frames++;
        return frameScore(frameCounts);
    }

    /** Scores one frame without adding it to the totals (the per-frame mIoU of a streaming job). */
    public FrameScore score(LabelImage groundTruth, LabelImage prediction, String source) {
        Objects.requireNonNull(groundTruth, "groundTruth");
        Objects.requireNonNull(prediction, "prediction");
        checkSize(groundTruth, prediction, "prediction", source);
        return frameScore(count(groundTruth, prediction, new byte[groundTruth.values().length], source));
    }

    /** Adds the totals of {@code other}, which must use the same label set and prediction ids. */
    public void merge(CityscapesEvaluator other) {
        if (other.labels.labelSet != labels.labelSet || other.predictionIds != predictionIds) {
            throw new IllegalArgumentException("cannot merge an evaluator of " + other.labels.labelSet + "/"
                    + other.predictionIds + " into one of " + labels.labelSet + "/" + predictionIds);
        }
        matrix.addAll(other.matrix);
        for (int i = 0; i < classTpWeighted.length; i++) {
            classTpWeighted[i] += other.classTpWeighted[i];
            classFnWeighted[i] += other.classFnWeighted[i];
        }
        for (int i = 0; i < categoryTpWeighted.length; i++) {
            categoryTpWeighted[i] += other.categoryTpWeighted[i];
            categoryFnWeighted[i] += other.categoryFnWeighted[i];
        }
        frames += other.frames;
        instanceFrames += other.instanceFrames;
    }

    /** The scores of everything added so far (a snapshot; adding more frames does not change it). */
    public EvaluationResult result() {
        return new EvaluationResult(labels, matrix.copy(), classTpWeighted.clone(), classFnWeighted.clone(),
                categoryTpWeighted.clone(), categoryFnWeighted.clone(), frames, instanceFrames > 0);
    }

    private int[] count(LabelImage groundTruth, LabelImage prediction, byte[] predictedLabels, String source) {
        int n = labels.size;
        int width = groundTruth.width();
        int[] gt = groundTruth.values();
        int[] pred = prediction.values();
        int[] counts = new int[n * n];
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (!labels.known(g)) {
                throw new UnknownLabelException(source + ": ground-truth pixel (" + (i % width) + ", " + (i / width)
                        + ") holds label id " + g + ", which is not a Cityscapes label id (0.." + (n - 1) + ")");
            }
            int v = pred[i];
            int p = v >= 0 && v < predictionToLabel.length ? predictionToLabel[v] : -1;
            if (p < 0) {
                throw new UnknownLabelException(source + ": prediction pixel (" + (i % width) + ", " + (i / width)
                        + ") holds " + describePredictionValue(v));
            }
            counts[g * n + p]++;
            predictedLabels[i] = (byte) p;
        }
        return counts;
    }

    private String describePredictionValue(int v) {
        if (predictionIds == PredictionIds.LABEL) {
            return "label id " + v + ", which is not a Cityscapes label id (0.." + (labels.size - 1)
                    + "; predictions are read as label ids)";
        }
        return "train id " + v + ", which label set '" + labels.labelSet.name() + "' does not define (0.."
                + (labels.labelSet.numClasses() - 1) + " or " + LabelSet.IGNORE + "; predictions are read as train ids)";
    }

    /** Per-instance counts of one frame, in ascending instance id, as {@code np.unique} orders them. */
    private InstanceFrame instances(LabelImage instanceIds, byte[] predictedLabels, String source) {
        int width = instanceIds.width();
        int[] inst = instanceIds.values();
        int[] size = new int[MAX_INSTANCE_ID + 1];
        int[] tp = new int[MAX_INSTANCE_ID + 1];
        int[] categoryTp = new int[MAX_INSTANCE_ID + 1];
        for (int i = 0; i < inst.length; i++) {
            int v = inst[i];
            if (v <= 1000) {
                continue;
            }
            int label = v / 1000;
            if (v > MAX_INSTANCE_ID || !labels.known(label)) {
                throw new UnknownLabelException(source + ": instanceIds pixel (" + (i % width) + ", " + (i / width)
                        + ") holds " + v + ", which names no Cityscapes label (label id = value / 1000)");
            }
            int p = predictedLabels[i];
            size[v]++;
            if (p == label) {
                tp[v]++;
            }
            if (labels.categoryOf[p] == labels.categoryOf[label]) {
                categoryTp[v]++;
            }
        }
        InstanceFrame frame = new InstanceFrame(labels.size, labels.categoryNames.length);
        for (int v = 1001; v <= MAX_INSTANCE_ID; v++) {
            if (size[v] == 0) {
                continue;
            }
            Label label = labels.byId[v / 1000];
            if (label.ignoreInEval()) {
                continue;
            }
            if (!label.hasInstances()) {
                throw new UnknownLabelException(source + ": instanceIds holds " + v + ", an instance of '"
                        + label.name() + "', which Cityscapes does not split into instances");
            }
            double weight = labels.averageSize[label.id()] / size[v];
            frame.classTp[label.id()] += tp[v] * weight;
            frame.classFn[label.id()] += (size[v] - tp[v]) * weight;
            int c = label.categoryId();
            if (labels.categoryInstanceIds[c] != null) {
                frame.categoryTp[c] += categoryTp[v] * weight;
                frame.categoryFn[c] += (size[v] - categoryTp[v]) * weight;
            }
        }
        return frame;
    }

    /** Weighted instance sums of one frame, kept apart until the frame is known to be valid. */
    private static final class InstanceFrame {
        final double[] classTp;
        final double[] classFn;
        final double[] categoryTp;
        final double[] categoryFn;

        InstanceFrame(int labels, int categories) {
            classTp = new double[labels];
            classFn = new double[labels];
            categoryTp = new double[categories];
            categoryFn = new double[categories];
        }

        void addTo(CityscapesEvaluator e) {
            for (int i = 0; i < classTp.length; i++) {
                e.classTpWeighted[i] += classTp[i];
                e.classFnWeighted[i] += classFn[i];
            }
            for (int i = 0; i < categoryTp.length; i++) {
                e.categoryTpWeighted[i] += categoryTp[i];
                e.categoryFnWeighted[i] += categoryFn[i];
            }
        }
    }

    private FrameScore frameScore(int[] frameCounts) {
        ConfusionMatrix m = new ConfusionMatrix(labels.size);
        m.addAll(frameCounts);
        double sum = 0;
        int scored = 0;
        long correct = 0;
        long evaluated = 0;
        for (int id : labels.evaluatedIds) {
            double iou = Scores.classIoU(m, labels, id);
            if (!Double.isNaN(iou)) {
                sum += iou;
                scored++;
            }
            correct += m.get(id, id);
            evaluated += m.rowSum(id);
        }
        return new FrameScore(scored == 0 ? Double.NaN : sum / scored,
                evaluated == 0 ? Double.NaN : (double) correct / evaluated, evaluated);
    }

    private static void checkSize(LabelImage gt, LabelImage other, String what, String source) {
        if (gt.width() != other.width() || gt.height() != other.height()) {
            throw new IllegalArgumentException(source + ": the " + what + " is " + other.size()
                    + " but the ground truth is " + gt.size());
        }
    }

    private static int[] predictionLookup(LabelSet set, PredictionIds ids, EvaluationLabels labels) {
        int[] lut = new int[256];
        Arrays.fill(lut, -1);
        if (ids == PredictionIds.LABEL) {
            for (int id = 0; id < labels.size; id++) {
                if (labels.known(id)) {
                    lut[id] = id;
                }
            }
        } else {
            for (int c = 0; c < set.numClasses(); c++) {
                lut[c] = set.labelIdOfClassId(c);
            }
            lut[LabelSet.IGNORE] = set.labelIdOfClassId(LabelSet.IGNORE);
        }
        return lut;
    }

    /** Configures a {@link CityscapesEvaluator}. */
    public static final class Builder {
        private LabelSet labelSet = LabelSet.defaultSet();
        private PredictionIds predictionIds = PredictionIds.LABEL;

        private Builder() {}

        /** The label set whose ignore flags apply and whose train ids predictions hold; default cityscapes-19. */
        public Builder optLabelSet(LabelSet set) {
            this.labelSet = set;
            return this;
        }

        /** What prediction pixels hold; default {@link PredictionIds#LABEL}, as the official evaluation. */
        public Builder optPredictionIds(PredictionIds ids) {
            this.predictionIds = ids;
            return this;
        }

        public CityscapesEvaluator build() {
            sanityCheck();
            return new CityscapesEvaluator(this);
        }

        private void sanityCheck() {
            if (labelSet == null) {
                throw new IllegalArgumentException("label set must not be null; leave it unset for cityscapes-19");
            }
            if (predictionIds == null) {
                throw new IllegalArgumentException("prediction ids must not be null; use LABEL or TRAIN");
            }
        }
    }
}
