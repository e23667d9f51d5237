package io.segstream.training.optim;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** The learning-rate finder's sweep: {@code lr(t) = start (end / start)^(t / (steps - 1))}, geometric from start to end. */
public final class ExponentialSweepSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @JsonProperty("start")
    private final double start;
    @JsonProperty("end")
    private final double end;
    @JsonProperty("steps")
    private final int steps;

    @JsonCreator
    public ExponentialSweepSchedule(@JsonProperty("start") double start, @JsonProperty("end") double end,
            @JsonProperty("steps") int steps) {
        if (!(start > 0) || !(end > start) || steps < 2) {
            throw new IllegalArgumentException("learning-rate sweep needs 0 < start < end and at least 2 steps; got "
                    + start + " -> " + end + " over " + steps);
        }
        this.start = start;
        this.end = end;
        this.steps = steps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return start * Math.pow(end / start, Math.min(iteration, steps - 1) / (double) (steps - 1));
    }

    @Override
    public ISchedule clone() {
        return new ExponentialSweepSchedule(start, end, steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExponentialSweepSchedule s && s.start == start && s.end == end && s.steps == steps;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(start, end, steps);
    }
}
