package io.segstream.training.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The segmentation models by name.
 *
 * <pre>{@code
 * SegmentationModel m = ModelRegistry.get("fastscnn");
 * }</pre>
 */
public final class ModelRegistry {
    private static final Map<String, SegmentationModel> MODELS = new LinkedHashMap<>();

    static {
        for (SegmentationModel m : List.of(new FastScnn(), new UNet(), new SeparableUNet(), new DeepLabV3Plus(),
                new BayesianSegNet(), new Fcn(), new IcNet())) {
            MODELS.put(m.name(), m);
        }
    }

    private ModelRegistry() {
    }

    /** Registered model names in table order. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    /** The model called {@code name} (case-insensitive). */
    public static SegmentationModel get(String name) {
        SegmentationModel m = name == null ? null : MODELS.get(name.toLowerCase(Locale.ROOT));
        if (m == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models are "
                    + String.join(", ", MODELS.keySet()));
        }
        return m;
    }
}
