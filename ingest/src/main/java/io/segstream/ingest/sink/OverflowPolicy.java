package io.segstream.ingest.sink;

/** What a full {@link FrameQueue} does with one more frame. */
public enum OverflowPolicy {
    /** Live cameras: make room by dropping the oldest queued frame (and count it); fresh frames matter most. */
    DROP_OLDEST,
    /** Recordings: wait for room; every frame must arrive. */
    BLOCK
}
