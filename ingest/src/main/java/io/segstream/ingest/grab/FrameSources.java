package io.segstream.ingest.grab;

/**
 * Opens the right {@link FrameSource} for a {@link SourceSpec}: image folders as image sequences, everything else
 * (files, streams, devices) through FFmpeg's demuxers.
 */
public final class FrameSources {
    private FrameSources() {}

    /**
     * Opens a source; the caller closes it.
     *
     * @throws SourceException when the source cannot be opened; the message says why and what to check
     */
    public static FrameSource open(SourceSpec spec, ImageOptions options) throws SourceException {
        return switch (spec.kind()) {
            case IMAGE_SEQUENCE -> ImageSequenceSource.open(spec, options);
            case FILE, NETWORK, DEVICE -> VideoSource.open(spec, options);
        };
    }
}
