package io.segstream.training.run;

import io.segstream.training.optim.CyclicSchedule;
import io.segstream.training.optim.PolynomialDecaySchedule;
import io.segstream.training.optim.SlowStartSchedule;
import io.segstream.training.optim.WarmupInverseSqrtSchedule;
import org.nd4j.linalg.schedule.ISchedule;

/** Builds the learning-rate schedule a {@link TrainConfig} names, over the run's total optimiser steps. */
public final class Schedules {
    private Schedules() {
    }

    /** The schedule, or null for a constant learning rate. */
    public static ISchedule of(TrainConfig c, long totalSteps) {
        long steps = Math.max(1, totalSteps);
        return switch (c.schedule()) {
            case "none" -> null;
            case "polynomial" -> new PolynomialDecaySchedule(c.learningRate(), c.minLr(), steps, c.power());
            case "cyclic" -> new CyclicSchedule(c.minLr(), c.maxLr(), c.cycle());
            case "warmup" -> new WarmupInverseSqrtSchedule(c.learningRate(), c.minLr(), c.warmupSteps(), c.decay());
            case "slowstart" -> new SlowStartSchedule(c.slowStartLr(), c.slowStartSteps(),
                    new PolynomialDecaySchedule(c.learningRate(), c.minLr(), steps, c.power()));
            default -> throw new IllegalArgumentException("unknown schedule '" + c.schedule() + "'");
        };
    }
}
