package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Polynomial decay over iterations, as Keras' {@code PolynomialDecay} and DeepLab's "poly" policy:
 * {@code lr(t) = (initial - end) (1 - min(t, steps) / steps)^power + end}. DL4J's own {@code PolySchedule} has no end
 * value, which the seeds' {@code --min-lr} needs.
 */
public final class PolynomialDecaySchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("initial")
    private final double initial;
    @JsonProperty("end")
    private final double end;
    @JsonProperty("steps")
    private final long steps;
    @JsonProperty("power")
    private final double power;

    @JsonCreator
    public PolynomialDecaySchedule(@JsonProperty("initial") double initial, @JsonProperty("end") double end,
            @JsonProperty("steps") long steps, @JsonProperty("power") double power) {
        if (steps <= 0 || !(power > 0) || initial < 0 || end < 0) {
            throw new IllegalArgumentException("polynomial decay needs steps > 0, power > 0 and learning rates >= 0;"
                    + " got steps " + steps + ", power " + power + ", lr " + initial + " -> " + end);
        }
        this.initial = initial;
        this.end = end;
        this.steps = steps;
        this.power = power;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double t = Math.min(iteration, steps);
        return (initial - end) * Math.pow(1.0 - t / steps, power) + end;
    }

    @Override
    public ISchedule clone() {
        return new PolynomialDecaySchedule(initial, end, steps, power);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolynomialDecaySchedule s && s.initial == initial && s.end == end && s.steps == steps
                && s.power == power;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(initial, end, steps, power);
    }
}
