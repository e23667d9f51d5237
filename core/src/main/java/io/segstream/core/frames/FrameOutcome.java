package io.segstream.core.frames;

import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.SegmentationMask;
import java.util.Objects;

/**
 * What became of one frame: its mask, or the reason it has none.
 *
 * @param frame   the input frame
 * @param mask    the mask; null when the frame failed
 * @param failure why the frame has no mask; null when it has one
 */
public record FrameOutcome(CameraFrame frame, SegmentationMask mask, FrameFailure failure) {
    public FrameOutcome {
        Objects.requireNonNull(frame, "frame");
        if ((mask == null) == (failure == null)) {
            throw new IllegalArgumentException("a frame outcome holds either a mask or a failure");
        }
    }

    static FrameOutcome ofMask(CameraFrame frame, SegmentationMask mask) {
        return new FrameOutcome(frame, mask, null);
    }

    static FrameOutcome ofFailure(CameraFrame frame, FrameFailure failure) {
        return new FrameOutcome(frame, null, failure);
    }

    public boolean succeeded() {
        return mask != null;
    }
}
