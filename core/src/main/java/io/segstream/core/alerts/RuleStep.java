package io.segstream.core.alerts;

/**
 * The result of applying one frame to one rule.
 *
 * @param state       the state to keep for the next frame
 * @param event       the RAISED or CLEARED event of this frame, or null
 * @param outOfOrder  the frame's seq was not above the last applied one, so nothing changed
 * @param zoneMissing the frame carried no fractions for the rule's zone, so it counted as 0 coverage
 */
public record RuleStep(RuleState state, AlertEvent event, boolean outOfOrder, boolean zoneMissing) {
}
