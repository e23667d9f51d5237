package io.segstream.core.onnx;

/**
 * The calibrated float range of one activation tensor and its asymmetric uint8 quantization: the range is widened to
 * hold 0 (so that zero padding is exact), {@code scale = (max - min) / 255}, {@code zeroPoint = round(-min / scale)}.
 */
public record ActivationRange(float min, float max) {
    public ActivationRange {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("activation range [" + min + ", " + max + "] is not a finite interval");
        }
    }

    /** The uint8 step; 1 for a tensor that was always 0, so that the scale stays positive. */
    public float scale() {
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        return hi > lo ? (hi - lo) / 255f : 1f;
    }

    /** The uint8 value that stands for 0.0, in [0, 255]. */
    public int zeroPoint() {
        float lo = Math.min(min, 0f);
        return (int) Math.max(0, Math.min(255, Math.round(-lo / scale())));
    }
}
