package io.segstream.core.metrics;

import io.segstream.core.labels.Label;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.labels.UnknownLabelException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores of an evaluation, as the official Cityscapes pixel-level evaluation defines them: per label id the
 * class IoU, instance-level iIoU, prior, and (beyond the official set) Dice, precision and recall; per category
 * IoU and iIoU; and their averages over the scores that are not NaN. Immutable.
 *
 * <p>Scores of an ignored label are NaN, as are scores whose denominator is zero (a class absent from ground
 * truth and never predicted on scored pixels). iIoU exists only for labels with instances, category iIoU only
 * for {@code human} and {@code vehicle}; all are NaN when no frame came with instance ids.
 */
public final class EvaluationResult {
    private final EvaluationLabels labels;
    private final ConfusionMatrix matrix;
    private final int frames;
    private final double[] iou;
    private final double[] instIou;
    private final double[] dice;
    private final double[] precision;
    private final double[] recall;
    private final double[] prior;
    private final double[] categoryIou;
    private final double[] categoryInstIou;

    EvaluationResult(EvaluationLabels labels, ConfusionMatrix matrix, double[] classTpWeighted,
            double[] classFnWeighted, double[] categoryTpWeighted, double[] categoryFnWeighted, int frames,
            boolean instanceLevel) {
        this.labels = labels;
        this.matrix = matrix;
        this.frames = frames;
        int n = labels.size;
        iou = new double[n];
        instIou = new double[n];
        dice = new double[n];
        precision = new double[n];
        recall = new double[n];
        prior = new double[n];
        long total = matrix.total();
        for (int id = 0; id < n; id++) {
            prior[id] = Scores.ratio(matrix.rowSum(id), total);
            iou[id] = Scores.classIoU(matrix, labels, id);
            // without any instanceIds the official formulas would turn false positives into an iIoU of 0
            instIou[id] = instanceLevel
                    ? Scores.classInstIoU(matrix, labels, id, classTpWeighted[id], classFnWeighted[id])
                    : Double.NaN;
            if (labels.ignored[id]) {
                dice[id] = Double.NaN;
                precision[id] = Double.NaN;
                recall[id] = Double.NaN;
            } else {
                long tp = Scores.truePositives(matrix, id);
                long fp = Scores.falsePositives(matrix, labels, id);
                long fn = Scores.falseNegatives(matrix, id);
                dice[id] = Scores.ratio(2 * tp, 2 * tp + fp + fn);
                precision[id] = Scores.ratio(tp, tp + fp);
                recall[id] = Scores.ratio(tp, tp + fn);
            }
        }
        int categories = labels.categoryNames.length;
        categoryIou = new double[categories];
        categoryInstIou = new double[categories];
        for (int c = 0; c < categories; c++) {
            categoryIou[c] = Scores.categoryIoU(matrix, labels, c);
            categoryInstIou[c] = instanceLevel
                    ? Scores.categoryInstIoU(matrix, labels, c, categoryTpWeighted[c], categoryFnWeighted[c])
                    : Double.NaN;
        }
    }

    /** The label set whose rules produced these scores. */
    public LabelSet labelSet() {
        return labels.labelSet;
    }

    /** Number of frames evaluated. */
    public int frames() {
        return frames;
    }

    /** A copy of the confusion matrix over label ids (ground truth rows, prediction columns). */
    public ConfusionMatrix confusionMatrix() {
        return matrix.copy();
    }

