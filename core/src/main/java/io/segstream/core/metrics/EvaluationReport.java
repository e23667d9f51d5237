package io.segstream.core.metrics;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.core.labels.Label;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Presents an {@link EvaluationResult}: the two tables of the Cityscapes evaluation ({@code IoU Over Classes}
 * with IoU, nIoU, Dice, precision and recall per class, and {@code IoU Over Categories}), and the JSON result
 * with the official field names.
 *
 * <pre>{@code
 * System.out.print(EvaluationReport.tables(result));
 * EvaluationReport.writeJson(result, Path.of("results.json"));
 * }</pre>
 */
public final class EvaluationReport {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // NaN stays a bare NaN, as Python's json module writes (and reads) the official result file
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private EvaluationReport() {}

    /** Both tables, separated by a blank line. */
    public static String tables(EvaluationResult result) {
        return classTable(result) + "\n" + categoryTable(result);
    }

    /** The {@code IoU Over Classes} table: one row per scored class and a {@code Score Average} row. */
    public static String classTable(EvaluationResult result) {
        List<String[]> rows = new ArrayList<>();
        for (Label l : result.scoredLabels()) {
            String n = l.name();
            rows.add(new String[] {n, score(result.classIoU(n)), score(result.classInstIoU(n)), score(result.dice(n)),
                score(result.precision(n)), score(result.recall(n))});
        }
        String[] average = {"Score Average", score(result.meanIoU()), score(result.meanInstIoU()),
            score(result.meanDice()), score(result.meanPrecision()), score(result.meanRecall())};
        return "IoU Over Classes\n"
                + table(new String[] {"classes", "IoU", "nIoU", "Dice", "Precision", "Recall"}, rows, average);
    }

    /** The {@code IoU Over Categories} table; categories of ignored labels only (void) are left out. */
    public static String categoryTable(EvaluationResult result) {
        List<String[]> rows = new ArrayList<>();
        for (String c : result.categories()) {
            if (result.isScoredCategory(c)) {
                rows.add(new String[] {c, score(result.categoryIoU(c)), score(result.categoryInstIoU(c))});
            }
        }
        String[] average = {"Score Average", score(result.meanCategoryIoU()), score(result.meanCategoryInstIoU())};
        return "IoU Over Categories\n" + table(new String[] {"categories", "IoU", "nIoU"}, rows, average);
    }

    /**
     * A score with three decimals, rounded as Python's {@code "{:.3f}"} rounds (half-even on the exact binary
     * value), so that the tables match the official script's digit for digit; NaN prints as {@code nan}.
     */
    public static String score(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        return new BigDecimal(value).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** The JSON result: the official fields plus {@code diceScores}, {@code precisionScores}, {@code recallScores}. */
    public static ObjectNode toJson(EvaluationResult result) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode matrix = root.putArray("confMatrix");
        for (long[] row : result.confusionMatrix().toArray()) {
            ArrayNode r = matrix.addArray();
            for (long c : row) {
                r.add(c);
            }
        }
        putScores(root, "priors", result.priors());
        ObjectNode labels = root.putObject("labels");
        for (Label l : result.labels()) {
            labels.put(l.name(), l.id());
        }
        putScores(root, "classScores", result.classScores());
        putScores(root, "classInstScores", result.classInstScores());
        putScores(root, "categoryScores", result.categoryScores());
        putScores(root, "categoryInstScores", result.categoryInstScores());
        root.put("averageScoreClasses", result.meanIoU());
        root.put("averageScoreInstClasses", result.meanInstIoU());
        root.put("averageScoreCategories", result.meanCategoryIoU());
        root.put("averageScoreInstCategories", result.meanCategoryInstIoU());
        putScores(root, "diceScores", result.diceScores());
        putScores(root, "precisionScores", result.precisionScores());
        putScores(root, "recallScores", result.recallScores());
        root.put("averageDice", result.meanDice());
        root.put("averagePrecision", result.meanPrecision());
        root.put("averageRecall", result.meanRecall());
        root.put("labelSet", result.labelSet().name());
        root.put("frames", result.frames());
        return root;
    }

    /** Writes {@link #toJson} to {@code file}, creating its folder. */
    public static void writeJson(EvaluationResult result, Path file) throws IOException {
        writeJson(result, null, file);
    }

    /** Writes {@link #toJson} to {@code file} with a {@code model} field naming what was scored (when not null). */
    public static void writeJson(EvaluationResult result, String model, Path file) throws IOException {
        writeJson(result, model, Map.of(), file);
    }

    /**
     * Writes {@link #toJson} to {@code file} with a {@code model} field (when not null) and further top-level fields
     * ({@code alerts}, say) whose values are plain maps, lists, strings and numbers.
     */
    public static void writeJson(EvaluationResult result, String model, Map<String, Object> extra, Path file)
            throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ObjectNode json = toJson(result);
        if (model != null) {
            json.put("model", model);
        }
        extra.forEach((k, v) -> json.set(k, JSON.valueToTree(v)));
        JSON.writeValue(file.toFile(), json);
    }

    private static void putScores(ObjectNode root, String field, Map<String, Double> scores) {
        ObjectNode node = root.putObject(field);
        scores.forEach(node::put);
    }

    /** An aligned Markdown table, as the project's reports show Cityscapes scores. */
    private static String table(String[] header, List<String[]> rows, String[] footer) {
        int[] width = new int[header.length];
        // score columns are as wide as "0.000" even when every value is "nan", so layouts stay stable
        for (int i = 1; i < width.length; i++) {
            width[i] = score(0).length();
        }
        List<String[]> all = new ArrayList<>(rows);
        all.add(header);
        all.add(footer);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        row(sb, header, width);
        sb.append('|');
        for (int i = 0; i < width.length; i++) {
            sb.append(i == 0 ? "-".repeat(width[i] + 2) : "-".repeat(width[i] + 1) + ":").append('|');
        }
        sb.append('\n');
        for (String[] r : rows) {
            row(sb, r, width);
        }
        row(sb, footer, width);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String[] cells, int[] width) {
        sb.append('|');
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(width[i] - cells[i].length());
            sb.append(' ').append(i == 0 ? cells[i] + pad : pad + cells[i]).append(" |");
        }
        sb.append('\n');
    }
}
