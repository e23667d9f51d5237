package io.segstream.training.loss;

import java.util.List;
import java.util.Locale;

/**
 * Chooses a loss by name with its options, as {@code segstream train --loss} takes them.
 *
 * <pre>{@code
 * PixelLoss loss = LossSpec.create("ohem", weights, 0.25, 2000, 2.0);
 * }</pre>
 */
public final class LossSpec {
    /** Loss names {@code --loss} accepts. */
    public static final List<String> NAMES = List.of("ce", "ce_dice", "ohem", "focal");

    private LossSpec() {
    }

    /**
     * @param name         ce, ce_dice, ohem or focal
     * @param classWeights weight per class or null
     * @param topK         ohem: fraction of hardest pixels kept
     * @param miningSteps  ohem: steps over which the fraction narrows from 1 to topK
     * @param gamma        focal: focusing parameter
     */
    public static PixelLoss create(String name, double[] classWeights, double topK, long miningSteps, double gamma) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ce" -> new WeightedCrossEntropy(classWeights);
            case "ce_dice" -> new CrossEntropyDice(1.0, 1.0, classWeights);
            case "ohem" -> new HardPixelCrossEntropy(topK, miningSteps, classWeights);
            case "focal" -> new FocalLoss(gamma, classWeights);
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; use one of "
                    + String.join(", ", NAMES));
        };
    }
}
