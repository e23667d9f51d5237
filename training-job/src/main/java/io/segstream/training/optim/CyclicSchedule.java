package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Triangular cyclic learning rate (Smith 2017, the seeds' {@code --schedule cyclic}): the rate climbs linearly from
 * {@code min} to {@code max} over half a cycle and falls back over the other half; {@code cycle} is the full
 * period in iterations.
 */
public final class CyclicSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("min")
    private final double min;
    @JsonProperty("max")
    private final double max;
    @JsonProperty("cycle")
    private final int cycle;

    @JsonCreator
    public CyclicSchedule(@JsonProperty("min") double min, @JsonProperty("max") double max,
            @JsonProperty("cycle") int cycle) {
        if (cycle < 2 || !(min >= 0) || !(max >= min)) {
            throw new IllegalArgumentException("cyclic schedule needs cycle >= 2 iterations and 0 <= min-lr <= max-lr;"
                    + " got cycle " + cycle + ", min " + min + ", max " + max);
        }
        this.min = min;
        this.max = max;
        this.cycle = cycle;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double half = cycle / 2.0;
        double position = iteration % cycle;
        double x = position < half ? position / half : (cycle - position) / half;
        return min + (max - min) * x;
    }

    @Override
    public ISchedule clone() {
        return new CyclicSchedule(min, max, cycle);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CyclicSchedule s && s.min == min && s.max == max && s.cycle == cycle;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(min, max, cycle);
    }
}
