package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * U-Net (Ronneberger et al. 2015) as the seeds' reference implementation: four 2× poolings, two 3×3
 * conv-BN-ReLU per level (64…1024 channels), dropout 0.5 on the two deepest levels, 2×2 up-convolutions and skip
 * concatenations, and a 1×1 classifier at full resolution.
 */
public final class UNet implements SegmentationModel {

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
            int c = spec.channels(64 << level);
            x = g.convBnAct("enc" + level + "_conv1", x, c, 3, 1, Activation.RELU);
            x = g.convBnAct("enc" + level + "_conv2", x, c, 3, 1, Activation.RELU);
            if (level >= 3) {
                x = g.dropout("enc" + level + "_dropout", x, 0.5);
            }
            if (level < 4) {
                skips[level] = x;
                x = g.maxPool("enc" + level + "_pool", x, 2, 2);
            }
        }
        for (int level = 3; level >= 0; level--) {
            int c = spec.channels(64 << level);
            x = g.upConv("dec" + level + "_up", x, c);
            x = g.concat("dec" + level + "_concat", skips[level], x);
            x = g.convBnAct("dec" + level + "_conv1", x, c, 3, 1, Activation.RELU);
            x = g.convBnAct("dec" + level + "_conv2", x, c, 3, 1, Activation.RELU);
        }
        String logits = g.conv("logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return logits;
    }
}
