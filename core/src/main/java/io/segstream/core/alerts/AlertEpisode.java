package io.segstream.core.alerts;

import java.util.Objects;

/**
 * One alert from its raise to its clear on one camera: what {@link AlertAgreement} matches.
 *
 * @param cameraId   camera id
 * @param ruleId     rule id
 * @param raisedSeq  the frame that raised it
 * @param clearedSeq the frame that cleared it, or {@link #STILL_RAISED} when it was raised at the end of the record
 */
public record AlertEpisode(String cameraId, String ruleId, long raisedSeq, long clearedSeq) {
    /** The {@code clearedSeq} of an alert that never cleared. */
    public static final long STILL_RAISED = -1;

    public AlertEpisode {
        Objects.requireNonNull(cameraId, "cameraId");
        Objects.requireNonNull(ruleId, "ruleId");
        if (raisedSeq < 0) {
            throw new IllegalArgumentException("raisedSeq must be at least 0, got " + raisedSeq);
        }
        if (clearedSeq != STILL_RAISED && clearedSeq <= raisedSeq) {
            throw new IllegalArgumentException("alert " + ruleId + " on " + cameraId + " clears at seq " + clearedSeq
                    + ", not after its raise at seq " + raisedSeq);
        }
    }

    /** Whether the record holds this alert's clear. */
    public boolean cleared() {
        return clearedSeq != STILL_RAISED;
    }

    @Override
    public String toString() {
        return ruleId + " on " + cameraId + " raised at seq " + raisedSeq
                + (cleared() ? ", cleared at seq " + clearedSeq : ", still raised");
    }
}