    /** Every label with an id, ascending: the rows of the confusion matrix and the keys of the score maps. */
    public List<Label> labels() {
        List<Label> out = new ArrayList<>();
        for (Label l : labels.byId) {
            if (l != null) {
                out.add(l);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The labels that are scored (not ignored), ascending by id: the rows of the class table. */
    public List<Label> scoredLabels() {
        List<Label> out = new ArrayList<>();
        for (int id : labels.evaluatedIds) {
            out.add(labels.byId[id]);
        }
        return Collections.unmodifiableList(out);
    }

    /** Category names in category-id order: void, flat, construction, object, nature, sky, human, vehicle. */
    public List<String> categories() {
        List<String> out = new ArrayList<>();
        for (String c : labels.categoryNames) {
            if (c != null) {
                out.add(c);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Whether a category has labels that are scored; a category of ignored labels only (void) is not. */
    public boolean isScoredCategory(String category) {
        return !labels.categoryIgnored(categoryId(category));
    }

    public double classIoU(String label) {
        return iou[labelId(label)];
    }

    /** Instance-level IoU (iIoU, shown as nIoU in the tables). */
    public double classInstIoU(String label) {
        return instIou[labelId(label)];
    }

    public double dice(String label) {
        return dice[labelId(label)];
    }

    public double precision(String label) {
        return precision[labelId(label)];
    }

    public double recall(String label) {
        return recall[labelId(label)];
    }

    /** Share of all counted pixels whose ground truth is {@code label}. */
    public double prior(String label) {
        return prior[labelId(label)];
    }

    public double categoryIoU(String category) {
        return categoryIou[categoryId(category)];
    }

    public double categoryInstIoU(String category) {
        return categoryInstIou[categoryId(category)];
    }

    /** Mean class IoU (the official {@code averageScoreClasses}). */
    public double meanIoU() {
        return Scores.meanSkippingNaN(iou);
    }

    /** Mean class iIoU ({@code averageScoreInstClasses}). */
    public double meanInstIoU() {
        return Scores.meanSkippingNaN(instIou);
    }

    /** Mean category IoU ({@code averageScoreCategories}). */
    public double meanCategoryIoU() {
        return Scores.meanSkippingNaN(categoryIou);
    }

    /** Mean category iIoU ({@code averageScoreInstCategories}). */
    public double meanCategoryInstIoU() {
        return Scores.meanSkippingNaN(categoryInstIou);
    }

    public double meanDice() {
        return Scores.meanSkippingNaN(dice);
    }

    public double meanPrecision() {
        return Scores.meanSkippingNaN(precision);
    }

    public double meanRecall() {
        return Scores.meanSkippingNaN(recall);
    }

    /** Class IoU by label name, every label with an id in id order (ignored ones NaN): {@code classScores}. */
    public Map<String, Double> classScores() {
        return byLabel(iou);
    }

    /** {@code classInstScores}. */
    public Map<String, Double> classInstScores() {
        return byLabel(instIou);
    }

    public Map<String, Double> diceScores() {
        return byLabel(dice);
    }

    public Map<String, Double> precisionScores() {
        return byLabel(precision);
    }

    public Map<String, Double> recallScores() {
        return byLabel(recall);
    }

    /** {@code priors}. */
    public Map<String, Double> priors() {
        return byLabel(prior);
    }

    /** {@code categoryScores}, in category-id order. */
    public Map<String, Double> categoryScores() {
        return byCategory(categoryIou);
    }

    /** {@code categoryInstScores}. */
    public Map<String, Double> categoryInstScores() {
        return byCategory(categoryInstIou);
    }

    private Map<String, Double> byLabel(double[] values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int id = 0; id < labels.size; id++) {
            if (labels.byId[id] != null) {
                out.put(labels.byId[id].name(), values[id]);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private Map<String, Double> byCategory(double[] values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int c = 0; c < values.length; c++) {
            if (labels.categoryNames[c] != null) {
                out.put(labels.categoryNames[c], values[c]);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private int labelId(String name) {
        Label l = labels.labelSet.byName(name);
        if (l.id() < 0) {
            throw new UnknownLabelException("label '" + name + "' has no id, so the evaluation does not score it");
        }
        return l.id();
    }

    private int categoryId(String category) {
        for (int c = 0; c < labels.categoryNames.length; c++) {
            if (category.equals(labels.categoryNames[c])) {
                return c;
            }
        }
        throw new UnknownLabelException("no category '" + category + "'; categories are "
                + String.join(", ", categories()));
    }
}
