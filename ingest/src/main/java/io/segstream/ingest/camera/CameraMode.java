package io.segstream.ingest.camera;

/** How a camera's frames are timed and what happens when Kafka cannot keep up. */
public enum CameraMode {
    /** Real-time source: wall-clock capture times; the oldest queued frame is dropped when Kafka is behind. */
    LIVE,
    /** A recording: stream timestamps, paced playback; grabbing waits for Kafka, nothing is dropped. */
    REPLAY
}
