package io.segstream.training.optim;

import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nadam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The seeds' optimiser names mapped to DL4J updaters.
 *
 * <p>{@code ftrl} is refused: DL4J has no FTRL, and FTRL-Proximal cannot be added as a DL4J updater because its step
 * needs the current weights, which DL4J's {@code GradientUpdater} never sees. {@code adadelta} has no learning rate in
 * DL4J (the rate is adapted entirely), so {@code -l}, schedules and the LR finder do not apply to it.
 *
 * <pre>{@code
 * IUpdater u = Optimizers.create("sgd_nesterov", 0.01, new PolynomialDecaySchedule(0.01, 0, 10_000, 0.9), 0.9);
 * }</pre>
 */
public final class Optimizers {
    /** Optimiser names {@code -f/--lrfinder} and {@code --optimizer} accept (ftrl only to explain its absence). */
    public static final List<String> NAMES = List.of("adadelta", "adagrad", "adam", "adamax", "ftrl", "nadam",
            "rmsprop", "sgd", "sgd_nesterov");

    private Optimizers() {
    }

    /**
     * @param name         optimiser name
     * @param learningRate constant learning rate (used when {@code schedule} is null)
     * @param schedule     learning-rate schedule or null
     * @param momentum     momentum for sgd (0 = plain SGD) and sgd_nesterov; ignored by the others
     */
    public static IUpdater create(String name, double learningRate, ISchedule schedule, double momentum) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "adam" -> schedule == null ? new Adam(learningRate) : new Adam(schedule);
            case "adamax" -> schedule == null ? new AdaMax(learningRate) : new AdaMax(schedule);
            case "nadam" -> schedule == null ? new Nadam(learningRate) : new Nadam(schedule);
            case "adagrad" -> schedule == null ? new AdaGrad(learningRate) : new AdaGrad(schedule);
            case "rmsprop" -> schedule == null ? new RmsProp(learningRate) : new RmsProp(schedule);
            case "sgd" -> momentum > 0 ? new MomentumSgd(learningRate, schedule, momentum)
                    : schedule == null ? new Sgd(learningRate) : new Sgd(schedule);
            case "sgd_nesterov" -> schedule == null ? new Nesterovs(learningRate, momentum)
                    : new Nesterovs(schedule, momentum);
            case "adadelta" -> {
                if (schedule != null) {
                    throw new IllegalArgumentException("adadelta has no learning rate in DL4J, so a learning-rate"
                            + " schedule cannot apply; drop --schedule or choose another optimizer");
                }
                yield new AdaDelta();
            }
            case "ftrl" -> throw new IllegalArgumentException("ftrl is not available: DL4J has no FTRL updater, and"
                    + " FTRL's step needs the current weights, which DL4J's updater interface does not see; use adam,"
                    + " adagrad or sgd");
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; use one of "
                    + String.join(", ", NAMES));
        };
    }

    /** The learning-rate schedule an updater carries, or null (constant rate or none). */
    public static ISchedule scheduleOf(IUpdater u) {
        if (u instanceof Adam a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof AdaMax a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof Nadam a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof AdaGrad a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof RmsProp a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof Sgd a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof Nesterovs a) {
            return a.getLearningRateSchedule();
        } else if (u instanceof MomentumSgd a) {
            return a.getLearningRateSchedule();
        }
        return null;
    }
}
