package io.segstream.core.metrics;

import io.segstream.core.labels.Label;
import io.segstream.core.labels.LabelSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The official evaluation's view of a label set: which label ids exist, which are ignored, their categories
 * and the average instance sizes that weight iIoU. Shared by the evaluator and its results.
 */
final class EvaluationLabels {
    /**
     * Average pixel count of an instance per class over the Cityscapes training set, the official weights of the
     * instance-level iIoU.
     */
    static final Map<String, Double> AVERAGE_INSTANCE_SIZE = Map.of(
            "person", 3462.4756337644,
            "rider", 3930.4788056518,
            "car", 12794.0202738185,
            "truck", 27855.1264367816,
            "bus", 35732.1511111111,
            "caravan", 36771.8241758242,
            "trailer", 16926.9763313609,
            "train", 67583.7075812274,
            "motorcycle", 6298.7200839748,
            "bicycle", 4672.3249222261);

    final LabelSet labelSet;
    /** Matrix size: the largest label id + 1. */
    final int size;
    /** Labels by id (null where the set has no label). */
    final Label[] byId;
    final boolean[] ignored;
    final int[] categoryOf;
    final double[] averageSize;
    /** Category names by category id. */
    final String[] categoryNames;
    /** Per category id: its label ids that are not ignored (the category IoU block). */
    final int[][] categoryEvalIds;
    /** Per category id: all its label ids when every one has instances (the category iIoU), else null. */
    final int[][] categoryInstanceIds;
    /** Label ids that are not ignored, ascending: the rows of the class table. */
    final int[] evaluatedIds;

    EvaluationLabels(LabelSet labelSet) {
        this.labelSet = labelSet;
        this.size = labelSet.maxLabelId() + 1;
        this.byId = new Label[size];
        this.ignored = new boolean[size];
        this.categoryOf = new int[size];
        this.averageSize = new double[size];
        Map<Integer, String> categories = new TreeMap<>();
        for (Label l : labelSet.labels()) {
            categories.putIfAbsent(l.categoryId(), l.category());
            if (l.id() < 0) {
                continue;
            }
            byId[l.id()] = l;
            ignored[l.id()] = l.ignoreInEval();
            categoryOf[l.id()] = l.categoryId();
            if (l.hasInstances() && !l.ignoreInEval()) {
                Double avg = AVERAGE_INSTANCE_SIZE.get(l.name());
                if (avg == null) {
                    throw new IllegalStateException("label set '" + labelSet.name() + "': label '" + l.name()
                            + "' has instances but Cityscapes gives no average instance size for it");
                }
                averageSize[l.id()] = avg;
            }
        }
        int maxCategory = categories.isEmpty() ? -1 : Collections.max(categories.keySet());
        this.categoryNames = new String[maxCategory + 1];
        categories.forEach((id, name) -> categoryNames[id] = name);
        this.categoryEvalIds = new int[maxCategory + 1][];
        this.categoryInstanceIds = new int[maxCategory + 1][];
        for (int c = 0; c <= maxCategory; c++) {
            List<Integer> eval = new ArrayList<>();
            List<Integer> all = new ArrayList<>();
            boolean allInstances = true;
            for (Label l : labelSet.labels()) {
                if (l.categoryId() != c || l.id() < 0) {
                    continue;
                }
                all.add(l.id());
                allInstances &= l.hasInstances();
                if (!l.ignoreInEval()) {
                    eval.add(l.id());
                }
            }
            categoryEvalIds[c] = toArray(eval);
            categoryInstanceIds[c] = allInstances && !all.isEmpty() ? toArray(all) : null;
        }
        List<Integer> evaluated = new ArrayList<>();
        for (int id = 0; id < size; id++) {
            if (byId[id] != null && !ignored[id]) {
                evaluated.add(id);
            }
        }
        this.evaluatedIds = toArray(evaluated);
    }

    boolean known(int id) {
        return id >= 0 && id < size && byId[id] != null;
    }

    /** Whether every label of category {@code c} with an id is ignored; such a category is left out of tables. */
    boolean categoryIgnored(int c) {
        return categoryEvalIds[c].length == 0;
    }

    private static int[] toArray(List<Integer> ids) {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
