package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * The seeds' lightweight Separable U-Net: the U-Net topology with depthwise-separable 3×3 convolutions, 16…256
 * channels and bilinear upsampling instead of up-convolutions (about 0.24 M parameters).
 */
public final class SeparableUNet implements SegmentationModel {
    /** Two separable 3×3 conv-BN-ReLU a level from 16 channels, bilinear 2× upsampling, no dropout. */
    private static final UNetSkeleton SKELETON = new UNetSkeleton(16, "sep",
            (g, name, in, channels) -> g.separableBnAct(name, in, channels, 3, 1, Activation.RELU),
            (g, name, in, channels) -> g.upsampleBilinear(name, in, 2, 2), 0);

    @Override
    public String name() {
        return "separable_unet";
    }

    @Override
    public String description() {
        return "Separable U-Net: U-Net with depthwise-separable convolutions, 16-256 channels";
    }

    @Override
    public int outputStride(ModelSpec spec) {
        return UNetSkeleton.OUTPUT_STRIDE;
    }

    @Override
    public int sizeDivisor(ModelSpec spec) {
        return UNetSkeleton.OUTPUT_STRIDE;
    }

    @Override
    public String define(GraphBlocks g, String input, ModelSpec spec) {
        return SKELETON.define(g, input, spec);
    }
}
