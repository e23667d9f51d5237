package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DeepLab's slow start: a small constant rate for the first {@code steps} iterations, then another schedule
 * (evaluated at the global iteration, as DeepLab does), typically polynomial decay.
 */
public final class SlowStartSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("slowRate")
    private final double slowRate;
    @JsonProperty("steps")
    private final int steps;
    @JsonProperty("then")
    private final ISchedule then;

    @JsonCreator
    public SlowStartSchedule(@JsonProperty("slowRate") double slowRate, @JsonProperty("steps") int steps,
            @JsonProperty("then") ISchedule then) {
        if (!(slowRate >= 0) || steps < 0) {
            throw new IllegalArgumentException("slow start needs a rate >= 0 and steps >= 0, got " + slowRate
                    + " for " + steps + " steps");
        }
        this.slowRate = slowRate;
        this.steps = steps;
        this.then = then;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return iteration < steps ? slowRate : then.valueAt(iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new SlowStartSchedule(slowRate, steps, then.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlowStartSchedule s && s.slowRate == slowRate && s.steps == steps && s.then.equals(then);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(slowRate, steps, then);
    }
}
