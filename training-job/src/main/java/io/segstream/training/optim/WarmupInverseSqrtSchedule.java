package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Quadratic warm-up then inverse-square-root decay (the seeds' U-Net schedule): for {@code t < warmup}
 * {@code lr = peak ((t + 1) / warmup)^2}, afterwards {@code lr = max(min, peak / sqrt(1 + decay (t - warmup)))}.
 */
public final class WarmupInverseSqrtSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("peak")
    private final double peak;
    @JsonProperty("min")
    private final double min;
    @JsonProperty("warmup")
    private final int warmup;
    @JsonProperty("decay")
    private final double decay;

    @JsonCreator
    public WarmupInverseSqrtSchedule(@JsonProperty("peak") double peak, @JsonProperty("min") double min,
            @JsonProperty("warmup") int warmup, @JsonProperty("decay") double decay) {
        if (!(peak > 0) || !(min >= 0) || warmup < 0 || !(decay >= 0)) {
            throw new IllegalArgumentException("warm-up schedule needs peak > 0, min >= 0, warm-up steps >= 0 and"
                    + " decay >= 0; got " + peak + ", " + min + ", " + warmup + ", " + decay);
        }
        this.peak = peak;
        this.min = min;
        this.warmup = warmup;
        this.decay = decay;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmup) {
            double f = (iteration + 1.0) / warmup;
            return peak * f * f;
        }
        return Math.max(min, peak / Math.sqrt(1.0 + decay * (iteration - warmup)));
    }

    @Override
    public ISchedule clone() {
        return new WarmupInverseSqrtSchedule(peak, min, warmup, decay);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupInverseSqrtSchedule s && s.peak == peak && s.min == min && s.warmup == warmup
                && s.decay == decay;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(peak, min, warmup, decay);
    }
}
