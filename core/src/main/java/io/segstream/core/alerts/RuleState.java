package io.segstream.core.alerts;

import java.io.Serializable;

/**
 * The state of one rule on one camera: a small value that a stream processor keeps per (camera, rule) and
 * restores exactly from a snapshot. {@link AlertEngine#step} turns one state and one frame into the next.
 *
 * @param lastSeq       seq of the last frame applied
 * @param raiseHistory  bit i set = frame {@code lastSeq - i} reached the rule's min_fraction
 * @param clearHistory  bit i set = frame {@code lastSeq - i} reached the rule's clear fraction
 * @param raised        whether the alert is raised
 * @param raisedSeq     seq of the frame that raised the open alert (meaningful while raised)
 * @param quietUntilSeq first seq at which the rule may raise again after a clear (cooldown)
 */
public record RuleState(long lastSeq, long raiseHistory, long clearHistory, boolean raised, long raisedSeq,
        long quietUntilSeq) implements Serializable {
}
