package io.segstream.ingest.camera;

import io.segstream.core.frames.CameraIds;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.replay.Pace;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One camera of an ingest process, as read from {@code cameras.yaml} (see {@link CamerasConfig}).
 *
 * @param id           camera id: Kafka key, metrics label, log name
 * @param source       where its frames come from
 * @param mode         live (wall-clock, drop when behind) or replay (stream timestamps, block)
 * @param fpsCap       most frames per second sent; 0 for no cap
 * @param image        encoding, JPEG quality, resize
 * @param attributes   copied into every frame (line, track id, km post, road segment...)
 * @param pace         replay mode: playback speed
 * @param loop         replay mode: start over at the end
 * @param driveId      replay mode: drive id of the frames, or null
 * @param stallTimeout how long one read may hang before the connection is given up and reopened
 * @param queueFrames  frames buffered between grabbing and Kafka
 */
public record CameraConfig(
        String id,
        SourceSpec source,
        CameraMode mode,
        double fpsCap,
        ImageOptions image,
        Map<String, String> attributes,
        Pace pace,
        boolean loop,
        String driveId,
        Duration stallTimeout,
        int queueFrames) {

    public CameraConfig {
        Objects.requireNonNull(id, "id");
        CameraIds.problem(id).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pace, "pace");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        attributes = Map.copyOf(attributes);
    }

    /** A camera with defaults for everything but its id and source; the mode follows the source kind. */
    public static CameraConfig of(String id, SourceSpec source) {
        return new CameraConfig(id, source, source.kind().liveByDefault() ? CameraMode.LIVE : CameraMode.REPLAY, 0,
                ImageOptions.DEFAULT, Map.of(), Pace.REALTIME, false, null, Duration.ofSeconds(15), 4);
    }
}
