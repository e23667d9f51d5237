package io.segstream.core.metrics;

import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.Label;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws the confusion matrix of an {@link EvaluationResult} as a row-normalised heat map: one row per scored
 * class of the ground truth, one column per scored class of the prediction plus a last column for predictions
 * of ignored labels, so that every row sums to 100 %. Cells show whole percents; rows of classes absent from the
 * ground truth are grey.
 *
 * <pre>{@code ConfusionMatrixPng.write(result, Path.of("confusion.png"));}</pre>
 */
public final class ConfusionMatrixPng {
    private static final int CELL = 34;
    private static final int PAD = 12;
    private static final Color LOW = new Color(247, 251, 255);
    private static final Color HIGH = new Color(8, 48, 107);
    private static final Color ABSENT = new Color(225, 225, 225);
    private static final String OTHER = "ignored labels";

    private ConfusionMatrixPng() {}

    /** Renders the heat map. */
    public static BufferedImage render(EvaluationResult result) {
        List<Label> classes = result.scoredLabels();
        long[][] m = result.confusionMatrix().toArray();
        int n = classes.size();
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font titleFont = new Font(Font.SANS_SERIF, Font.BOLD, 14);

        // measure with a scratch graphics, then lay out
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D sg = scratch.createGraphics();
        FontMetrics fm = sg.getFontMetrics(labelFont);
        int nameWidth = fm.stringWidth(OTHER);
        for (Label l : classes) {
            nameWidth = Math.max(nameWidth, fm.stringWidth(l.name()));
        }
        sg.dispose();
        int titleHeight = 2 * 20 + PAD;
        int left = PAD + 18 + nameWidth + 8;
        int top = titleHeight + nameWidth + 8;
        int width = left + (n + 1) * CELL + PAD;
        int height = top + n * CELL + PAD;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(titleFont);
            g.drawString("Confusion matrix, label set " + result.labelSet().name() + ", " + result.frames()
                    + " frame(s)", PAD, PAD + 14);
            g.setFont(labelFont);
            g.drawString("rows: ground truth (each row sums to 100 %), columns: prediction", PAD, PAD + 34);

            g.setFont(labelFont);
            fm = g.getFontMetrics();
            for (int r = 0; r < n; r++) {
                String name = classes.get(r).name();
                g.drawString(name, left - 8 - fm.stringWidth(name), top + r * CELL + CELL / 2 + fm.getAscent() / 2 - 2);
            }
            AffineTransform plain = g.getTransform();
            for (int c = 0; c <= n; c++) {
                String name = c < n ? classes.get(c).name() : OTHER;
                g.setTransform(plain);
                g.translate(left + c * CELL + CELL / 2 + fm.getAscent() / 2 - 2, top - 8);
                g.rotate(-Math.PI / 2);
                g.drawString(name, 0, 0);
            }
            g.setTransform(plain);

            g.setFont(cellFont);
            FontMetrics cm = g.getFontMetrics();
            for (int r = 0; r < n; r++) {
                long[] row = m[classes.get(r).id()];
                long rowSum = 0;
                for (long v : row) {
                    rowSum += v;
                }
                long scored = 0;
                for (int c = 0; c <= n; c++) {
                    long count;
                    if (c < n) {
                        count = row[classes.get(c).id()];
                        scored += count;
                    } else {
                        count = rowSum - scored;
                    }
                    int x = left + c * CELL;
                    int y = top + r * CELL;
                    if (rowSum == 0) {
                        g.setColor(ABSENT);
                        g.fillRect(x, y, CELL, CELL);
                        continue;
                    }
                    double share = (double) count / rowSum;
                    g.setColor(mix(share));
                    g.fillRect(x, y, CELL, CELL);
                    long percent = Math.round(share * 100);
                    if (percent > 0) {
                        String text = Long.toString(percent);
                        g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                        g.drawString(text, x + (CELL - cm.stringWidth(text)) / 2, y + CELL / 2 + cm.getAscent() / 2 - 1);
                    }
                }
            }
            g.setColor(Color.GRAY);
            for (int i = 0; i <= n; i++) {
                g.drawLine(left, top + i * CELL, left + (n + 1) * CELL, top + i * CELL);
            }
            for (int i = 0; i <= n + 1; i++) {
                g.drawLine(left + i * CELL, top, left + i * CELL, top + n * CELL);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders the heat map into a PNG file, creating its folder. */
    public static void write(EvaluationResult result, Path file) throws IOException {
        LabelPng.write(render(result), file);
    }

    private static Color mix(double t) {
        double s = Math.max(0, Math.min(1, t));
        return new Color(
                (int) Math.round(LOW.getRed() + s * (HIGH.getRed() - LOW.getRed())),
                (int) Math.round(LOW.getGreen() + s * (HIGH.getGreen() - LOW.getGreen())),
                (int) Math.round(LOW.getBlue() + s * (HIGH.getBlue() - LOW.getBlue())));
    }
}
