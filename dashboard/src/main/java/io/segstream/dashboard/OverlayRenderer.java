package io.segstream.dashboard;

import io.segstream.core.alerts.AlertRules;
import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.MaskOverlay;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.masks.MaskCodec;
import io.segstream.schemas.AvroBytes;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.SegmentationMask;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders a frame and its mask as the demo's overlay PNGs look (core's {@link MaskOverlay}: mask blended in the
 * label set's colours, the camera's alert zones outlined, red while an alert is raised, a text band), as PNG bytes
 * for the page. Only the page's requests call it, so frames of cameras nobody looks at are never decoded.
 *
 * <pre>{@code
 * OverlayRenderer r = new OverlayRenderer(rules);          // rules may be null: no zones
 * byte[] png = r.render(pair, List.of("person-in-corridor"), 0);   // 0: full size
 * }</pre>
 */
public final class OverlayRenderer {
    private static final float ALPHA = 0.45f;

    private final AlertRules rules;

    /** @param rules the rules whose zones are drawn, or null to draw none */
    public OverlayRenderer(AlertRules rules) {
        this.rules = rules;
    }

    /**
     * The overlay of one frame as PNG.
     *
     * @param raised   rule ids raised on this camera: zones turn red and each gets an "ALERT" line
     * @param maxWidth scales the image down to this width (thumbnails); 0 keeps the frame's size
     * @throws ImageFormatException if the frame or the mask does not decode (the message names camera and seq)
     */
    public byte[] render(DashboardState.FramePair pair, List<String> raised, int maxWidth)
            throws ImageFormatException {
        CameraFrame f = pair.frame();
        SegmentationMask m = pair.mask();
        String name = "camera " + f.getCameraId() + " seq " + f.getSeq();
        RgbImage frame = new FrameDecoder().decode(f.getEncoding(), AvroBytes.toArray(f.getData()), f.getWidth(),
                f.getHeight(), name);
        ClassMask mask = MaskCodec.decode(AvroBytes.toArray(m.getMask()), m.getMaskEncoding(), "mask of " + name);
        byte[] classIds = fitted(mask, frame.width(), frame.height());
        BufferedImage img = MaskOverlay.blend(frame, classIds, LabelSet.named(m.getLabelSet()).classPalette(), ALPHA);
        if (rules != null) {
            MaskOverlay.drawZones(img, rules.zonesFor(f.getCameraId()), !raised.isEmpty());
        }
        MaskOverlay.drawCaption(img, m, raised);
        return png(maxWidth > 0 && img.getWidth() > maxWidth ? scaled(img, maxWidth) : img);
    }

    /** The mask's class ids at the frame's size: a job may send masks at the model's resolution. */
    static byte[] fitted(ClassMask mask, int width, int height) {
        if (mask.width() == width && mask.height() == height) {
            return mask.classIds();
        }
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            int my = y * mask.height() / height;
            for (int x = 0; x < width; x++) {
                out[y * width + x] = mask.classIds()[my * mask.width() + x * mask.width() / width];
            }
        }
        return out;
    }

    private static BufferedImage scaled(BufferedImage img, int width) {
        int height = Math.max(1, img.getHeight() * width / img.getWidth());
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(img, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode an overlay as PNG", e);
        }
        return out.toByteArray();
    }
}
