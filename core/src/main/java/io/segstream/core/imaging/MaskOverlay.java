package io.segstream.core.imaging;

import io.segstream.core.alerts.Polygon;
import io.segstream.schemas.SegmentationMask;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Draws what an operator looks at: the frame with its class mask blended in the label set's colours, alert zones
 * as outlines, and a few lines of text (camera, model, raised alerts).
 *
 * <pre>{@code
 * BufferedImage img = MaskOverlay.blend(frame, mask.classIds(), labelSet.classPalette(), 0.5f);
 * MaskOverlay.drawZone(img, xs, ys, "track-corridor", true);
 * MaskOverlay.drawText(img, List.of("cam-1 seq 42", "ALERT person in corridor"));
 * }</pre>
 */
public final class MaskOverlay {
    private static final Color ZONE = new Color(255, 255, 255);
    private static final Color ZONE_ALERT = new Color(255, 40, 40);

    private MaskOverlay() {}

    /**
     * The frame with each pixel mixed with its class colour.
     *
     * @param classIds one class id per pixel of {@code frame}, row-major
     * @param palette  colour (0xRRGGBB) per class id 0..255, see {@code LabelSet.classPalette()}
     * @param alpha    weight of the class colour, 0..1
     */
    public static BufferedImage blend(RgbImage frame, byte[] classIds, int[] palette, float alpha) {
        Objects.requireNonNull(frame, "frame");
        int w = frame.width();
        int h = frame.height();
        if (classIds.length != w * h) {
            throw new IllegalArgumentException("a " + frame.size() + " frame needs " + (w * h) + " class ids, got "
                    + classIds.length);
        }
        if (palette.length != 256) {
            throw new IllegalArgumentException("the palette needs 256 colours, got " + palette.length);
        }
        if (alpha < 0 || alpha > 1) {
            throw new IllegalArgumentException("alpha must be within 0..1, got " + alpha);
        }
        int[] out = new int[w * h];
        int a = Math.round(alpha * 256);
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i++) {
                int p = frame.rgb(x, y);
                int c = palette[classIds[i] & 0xFF];
                out[i] = mix(p >> 16 & 0xFF, c >> 16 & 0xFF, a) << 16
                        | mix(p >> 8 & 0xFF, c >> 8 & 0xFF, a) << 8
                        | mix(p & 0xFF, c & 0xFF, a);
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, out, 0, w);
        return img;
    }

    private static int mix(int base, int colour, int a) {
        return (base * (256 - a) + colour * a) >> 8;
    }

    /**
     * Outlines a zone given in normalised coordinates (0..1) and labels it.
     *
     * @param alerting draws the zone in red, for a zone with a raised alert
     */
    public static void drawZone(BufferedImage img, double[] xs, double[] ys, String label, boolean alerting) {
        if (xs.length != ys.length || xs.length < 3) {
            throw new IllegalArgumentException("a zone needs at least 3 points with x and y each");
        }
        Graphics2D g = graphics(img);
        try {
            Path2D.Double path = new Path2D.Double();
            path.moveTo(xs[0] * img.getWidth(), ys[0] * img.getHeight());
            for (int i = 1; i < xs.length; i++) {
                path.lineTo(xs[i] * img.getWidth(), ys[i] * img.getHeight());
            }
            path.closePath();
            g.setColor(alerting ? ZONE_ALERT : ZONE);
            g.setStroke(new BasicStroke(Math.max(1f, img.getWidth() / 400f), BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f));
            g.draw(path);
            g.drawString(label, (float) (xs[0] * img.getWidth()) + 4, (float) (ys[0] * img.getHeight()) - 4);
        } finally {
            g.dispose();
        }
    }

    /** Outlines every zone of {@code zones} (zone id to polygon, e.g. {@code rules.zonesFor(camera)}). */
    public static void drawZones(BufferedImage img, Map<String, Polygon> zones, boolean alerting) {
        for (Map.Entry<String, Polygon> z : zones.entrySet()) {
            Polygon p = z.getValue();
            double[] xs = new double[p.size()];
            double[] ys = new double[p.size()];
            for (int i = 0; i < p.size(); i++) {
                xs[i] = p.x(i);
                ys[i] = p.y(i);
            }
            drawZone(img, xs, ys, z.getKey(), alerting);
        }
    }

    /**
     * Writes the caption of a mask's overlay: camera, seq, the model that made it and the frame mIoU when known, then
     * an "ALERT rule" line per raised rule.
     */
    public static void drawCaption(BufferedImage img, SegmentationMask m, List<String> raised) {
        List<String> lines = new ArrayList<>();
        lines.add(m.getCameraId() + "  seq " + m.getSeq() + "  model " + m.getModel().getName() + ":"
                + m.getModel().getVersion() + (m.getFrameMiou() == null ? ""
                : String.format(Locale.ROOT, "  frame mIoU %.2f", m.getFrameMiou())));
        raised.forEach(rule -> lines.add("ALERT " + rule));
        drawText(img, lines);
    }

    /** Writes lines of text on a dark band at the top left; lines starting with "ALERT" are red. */
    public static void drawText(BufferedImage img, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        Graphics2D g = graphics(img);
        try {
            int size = Math.max(11, img.getHeight() / 32);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
            int lineHeight = size + 4;
            int width = 0;
            for (String l : lines) {
                width = Math.max(width, g.getFontMetrics().stringWidth(l));
            }
            g.setColor(new Color(0, 0, 0, 160));
            g.fillRect(0, 0, width + 12, lineHeight * lines.size() + 8);
            for (int i = 0; i < lines.size(); i++) {
                g.setColor(lines.get(i).startsWith("ALERT") ? ZONE_ALERT : Color.WHITE);
                g.drawString(lines.get(i), 6, 4 + size + i * lineHeight);
            }
        } finally {
            g.dispose();
        }
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }
}
