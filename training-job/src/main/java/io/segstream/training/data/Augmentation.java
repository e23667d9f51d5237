package io.segstream.training.data;

/**
 * The random transforms of a training sample: scale, crop, horizontal flip and colour jitter. Validation uses
 * {@link #NONE}.
 *
 * @param minScale   smallest random scale factor (after resizing to the target size)
 * @param maxScale   largest random scale factor
 * @param flip       whether to flip horizontally with probability ½
 * @param brightness colour jitter: brightness factor drawn from [1 - b, 1 + b]
 * @param contrast   colour jitter: contrast factor drawn from [1 - c, 1 + c]
 * @param saturation colour jitter: saturation factor drawn from [1 - s, 1 + s]
 */
public record Augmentation(double minScale, double maxScale, boolean flip, double brightness, double contrast,
        double saturation) {

    /** No augmentation: resize to the target size only. */
    public static final Augmentation NONE = new Augmentation(1, 1, false, 0, 0, 0);
    /** The DeepLab-style default: scale 0.5–2, crop, flip, mild colour jitter. */
    public static final Augmentation DEFAULT = new Augmentation(0.5, 2.0, true, 0.2, 0.2, 0.2);

    public Augmentation {
        if (!(minScale > 0) || !(maxScale >= minScale)) {
            throw new IllegalArgumentException("augmentation scale range must satisfy 0 < min <= max, got "
                    + minScale + ".." + maxScale);
        }
        if (!(brightness >= 0 && brightness < 1) || !(contrast >= 0 && contrast < 1)
                || !(saturation >= 0 && saturation < 1)) {
            throw new IllegalArgumentException("colour jitter strengths must be in [0, 1)");
        }
    }
}
