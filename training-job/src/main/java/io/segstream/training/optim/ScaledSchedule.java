package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** Another schedule times a constant factor (the learning-rate multiplier of newly initialised head layers). */
public final class ScaledSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("base")
    private final ISchedule base;
    @JsonProperty("factor")
    private final double factor;

    @JsonCreator
    public ScaledSchedule(@JsonProperty("base") ISchedule base, @JsonProperty("factor") double factor) {
        this.base = base;
        this.factor = factor;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return base.valueAt(iteration, epoch) * factor;
    }

    @Override
    public ISchedule clone() {
        return new ScaledSchedule(base.clone(), factor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSchedule s && s.base.equals(base) && s.factor == factor;
    }

    @Override
    public int hashCode() {
        return base.hashCode() * 31 + Double.hashCode(factor);
    }
}
