package io.segstream.training.run;

import io.segstream.core.imaging.LabelPng;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small PNG line chart (Java2D, headless): one or more named series over a shared x axis, optionally logarithmic
 * on either axis. Used for the loss, learning-rate and mIoU curves of a run and the LR finder's sweep.
 *
 * <pre>{@code
 * new LinePlot("loss", "iteration", "loss").series("train", xs, ys).write(Path.of("loss.png"));
 * }</pre>
 */
public final class LinePlot {
    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;
    private static final int LEFT = 80;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(255, 127, 14),
        new Color(44, 160, 44), new Color(214, 39, 40)};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> names = new ArrayList<>();
    private final List<double[][]> data = new ArrayList<>();
    private boolean logX;
    private boolean logY;

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a series; points with a non-finite coordinate are skipped. */
    public LinePlot series(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
        }
        names.add(name);
        data.add(new double[][] {x.clone(), y.clone()});
        return this;
    }

    public LinePlot logX() {
        this.logX = true;
        return this;
    }

    public LinePlot logY() {
        this.logY = true;
        return this;
    }

    /** Renders the chart and writes it as PNG. */
    public void write(Path file) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double[] range = range();
            drawAxes(g, range);
            for (int s = 0; s < data.size(); s++) {
                drawSeries(g, data.get(s), range, COLOURS[s % COLOURS.length]);
                g.setColor(COLOURS[s % COLOURS.length]);
                g.drawString(names.get(s), WIDTH - RIGHT - 150, TOP + 18 + 16 * s);
            }
        } finally {
            g.dispose();
        }
        LabelPng.write(img, file);
    }

    private double tx(double v) {
        return logX ? Math.log10(v) : v;
    }

    private double ty(double v) {
        return logY ? Math.log10(v) : v;
    }

    private boolean usable(double x, double y) {
        return Double.isFinite(tx(x)) && Double.isFinite(ty(y));
    }

    private double[] range() {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[][] d : data) {
            for (int i = 0; i < d[0].length; i++) {
                if (usable(d[0][i], d[1][i])) {
                    minX = Math.min(minX, tx(d[0][i]));
                    maxX = Math.max(maxX, tx(d[0][i]));
                    minY = Math.min(minY, ty(d[1][i]));
                    maxY = Math.max(maxY, ty(d[1][i]));
                }
            }
        }
        if (minX > maxX) {
            return new double[] {0, 1, 0, 1};
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        if (maxY == minY) {
            maxY = minY + Math.max(1e-9, Math.abs(minY) * 0.1);
        }
        double pad = (maxY - minY) * 0.05;
        return new double[] {minX, maxX, minY - pad, maxY + pad};
    }

    private int px(double x, double[] r) {
        return LEFT + (int) Math.round((tx(x) - r[0]) / (r[1] - r[0]) * (WIDTH - LEFT - RIGHT));
    }

    private int py(double y, double[] r) {
        return HEIGHT - BOTTOM - (int) Math.round((ty(y) - r[2]) / (r[3] - r[2]) * (HEIGHT - TOP - BOTTOM));
    }

    private void drawAxes(Graphics2D g, double[] r) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, TOP - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        for (int i = 0; i <= 5; i++) {
            double fx = r[0] + (r[1] - r[0]) * i / 5;
            double fy = r[2] + (r[3] - r[2]) * i / 5;
            int x = LEFT + (WIDTH - LEFT - RIGHT) * i / 5;
            int y = HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * i / 5;
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(Color.BLACK);
            g.drawString(tick(logX ? Math.pow(10, fx) : fx), x - 20, HEIGHT - BOTTOM + 18);
            g.drawString(tick(logY ? Math.pow(10, fy) : fy), 5, y + 4);
        }
        g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT) / 2 - 30, HEIGHT - 15);
        g.drawString(yLabel, 5, TOP - 2);
    }

    private void drawSeries(Graphics2D g, double[][] d, double[] r, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2f));
        int lastX = -1;
        int lastY = -1;
        for (int i = 0; i < d[0].length; i++) {
            if (!usable(d[0][i], d[1][i])) {
                continue;
            }
            int x = px(d[0][i], r);
            int y = py(d[1][i], r);
            if (lastX >= 0) {
                g.drawLine(lastX, lastY, x, y);
            } else if (d[0].length == 1) {
                g.fillOval(x - 3, y - 3, 6, 6);
            }
            lastX = x;
            lastY = y;
        }
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-2 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%.1e", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
