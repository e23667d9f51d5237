package io.segstream.ingest.replay;

import io.segstream.ingest.grab.SourceInfo;

/** Hears a replay's progress; {@link ReplayProgress} draws it. Called on the replay thread. */
public interface ReplayListener {
    /** The source is open; {@code expectedFrames} per pass is -1 when unknown. */
    default void started(SourceInfo info, long expectedFrames) {}

    /** A frame was handed to the sink; {@code framesThisPass} counts from the start of the current loop pass. */
    default void frameSent(long framesThisPass, long loopPass) {}

    /** The replay ended (normally or not). */
    default void finished(long framesTotal) {}
}
