package io.segstream.connectors.models;

import java.util.Locale;
import java.util.Optional;

/**
 * The release policy of scheduled retraining: a candidate replaces the model serving a target only when its
 * validation mIoU beats the serving model's, measured on the same frames, by more than a margin.
 *
 * <p>A negative margin accepts a bounded regression (useful when the point of a retrain is new data, not a
 * better score). The floor refuses candidates below an absolute mIoU even when nothing serves yet. Models of
 * different label sets score different classes, so their mIoU do not compare; the gate refuses and says so.
 * Differences below 0.00005, the last printed digit, count as none.
 *
 * <pre>{@code
 * ReleaseGate.Decision d = new ReleaseGate(0.005, 0.0).decide(
 *         new ReleaseGate.Scored("fcn8:4", "rail-20", 0.412), Optional.of(new ReleaseGate.Scored("fcn8:3", "rail-20", 0.401)));
 * if (!d.release()) System.err.println(d.reason());
 * }</pre>
 *
 * @param margin          how much higher the candidate's mIoU must be than the serving model's (strictly more)
 * @param minimumMeanIoU  the lowest mIoU a candidate may have at all
 */
public record ReleaseGate(double margin, double minimumMeanIoU) {

    /** A model and its validation mIoU. */
    public record Scored(String id, String labelSet, double meanIoU) {}

    /** Whether to release, and one sentence that says why. */
    public record Decision(boolean release, String reason) {}

    public ReleaseGate {
        if (!Double.isFinite(margin) || margin <= -1 || margin >= 1) {
            throw new IllegalArgumentException("margin must be a mIoU difference strictly between -1 and 1, got "
                    + margin);
        }
        if (!Double.isFinite(minimumMeanIoU) || minimumMeanIoU < 0 || minimumMeanIoU > 1) {
            throw new IllegalArgumentException("minimum mIoU must be between 0 and 1, got " + minimumMeanIoU);
        }
    }

    /** Decides whether {@code candidate} replaces {@code serving} (empty when nothing is released for the target). */
    public Decision decide(Scored candidate, Optional<Scored> serving) {
        double c = candidate.meanIoU();
        if (!Double.isFinite(c)) {
            return new Decision(false, "candidate " + candidate.id() + " has no validation mIoU (no scored class"
                    + " occurs in the validation frames)");
        }
        if (c < minimumMeanIoU) {
            return new Decision(false, String.format(Locale.ROOT,
                    "candidate %s has validation mIoU %.4f, below the minimum %.4f", candidate.id(), c, minimumMeanIoU));
        }
        if (serving.isEmpty()) {
            return new Decision(true, String.format(Locale.ROOT,
                    "candidate %s (validation mIoU %.4f) has no serving model to beat for its target", candidate.id(),
                    c));
        }
        Scored s = serving.get();
        if (!s.labelSet().equals(candidate.labelSet())) {
            return new Decision(false, "candidate " + candidate.id() + " predicts label set " + candidate.labelSet()
                    + " but the serving " + s.id() + " predicts " + s.labelSet() + ", so their mIoU do not compare;"
                    + " retrain with --label-set " + s.labelSet() + " or release the candidate by hand");
        }
        if (!Double.isFinite(s.meanIoU())) {
            return new Decision(true, String.format(Locale.ROOT,
                    "candidate %s (validation mIoU %.4f) replaces %s, which scores no class on the validation frames",
                    candidate.id(), c, s.id()));
        }
        double gain = Math.abs(c - s.meanIoU()) < 5e-5 ? 0.0 : c - s.meanIoU();
        if (gain > margin && gain <= 0) {
            return new Decision(true, String.format(Locale.ROOT,
                    "candidate %s (validation mIoU %.4f) trails the serving %s (%.4f) by %.4f, within the accepted"
                            + " regression %.4f", candidate.id(), c, s.id(), s.meanIoU(), 0.0 - gain, -margin));
        }
        if (gain > margin) {
            return new Decision(true, String.format(Locale.ROOT,
                    "candidate %s (validation mIoU %.4f) beats the serving %s (%.4f) by %+.4f, more than the margin %.4f",
                    candidate.id(), c, s.id(), s.meanIoU(), gain, margin));
        }
        return new Decision(false, String.format(Locale.ROOT,
                "candidate %s (validation mIoU %.4f) does not beat the serving %s (%.4f) by more than the margin %.4f"
                        + " (difference %+.4f)", candidate.id(), c, s.id(), s.meanIoU(), margin, gain));
    }
}
