package io.segstream.ingest.grab;

import java.time.Instant;
import java.util.Optional;

/**
 * What is known about an opened source.
 *
 * @param description    the source as shown in logs
 * @param format         FFmpeg's container name ({@code mov,mp4,...}, {@code matroska,webm}, {@code image2}...)
 * @param codec          the video codec name
 * @param width          output frame width (after any resize)
 * @param height         output frame height (after any resize)
 * @param fps            nominal frame rate, 0 when unknown
 * @param durationMicros length of the recording, -1 when unknown (live streams)
 * @param frameCount     number of frames, -1 when unknown
 * @param creationTime   recording start from the container's {@code creation_time}, or null
 * @param name           a short name of the recording: file name without extension, or {@code city_seq} of a
 *                       Cityscapes sequence; the default drive id of replays
 */
public record SourceInfo(
        String description,
        String format,
        String codec,
        int width,
        int height,
        double fps,
        long durationMicros,
        long frameCount,
        Instant creationTime,
        String name) {

    /** The recording start time, when the container carries one. */
    public Optional<Instant> optCreationTime() {
        return Optional.ofNullable(creationTime);
    }

    /** The nominal interval between frames in microseconds, 0 when the frame rate is unknown. */
    public long frameIntervalMicros() {
        return fps > 0 ? Math.round(1_000_000.0 / fps) : 0;
    }
}
