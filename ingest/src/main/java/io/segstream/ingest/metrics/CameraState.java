package io.segstream.ingest.metrics;

/** Where a camera stands, as shown in health lines and the {@code segstream_ingest_camera_up} gauge. */
public enum CameraState {
    /** Opening its source for the first time. */
    CONNECTING,
    /** Frames are flowing. */
    STREAMING,
    /** Lost its source and is waiting to reconnect. */
    RECONNECTING,
    /** Connected, but no frame has come for longer than the stall timeout. */
    STALLED,
    /** A recording reached its end. */
    FINISHED,
    /** Gave up: a damaged or unreadable recording (not retried). */
    FAILED,
    /** Stopped by shutdown or by removal from the configuration. */
    STOPPED
}
