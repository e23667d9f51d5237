package io.segstream.core.metrics;

import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.Label;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-class IoU of several models on the same frames as grouped horizontal bars, one colour per model, with the
 * mean IoU as the last group: where a retrained model gains and where it loses at a glance. Classes without
 * ground truth or prediction in the frames (IoU nan) are drawn as "n/a".
 *
 * <pre>{@code
 * Map<String, EvaluationResult> byModel = new LinkedHashMap<>();
 * byModel.put("serving rail:3", serving);
 * byModel.put("candidate rail:4", candidate);
 * ClassIoUPng.write(byModel, Path.of("runs/x/retrain-iou.png"));
 * }</pre>
 */
public final class ClassIoUPng {
    private static final int BAR = 12;
    private static final int GAP = 8;
    private static final int PAD = 14;
    private static final int PLOT_WIDTH = 460;
    private static final String MEAN = "mIoU";
    private static final Color[] COLOURS = {new Color(160, 160, 160), new Color(31, 119, 180),
        new Color(255, 127, 14), new Color(44, 160, 44)};

    private ClassIoUPng() {}

    /**
     * Renders the chart; the classes are those the first result scores.
     *
     * @throws IllegalArgumentException when there are no results, more than four, or their label sets differ
     */
    public static BufferedImage render(Map<String, EvaluationResult> byModel) {
        if (byModel.isEmpty() || byModel.size() > COLOURS.length) {
            throw new IllegalArgumentException("the chart compares 1 to " + COLOURS.length + " models, got "
                    + byModel.size());
        }
        List<String> models = new ArrayList<>(byModel.keySet());
        List<EvaluationResult> results = new ArrayList<>(byModel.values());
        String set = results.get(0).labelSet().name();
        for (int i = 1; i < results.size(); i++) {
            if (!results.get(i).labelSet().name().equals(set)) {
                throw new IllegalArgumentException("models of different label sets do not compare: " + models.get(0)
                        + " scores " + set + ", " + models.get(i) + " " + results.get(i).labelSet().name());
            }
        }
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (Label l : results.get(0).scoredLabels()) {
            rows.put(l.name(), results.stream().mapToDouble(r -> r.classIoU(l.name())).toArray());
        }
        rows.put(MEAN, results.stream().mapToDouble(EvaluationResult::meanIoU).toArray());

        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics fm = sg.getFontMetrics(font);
        int nameWidth = 0;
        for (String name : rows.keySet()) {
            nameWidth = Math.max(nameWidth, fm.stringWidth(name));
        }
        int legendWidth = 0;
        for (String m : models) {
            legendWidth += 18 + fm.stringWidth(m) + 16;
        }
        sg.dispose();
        int group = models.size() * BAR + GAP;
        int left = PAD + nameWidth + 10;
        int top = PAD + 20 + 22 + 10;
        int width = Math.max(left + PLOT_WIDTH + 60, PAD + legendWidth + PAD);
        int height = top + rows.size() * group + 30;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(title);
            g.drawString("IoU per class, label set " + set + ", " + results.get(0).frames() + " frame(s)", PAD,
                    PAD + 12);
            g.setFont(font);
            int lx = PAD;
            for (int m = 0; m < models.size(); m++) {
                g.setColor(COLOURS[m]);
                g.fillRect(lx, PAD + 24, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(models.get(m), lx + 18, PAD + 35);
                lx += 18 + fm.stringWidth(models.get(m)) + 16;
            }
            g.setColor(new Color(230, 230, 230));
            for (int tick = 0; tick <= 10; tick += 2) {
                int x = left + PLOT_WIDTH * tick / 10;
                g.drawLine(x, top - 4, x, top + rows.size() * group);
            }
            g.setColor(Color.DARK_GRAY);
            for (int tick = 0; tick <= 10; tick += 2) {
                String t = String.format(Locale.ROOT, "%.1f", tick / 10.0);
                g.drawString(t, left + PLOT_WIDTH * tick / 10 - fm.stringWidth(t) / 2, top + rows.size() * group + 16);
            }
            int y = top;
            for (Map.Entry<String, double[]> row : rows.entrySet()) {
                g.setColor(Color.BLACK);
                g.drawString(row.getKey(), left - 8 - fm.stringWidth(row.getKey()),
                        y + models.size() * BAR / 2 + fm.getAscent() / 2 - 2);
                for (int m = 0; m < models.size(); m++) {
                    double v = row.getValue()[m];
                    int by = y + m * BAR;
                    if (Double.isNaN(v)) {
                        g.setColor(Color.GRAY);
                        g.drawString("n/a", left + 4, by + BAR - 2);
                        continue;
                    }
                    int w = (int) Math.round(PLOT_WIDTH * Math.max(0, Math.min(1, v)));
                    g.setColor(COLOURS[m]);
                    g.fillRect(left, by, w, BAR - 1);
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(String.format(Locale.ROOT, "%.3f", v), left + w + 4, by + BAR - 2);
                }
                y += group;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders the chart into a PNG file, creating its folder. */
    public static void write(Map<String, EvaluationResult> byModel, Path file) throws IOException {
        LabelPng.write(render(byModel), file);
    }
}
