package io.segstream.training.model;

/**
 * Shape of one feature map of a graph being built: channels × height × width (the batch dimension is implicit).
 *
 * @param channels channels
 * @param height   rows
 * @param width    columns
 */
public record FeatureShape(int channels, int height, int width) {
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
