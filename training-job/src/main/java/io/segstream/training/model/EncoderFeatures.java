package io.segstream.training.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * The feature maps an encoder hands to a decoder, keyed by their stride (4, 8, 16, 32); {@link #deepest()} is the
 * encoder output.
 */
public record EncoderFeatures(Map<Integer, String> byStride, String deepest) {
    public EncoderFeatures {
        byStride = Map.copyOf(new TreeMap<>(byStride));
    }

    /** The vertex holding the features at {@code stride}. */
    public String at(int stride) {
        String name = byStride.get(stride);
        if (name == null) {
            throw new IllegalArgumentException("encoder has no features at stride " + stride + "; it has "
                    + byStride.keySet());
        }
        return name;
    }
}
