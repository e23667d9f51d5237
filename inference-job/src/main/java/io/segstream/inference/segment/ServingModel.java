package io.segstream.inference.segment;

import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.schemas.ModelRelease;
import java.util.Objects;

/**
 * A model ready to segment frames: its open segmenter, the frame pipeline around it, and the release that
 * brought it (none for the configured model). Closing it frees the ONNX Runtime session.
 */
final class ServingModel implements AutoCloseable {
    private final ModelRelease release;
    private final OnnxSegmenter segmenter;
    private final FrameSegmenter frames;

    ServingModel(ModelRelease release, OnnxSegmenter segmenter, FrameSegmenter frames) {
        this.release = release;
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.frames = Objects.requireNonNull(frames, "frames");
    }

    /** The release record, or null for the configured model. */
    ModelRelease release() {
        return release;
    }

    OnnxSegmenter segmenter() {
        return segmenter;
    }

    FrameSegmenter frames() {
        return frames;
    }

    /** {@code name:version}, as masks name it. */
    String id() {
        return frames.model().getName() + ":" + frames.model().getVersion();
    }

    String labelSet() {
        return segmenter.labelSet().name();
    }

    @Override
    public void close() {
        segmenter.close();
    }

    @Override
    public String toString() {
        return id() + (release == null ? " (configured)" : " (released " + release.getReleasedAt() + ")");
    }
}
