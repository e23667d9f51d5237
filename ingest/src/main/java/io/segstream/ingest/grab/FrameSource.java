package io.segstream.ingest.grab;

/**
 * An opened source of frames: decodes, resizes and encodes one frame per {@link #next()} call.
 *
 * <p>Holds native FFmpeg state; close it (try-with-resources). Not thread-safe: one thread reads it.
 *
 * <pre>{@code
 * try (FrameSource src = FrameSources.open(SourceSpec.of("drive.mp4"), ImageOptions.DEFAULT)) {
 *     for (GrabbedFrame f; (f = src.next()) != null; ) {
 *         send(f);
 *     }
 * }
 * }</pre>
 */
public interface FrameSource extends AutoCloseable {

    /** What the source is: size, frame rate, duration when known. */
    SourceInfo info();

    /**
     * The next frame, or null at the normal end of the source.
     *
     * @throws SourceException when the source turns out damaged (truncated file) or a read fails
     */
    GrabbedFrame next() throws SourceException;

    /** Positions the source so that the next frame is the first at or after {@code mediaTimeMicros}. */
    void seek(long mediaTimeMicros) throws SourceException;

    /**
     * Frames lost to corrupt data so far: frames the decoder flagged as damaged (skipped, not delivered) and, for
     * recordings, frames missing from the timestamp sequence because their packets could not be decoded.
     */
    long corruptFrames();

    /** Error messages FFmpeg logged while reading this source (bad packets, resyncs, decoder errors). */
    long decodeErrors();

    @Override
    void close();
}
