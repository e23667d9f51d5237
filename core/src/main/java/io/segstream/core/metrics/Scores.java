package io.segstream.core.metrics;

/**
 * The official score formulas over a confusion matrix. False positives only count pixels whose ground truth is
 * not ignored; a zero denominator gives NaN.
 */
final class Scores {
    private Scores() {}

    static long truePositives(ConfusionMatrix m, int label) {
        return m.get(label, label);
    }

    static long falseNegatives(ConfusionMatrix m, int label) {
        return m.rowSum(label) - m.get(label, label);
    }

    /** Column {@code label} over the rows of labels that are neither ignored nor {@code label}. */
    static long falsePositives(ConfusionMatrix m, EvaluationLabels labels, int label) {
        long fp = 0;
        for (int g = 0; g < labels.size; g++) {
            if (g != label && labels.known(g) && !labels.ignored[g]) {
                fp += m.get(g, label);
            }
        }
        return fp;
    }

    static double classIoU(ConfusionMatrix m, EvaluationLabels labels, int label) {
        if (labels.ignored[label]) {
            return Double.NaN;
        }
        long tp = truePositives(m, label);
        return ratio(tp, tp + falsePositives(m, labels, label) + falseNegatives(m, label));
    }

    static double classInstIoU(ConfusionMatrix m, EvaluationLabels labels, int label, double tpWeighted,
            double fnWeighted) {
        if (labels.ignored[label] || !labels.byId[label].hasInstances()) {
            return Double.NaN;
        }
        double denominator = tpWeighted + falsePositives(m, labels, label) + fnWeighted;
        return denominator == 0 ? Double.NaN : tpWeighted / denominator;
    }

    /** True positives of a category: the block of the matrix over its labels that are not ignored. */
    static long categoryTruePositives(ConfusionMatrix m, int[] ids) {
        long tp = 0;
        for (int g : ids) {
            for (int p : ids) {
                tp += m.get(g, p);
            }
        }
        return tp;
    }

    /** Columns {@code ids} over rows whose labels are neither ignored nor of category {@code category}. */
    static long categoryFalsePositives(ConfusionMatrix m, EvaluationLabels labels, int category, int[] ids) {
        long fp = 0;
        for (int g = 0; g < labels.size; g++) {
            if (labels.known(g) && !labels.ignored[g] && labels.categoryOf[g] != category) {
                for (int p : ids) {
                    fp += m.get(g, p);
                }
            }
        }
        return fp;
    }

    static double categoryIoU(ConfusionMatrix m, EvaluationLabels labels, int category) {
        int[] ids = labels.categoryEvalIds[category];
        if (ids.length == 0) {
            return Double.NaN;
        }
        long tp = categoryTruePositives(m, ids);
        long rows = 0;
        for (int g : ids) {
            rows += m.rowSum(g);
        }
        long fn = rows - tp;
        return ratio(tp, tp + categoryFalsePositives(m, labels, category, ids) + fn);
    }

    /** Category iIoU; its false positives use every label id of the category, ignored ones included. */
    static double categoryInstIoU(ConfusionMatrix m, EvaluationLabels labels, int category, double tpWeighted,
            double fnWeighted) {
        int[] ids = labels.categoryInstanceIds[category];
        if (ids == null) {
            return Double.NaN;
        }
        double denominator = tpWeighted + categoryFalsePositives(m, labels, category, ids) + fnWeighted;
        return denominator == 0 ? Double.NaN : tpWeighted / denominator;
    }

    static double ratio(long numerator, long denominator) {
        return denominator == 0 ? Double.NaN : (double) numerator / denominator;
    }

    /** Mean of the values that are not NaN; NaN when all are. */
    static double meanSkippingNaN(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
