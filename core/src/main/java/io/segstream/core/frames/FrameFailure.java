package io.segstream.core.frames;

/**
 * Why a frame got no mask.
 *
 * @param stage  where it failed: {@code image} (does not decode, wrong size), {@code inference} (the model run
 *               failed) or {@code model} (the model ran but gave NaN or infinite scores)
 * @param reason one sentence naming the frame and the problem
 * @param error  the underlying exception, or null
 */
public record FrameFailure(String stage, String reason, Throwable error) {
    /** The frame's image does not decode to what its header says. */
    public static final String STAGE_IMAGE = "image";
    /** The model failed on the frame's batch. */
    public static final String STAGE_INFERENCE = "inference";
    /** The model ran on the frame but gave NaN or infinite class scores, so its mask would be garbage. */
    public static final String STAGE_MODEL = "model";
}
