package io.segstream.core.scenes;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * One rendered image with its pixel-exact Cityscapes labels and what it shows.
 *
 * <p>The arrays are handed over, not copied: treat them as read-only.
 *
 * <pre>{@code
 * Scene s = SceneGenerator.builder().setSize(512, 256).optKind(SceneKind.RAIL).optSeed(7).build().render(0);
 * int[] rgb = s.rgb();                       // 0xRRGGBB, row-major
 * int labelId = s.labelIds().get(256, 200);  // Cityscapes label id
 * }</pre>
 */
public final class Scene {
    private final SceneLayout layout;
    private final Camera camera;
    private final int[] rgb;
    private final LabelImage labelIds;
    private final LabelImage instanceIds;
    private final List<SceneObject> objects;
    private final List<AreaOutline> zones;

    Scene(SceneLayout layout, Camera camera, int[] rgb, LabelImage labelIds, LabelImage instanceIds,
            List<SceneObject> objects, List<AreaOutline> zones) {
        this.layout = layout;
        this.camera = camera;
        this.rgb = rgb;
        this.labelIds = labelIds;
        this.instanceIds = instanceIds;
        this.objects = List.copyOf(objects);
        this.zones = List.copyOf(zones);
    }

    public int width() {
        return camera.width();
    }

    public int height() {
        return camera.height();
    }

    public SceneLayout layout() {
        return layout;
    }

    /** The camera the scene was rendered with (projection of road coordinates to pixels). */
    public Camera camera() {
        return camera;
    }

    /** Pixels as packed 0xRRGGBB, row-major. */
    public int[] rgb() {
        return rgb;
    }

    /** The pixels as interleaved R, G, B bytes, row-major (what image encoders and models take). */
    public byte[] rgbBytes() {
        byte[] out = new byte[rgb.length * 3];
        for (int i = 0; i < rgb.length; i++) {
            out[3 * i] = (byte) (rgb[i] >> 16);
            out[3 * i + 1] = (byte) (rgb[i] >> 8);
            out[3 * i + 2] = (byte) rgb[i];
        }
        return out;
    }

    /** The image as a {@link BufferedImage} of type {@code TYPE_3BYTE_BGR}. */
    public BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, width(), height(), rgb, 0, width());
        return img;
    }

    /** Cityscapes label id per pixel (the content of {@code *_gtFine_labelIds.png}). */
    public LabelImage labelIds() {
        return labelIds;
    }

    /** Cityscapes instance id per pixel: {@code labelId * 1000 + k} on instances, the label id elsewhere. */
    public LabelImage instanceIds() {
        return instanceIds;
    }

    /** The label colours of the official table per pixel (the content of {@code *_gtFine_color.png}). */
    public int[] colorImage() {
        LabelSet set = LabelSet.named("cityscapes-34");
        int[] palette = new int[256];
        for (int id = 0; id < 256; id++) {
            if (set.isKnownLabelId(id)) {
                palette[id] = set.byId(id).rgb();
            }
        }
        int[] v = labelIds.values();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = palette[v[i]];
        }
        return out;
    }

    /** The instances (people, vehicles) with at least one visible pixel, in drawing order. */
    public List<SceneObject> objects() {
        return objects;
    }

    /** Outlines of the ground areas (track, carriageway) the scene has. */
    public List<AreaOutline> zones() {
        return zones;
    }

    /** The outline of one area, if the scene has it. */
    public Optional<AreaOutline> zone(Area area) {
        return zones.stream().filter(z -> z.area() == area).findFirst();
    }
}
