package io.segstream.training.data;

import io.segstream.core.labels.LabelSet;
import java.util.Random;

/**
 * Turns a sample of any size into one of the training size: resize so that the width matches the target, scale by a
 * random factor, crop (padding with ignore where the scaled image is smaller), flip and jitter colours. Every random
 * draw comes from the {@link Random} the caller passes, so a seed per (epoch, sample) makes it reproducible.
 *
 * <p>With {@link #withRareClassCrops} a share of the crops is placed on a pixel of a class drawn among those the
 * sample holds, with probability proportional to the inverse of the class's pixel share in the training set (rare
 * class sampling, per crop): a small person or truck that a uniform crop of a quarter of the frame misses three times
 * in four is in the crop every time its class is drawn.
 *
 * <pre>{@code
 * TrainingSample s = new Augmenter(512, 256, Augmentation.DEFAULT).apply(sample, new Random(seed));
 * }</pre>
 */
public final class Augmenter {
    /** Floor of a class's pixel share, so a class absent from the counted samples gets a finite weight. */
    private static final double MIN_SHARE = 1e-6;

    private final int width;
    private final int height;
    private final Augmentation aug;
    private final double rareShare;
    private final double[] classPick;

    public Augmenter(int width, int height, Augmentation aug) {
        this(width, height, aug, 0, null);
    }

    private Augmenter(int width, int height, Augmentation aug, double rareShare, double[] classPick) {
        this.width = width;
        this.height = height;
        this.aug = aug;
        this.rareShare = rareShare;
        this.classPick = classPick;
    }

    /**
     * This augmenter with a share of its crops placed on a rare class's pixel.
     *
     * @param share       share of crops so placed, in [0, 1]
     * @param pixelCounts labelled pixels per class over the training set (or a sample of it), as
     *                    {@link ClassWeights#count} gives them
     */
    public Augmenter withRareClassCrops(double share, long[] pixelCounts) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("rare-class crop share must be in [0, 1], got " + share);
        }
        return new Augmenter(width, height, aug, share, pickWeights(pixelCounts));
    }

    /** The weight of each class when a crop's class is drawn: 1 / pixel share, the share floored at 1e-6. */
    static double[] pickWeights(long[] pixelCounts) {
        double[] w = ClassWeights.shares(pixelCounts);
        for (int i = 0; i < w.length; i++) {
            w[i] = 1.0 / Math.max(w[i], MIN_SHARE);
        }
        return w;
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
        int[] focus = rareShare > 0 && random.nextDouble() < rareShare ? rarePixel(s, random) : null;
        int ox;
        int oy;
        if (focus == null) {
            ox = sw > width ? random.nextInt(sw - width + 1) : 0;
            oy = sh > height ? random.nextInt(sh - height + 1) : 0;
        } else {
            ox = offsetCovering(Math.min(sw - 1, (int) ((focus[0] + 0.5) * sw / s.width())), sw, width, random);
            oy = offsetCovering(Math.min(sh - 1, (int) ((focus[1] + 0.5) * sh / s.height())), sh, height, random);
        }
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

    /**
     * A pixel (x, y) of a class drawn among those the sample holds, weighted by {@link #pickWeights}; null when the
     * sample holds no labelled pixel.
     */
    int[] rarePixel(TrainingSample s, Random random) {
        byte[] ids = s.classIds();
        long[] counts = new long[classPick.length];
        for (byte b : ids) {
            int c = b & 0xFF;
            if (c < counts.length) {
                counts[c]++;
            }
        }
        double total = 0;
        for (int c = 0; c < counts.length; c++) {
            total += counts[c] > 0 ? classPick[c] : 0;
        }
        if (total == 0) {
            return null;
        }
        double r = random.nextDouble() * total;
        int chosen = -1;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                // the last present class also takes what rounding leaves of r
                chosen = c;
                r -= classPick[c];
                if (r < 0) {
                    break;
                }
            }
        }
        long k = (long) (random.nextDouble() * counts[chosen]);
        for (int i = 0; i < ids.length; i++) {
            if ((ids[i] & 0xFF) == chosen && k-- == 0) {
                return new int[] {i % s.width(), i / s.width()};
            }
        }
        throw new IllegalStateException("class " + chosen + " counted but not found");
    }

    /** A crop offset, uniform among those whose crop of {@code crop} pixels holds position {@code p}. */
    private static int offsetCovering(int p, int size, int crop, Random random) {
        if (size <= crop) {
            return 0;
        }
        int lo = Math.max(0, p - crop + 1);
        int hi = Math.min(size - crop, p);
        return lo + random.nextInt(hi - lo + 1);
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
