package io.segstream.training.run;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.imaging.MaskOverlay;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.TrainingSample;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes predictions as Cityscapes result folders: {@code labelIds/} (official label ids, what the Cityscapes
 * evaluation and {@code segstream eval} read), {@code color/}, {@code overlay/} (image and colours half and half) and,
 * for Monte-Carlo models, {@code uncertainty/} (entropy as 8-bit grey). Every file keeps the input's name.
 */
public final class PredictionWriter {
    private final Path results;
    private final LabelSet labelSet;
    private final int[] palette;

    public PredictionWriter(Path results, LabelSet labelSet) throws IOException {
        this.results = results;
        this.labelSet = labelSet;
        this.palette = labelSet.classPalette();
        for (String d : new String[] {"labelIds", "color", "overlay"}) {
            Files.createDirectories(results.resolve(d));
        }
    }

    /**
     * Writes the outputs of one image under {@code fileName} (e.g. {@code x_000001_000019_leftImg8bit.png}).
     *
     * @return the overlay it wrote, for callers that also put it into a video
     */
    public BufferedImage write(String fileName, TrainingSample image, Predictor.Prediction p) throws IOException {
        int w = p.width();
        int h = p.height();
        byte[] labelIds = labelSet.classIdsToLabelIds(p.classIds(), fileName);
        LabelPng.write8(LabelImage.of8(w, h, labelIds), results.resolve("labelIds").resolve(fileName));
        int[] color = new int[w * h];
        for (int i = 0; i < color.length; i++) {
            color[i] = palette[p.classIds()[i] & 0xFF];
        }
        LabelPng.writeRgb(w, h, color, results.resolve("color").resolve(fileName));
        BufferedImage overlay = MaskOverlay.blend(RgbImage.ofRgb(w, h, image.rgb()), p.classIds(), palette, 0.5f);
        LabelPng.writeRgb(w, h, overlay.getRGB(0, 0, w, h, null, 0, w), results.resolve("overlay").resolve(fileName));
        if (p.uncertainty() != null) {
            Files.createDirectories(results.resolve("uncertainty"));
            byte[] u = new byte[w * h];
            for (int i = 0; i < u.length; i++) {
                u[i] = (byte) Math.round(p.uncertainty()[i] * 255);
            }
            LabelPng.write8(LabelImage.of8(w, h, u), results.resolve("uncertainty").resolve(fileName));
        }
        return overlay;
    }
}
