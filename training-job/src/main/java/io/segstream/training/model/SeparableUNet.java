package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * The seeds' lightweight Separable U-Net: the U-Net topology with depthwise-separable 3×3 convolutions, 16…256
 * channels and bilinear upsampling instead of up-convolutions (about 0.3 M parameters).
 */
public final class SeparableUNet implements SegmentationModel {

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
        return 16;
    }

    @Override
    public int sizeDivisor(ModelSpec spec) {
        return 16;
    }

    @Override
    public String define(GraphBlocks g, String input, ModelSpec spec) {
        String[] skips = new String[4];
        String x = input;
        for (int level = 0; level < 5; level++) {
            int c = spec.channels(16 << level);
            x = g.separableBnAct("enc" + level + "_sep1", x, c, 3, 1, Activation.RELU);
            x = g.separableBnAct("enc" + level + "_sep2", x, c, 3, 1, Activation.RELU);
            if (level < 4) {
                skips[level] = x;
                x = g.maxPool("enc" + level + "_pool", x, 2, 2);
            }
        }
        for (int level = 3; level >= 0; level--) {
            int c = spec.channels(16 << level);
            x = g.upsampleBilinear("dec" + level + "_up", x, 2, 2);
            x = g.concat("dec" + level + "_concat", skips[level], x);
            x = g.separableBnAct("dec" + level + "_sep1", x, c, 3, 1, Activation.RELU);
            x = g.separableBnAct("dec" + level + "_sep2", x, c, 3, 1, Activation.RELU);
        }
        String logits = g.conv("logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return logits;
    }
}
