package io.segstream.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

/** Learning-rate schedules and the momentum updater at chosen steps, against values worked out by hand. */
class SchedulesTest {

    @Test
    void polynomialDecaysToTheEndRate() {
        ISchedule s = new PolynomialDecaySchedule(0.01, 0.001, 100, 0.9);
        assertEquals(0.01, s.valueAt(0, 0), 1e-12);
        // 0.009 * 0.5^0.9 + 0.001
        assertEquals(0.0058230, s.valueAt(50, 0), 1e-7);
        assertEquals(0.001, s.valueAt(100, 1), 1e-12);
        assertEquals(0.001, s.valueAt(150, 2), 1e-12);
    }

    @Test
    void cyclicClimbsAndFallsLinearly() {
        ISchedule s = new CyclicSchedule(0.001, 0.006, 10);
        assertEquals(0.001, s.valueAt(0, 0), 1e-12);
        assertEquals(0.003, s.valueAt(2, 0), 1e-12);
        assertEquals(0.006, s.valueAt(5, 0), 1e-12);
        assertEquals(0.004, s.valueAt(7, 0), 1e-12);
        assertEquals(0.001, s.valueAt(10, 0), 1e-12);
        assertEquals(0.003, s.valueAt(12, 0), 1e-12);
    }

    @Test
    void warmupThenInverseSquareRoot() {
        ISchedule s = new WarmupInverseSqrtSchedule(0.01, 0.001, 4, 1);
        assertEquals(0.000625, s.valueAt(0, 0), 1e-12);
        assertEquals(0.01, s.valueAt(3, 0), 1e-12);
        assertEquals(0.01, s.valueAt(4, 0), 1e-12);
        assertEquals(0.005, s.valueAt(7, 0), 1e-12);
        assertEquals(0.001, s.valueAt(103, 0), 1e-12);
        assertEquals(0.001, s.valueAt(1000, 0), 1e-12);
    }

    @Test
    void slowStartThenPolynomial() {
        ISchedule s = new SlowStartSchedule(1e-4, 5, new PolynomialDecaySchedule(0.01, 0, 100, 1));
        assertEquals(1e-4, s.valueAt(4, 0), 1e-12);
        assertEquals(0.0095, s.valueAt(5, 0), 1e-12);
    }

    @Test
    void scaledScheduleMultiplies() {
        assertEquals(0.06, new ScaledSchedule(new CyclicSchedule(0.001, 0.006, 10), 10).valueAt(5, 0), 1e-12);
    }

    @Test
    void exponentialSweepIsGeometric() {
        ISchedule s = new ExponentialSweepSchedule(1e-6, 1, 7);
        assertEquals(1e-6, s.valueAt(0, 0), 1e-15);
        assertEquals(1e-3, s.valueAt(3, 0), 1e-12);
        assertEquals(1, s.valueAt(6, 0), 1e-9);
    }

    @Test
    void momentumSgdKeepsAVelocity() {
        MomentumSgd config = new MomentumSgd(0.1, null, 0.9);
        GradientUpdater<?> u = config.instantiate(Nd4j.zeros(1, 2), true);
        var g = Nd4j.ones(1, 2);
        u.applyUpdater(g, 0, 0);
        assertEquals(0.1, g.getDouble(0, 0), 1e-7);
        g = Nd4j.ones(1, 2);
        u.applyUpdater(g, 1, 0);
        assertEquals(0.19, g.getDouble(0, 1), 1e-7);
    }

    @Test
    void optimizerNamesMapToDl4jUpdaters() {
        assertTrue(Optimizers.create("sgd", 0.1, null, 0) instanceof Sgd);
        assertTrue(Optimizers.create("sgd", 0.1, null, 0.9) instanceof MomentumSgd);
        IUpdater n = Optimizers.create("sgd_nesterov", 0.1, null, 0.8);
        assertEquals(0.8, ((Nesterovs) n).getMomentum(), 0);
        for (String name : new String[] {"adadelta", "adagrad", "adam", "adamax", "nadam", "rmsprop"}) {
            assertTrue(Optimizers.create(name, 0.01, null, 0.9) != null, name);
        }
        ISchedule poly = new PolynomialDecaySchedule(0.01, 0, 10, 1);
        assertEquals(poly, Optimizers.scheduleOf(Optimizers.create("adam", 0.01, poly, 0)));
        IllegalArgumentException ftrl = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("ftrl", 0.01, null, 0));
        assertTrue(ftrl.getMessage().contains("DL4J has no FTRL"));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.create("adadelta", 0.01, poly, 0));
    }
}
