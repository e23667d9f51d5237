package io.segstream.training.data;

/**
 * Per-channel input normalisation {@code (value - mean) / std} on 0–255 RGB; it travels with the model (run
 * configuration and export manifest).
 *
 * @param mean RGB means
 * @param std  RGB standard deviations
 */
public record Normalization(double[] mean, double[] std) {
    /** ImageNet statistics, the usual choice for these architectures. */
    public static final Normalization IMAGENET =
            new Normalization(new double[] {123.675, 116.28, 103.53}, new double[] {58.395, 57.12, 57.375});

    public Normalization {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("normalisation needs 3 means and 3 standard deviations");
        }
        mean = mean.clone();
        std = std.clone();
    }
}
