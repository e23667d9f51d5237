package io.segstream.ingest.grab;

import io.segstream.schemas.ImageEncoding;

/**
 * One decoded and re-encoded frame as it leaves a {@link FrameSource}.
 *
 * @param mediaTimeMicros position in the source, microseconds from its start (stream timestamps; for image
 *                        sequences frame index / fps)
 * @param width           pixels per row of {@code data}
 * @param height          rows of {@code data}
 * @param encoding        how {@code data} is encoded
 * @param data            the encoded image; owned by the frame
 * @param groundTruth     a Cityscapes labelIds PNG of the same size, or null
 * @param name            the image file name for image sequences, else null
 */
public record GrabbedFrame(
        long mediaTimeMicros,
        int width,
        int height,
        ImageEncoding encoding,
        byte[] data,
        byte[] groundTruth,
        String name) {}
