package io.segstream.core.segment;

/**
 * Milliseconds one frame spent in each stage of segmentation. For a batch, inference time is shared out
 * equally among its frames.
 *
 * @param decodeMs image decoding (0 when the caller decoded)
 * @param preMs    resizing and normalising into the input tensor
 * @param inferMs  this frame's share of the ONNX Runtime call
 * @param postMs   argmax, resizing the mask back to the frame
 */
public record SegmenterTimings(float decodeMs, float preMs, float inferMs, float postMs) {
    /** The sum of every stage. */
    public float totalMs() {
        return decodeMs + preMs + inferMs + postMs;
    }

    /** A copy with {@code ms} as decode time. */
    public SegmenterTimings withDecodeMs(float ms) {
        return new SegmenterTimings(ms, preMs, inferMs, postMs);
    }
}
