package io.segstream.training.data;

import io.segstream.core.labels.LabelSet;
import java.util.Random;

/**
 * Turns a sample of any size into one of the training size: resize so that the width matches the target, scale by a
 * random factor, crop (padding with ignore where the scaled image is smaller), flip and jitter colours. Every random
 * draw comes from the {@link Random} the caller passes, so a seed per (epoch, sample) makes it reproducible.
 *
 * <pre>{@code
 * TrainingSample s = new Augmenter(512, 256, Augmentation.DEFAULT).apply(sample, new Random(seed));
 * }</pre>
 */
public final class Augmenter {
    private final int width;
    private final int height;
    private final Augmentation aug;

    public Augmenter(int width, int height, Augmentation aug) {
        this.width = width;
        this.height = height;
        this.aug = aug;
    }

    /** The sample resized to the target size without any random change (validation, prediction). */
    public TrainingSample resizeOnly(TrainingSample s) {
        return new TrainingSample(s.id(), width, height,
                Resampler.bilinear(s.rgb(), s.width(), s.height(), 3, width, height),
                Resampler.nearest(s.classIds(), s.width(), s.height(), width, height));
    }

    /** A randomly transformed sample of the target size. */
    public TrainingSample apply(TrainingSample s, Random random) {
        double base = Math.max((double) width / s.width(), (double) height / s.height());
        double scale = base * (aug.minScale() + random.nextDouble() * (aug.maxScale() - aug.minScale()));
        int sw = Math.max(1, (int) Math.round(s.width() * scale));
        int sh = Math.max(1, (int) Math.round(s.height() * scale));
        byte[] rgb = Resampler.bilinear(s.rgb(), s.width(), s.height(), 3, sw, sh);
        byte[] ids = Resampler.nearest(s.classIds(), s.width(), s.height(), sw, sh);
        int ox = sw > width ? random.nextInt(sw - width + 1) : 0;
        int oy = sh > height ? random.nextInt(sh - height + 1) : 0;
        boolean flip = aug.flip() && random.nextBoolean();
        byte[] outRgb = new byte[3 * width * height];
        byte[] outIds = new byte[width * height];
        java.util.Arrays.fill(outIds, (byte) LabelSet.IGNORE);
        for (int y = 0; y < height; y++) {
            int sy = y + oy;
            if (sy >= sh) {
                break;
            }
            for (int x = 0; x < width; x++) {
                int sx = x + ox;
                if (sx >= sw) {
                    break;
                }
                int tx = flip ? width - 1 - x : x;
                int si = sy * sw + sx;
                int ti = y * width + tx;
                outIds[ti] = ids[si];
                outRgb[3 * ti] = rgb[3 * si];
                outRgb[3 * ti + 1] = rgb[3 * si + 1];
                outRgb[3 * ti + 2] = rgb[3 * si + 2];
            }
        }
        jitter(outRgb, random);
        return new TrainingSample(s.id(), width, height, outRgb, outIds);
    }

    private void jitter(byte[] rgb, Random random) {
        if (aug.brightness() == 0 && aug.contrast() == 0 && aug.saturation() == 0) {
            return;
        }
        double b = 1 + (2 * random.nextDouble() - 1) * aug.brightness();
        double c = 1 + (2 * random.nextDouble() - 1) * aug.contrast();
        double s = 1 + (2 * random.nextDouble() - 1) * aug.saturation();
        double mean = 0;
        for (int i = 0; i < rgb.length; i += 3) {
            mean += luma(rgb, i);
        }
        mean /= rgb.length / 3.0;
        for (int i = 0; i < rgb.length; i += 3) {
            double grey = luma(rgb, i);
            for (int k = 0; k < 3; k++) {
                double v = (rgb[i + k] & 0xFF) * b;
                v = grey * b + (v - grey * b) * s;
                v = mean * b + (v - mean * b) * c;
                rgb[i + k] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
    }

    private static double luma(byte[] rgb, int i) {
        return 0.299 * (rgb[i] & 0xFF) + 0.587 * (rgb[i + 1] & 0xFF) + 0.114 * (rgb[i + 2] & 0xFF);
    }
}
