package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * U-Net (Ronneberger et al. 2015) as the seeds' reference implementation: four 2× poolings, two 3×3
 * conv-BN-ReLU per level (64…1024 channels), dropout 0.5 on the two deepest levels, 2×2 up-convolutions and skip
 * concatenations, and a 1×1 classifier at full resolution.
 */
public final class UNet implements SegmentationModel {
    /** Two 3×3 conv-BN-ReLU a level from 64 channels, up-convolutions, dropout 0.5 on the two deepest levels. */
    private static final UNetSkeleton SKELETON = new UNetSkeleton(64, "conv",
            (g, name, in, channels) -> g.convBnAct(name, in, channels, 3, 1, Activation.RELU),
            (g, name, in, channels) -> g.upConv(name, in, channels), 0.5);

    @Override
    public String name() {
        return "unet";
    }

    @Override
    public String description() {
        return "U-Net: 4-level encoder-decoder, up-convolutions and skip concatenations";
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
