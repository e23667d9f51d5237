package io.segstream.training.run;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.TrainingSample;
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

    /** Writes the outputs of one image under {@code fileName} (e.g. {@code x_000001_000019_leftImg8bit.png}). */
    public void write(String fileName, TrainingSample image, Predictor.Prediction p) throws IOException {
        int w = p.width();
        int h = p.height();
        byte[] labelIds = labelSet.classIdsToLabelIds(p.classIds(), fileName);
        LabelPng.write8(LabelImage.of8(w, h, labelIds), results.resolve("labelIds").resolve(fileName));
        int[] color = new int[w * h];
        int[] overlay = new int[w * h];
        byte[] rgb = image.rgb();
        for (int i = 0; i < color.length; i++) {
            int c = palette[p.classIds()[i] & 0xFF];
            color[i] = c;
            int r = ((rgb[3 * i] & 0xFF) + ((c >> 16) & 0xFF)) / 2;
            int g = ((rgb[3 * i + 1] & 0xFF) + ((c >> 8) & 0xFF)) / 2;
            int b = ((rgb[3 * i + 2] & 0xFF) + (c & 0xFF)) / 2;
            overlay[i] = (r << 16) | (g << 8) | b;
        }
        LabelPng.writeRgb(w, h, color, results.resolve("color").resolve(fileName));
        LabelPng.writeRgb(w, h, overlay, results.resolve("overlay").resolve(fileName));
        if (p.uncertainty() != null) {
            Files.createDirectories(results.resolve("uncertainty"));
            byte[] u = new byte[w * h];
            for (int i = 0; i < u.length; i++) {
                u[i] = (byte) Math.round(p.uncertainty()[i] * 255);
            }
            LabelPng.write8(LabelImage.of8(w, h, u), results.resolve("uncertainty").resolve(fileName));
        }
    }
}
