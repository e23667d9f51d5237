package io.segstream.ingest.replay;

import io.segstream.ingest.grab.SourceInfo;

/**
 * What a replay did.
 *
 * @param info          the source
 * @param driveId       the drive id the frames carried
 * @param framesSent    frames handed to the sink and delivered
 * @param corruptFrames frames lost to corrupt data
 * @param passes        passes over the recording (more than one with {@code --loop})
 * @param seconds       wall time of the replay
 */
public record ReplayResult(SourceInfo info, String driveId, long framesSent, long corruptFrames, long passes,
        double seconds) {
    /** Delivered frames per second of wall time. */
    public double framesPerSecond() {
        return seconds > 0 ? framesSent / seconds : 0;
    }
}
