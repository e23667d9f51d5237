package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * Bayesian SegNet (Kendall et al. 2015), the "central" variant: a VGG-16 encoder with batch normalisation, a
 * mirrored decoder that upsamples with the encoder's max-pooling indices ({@link GraphBlocks#maxUnpool}), and
 * Monte-Carlo dropout (rate 0.5) after the three deepest encoder and decoder stages. At prediction time the dropout
 * stays on and repeated passes give the mean class probabilities and a per-pixel uncertainty.
 */
public final class BayesianSegNet implements SegmentationModel {
    static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
    static final double DROP_RATE = 0.5;

    @Override
    public String name() {
        return "bayes_segnet";
    }

    @Override
    public String description() {
        return "Bayesian SegNet: VGG-16 encoder, index unpooling decoder, Monte-Carlo dropout";
    }

    @Override
    public int outputStride(ModelSpec spec) {
        return 32;
    }

    @Override
    public int sizeDivisor(ModelSpec spec) {
        return 32;
    }

    @Override
    public String define(GraphBlocks g, String input, ModelSpec spec) {
        String[] pooledInputs = new String[BLOCKS.length];
        String x = input;
        for (int b = 0; b < BLOCKS.length; b++) {
            for (int c = 0; c < BLOCKS[b].length; c++) {
                x = g.convBnAct("enc" + (b + 1) + "_conv" + (c + 1), x, spec.channels(BLOCKS[b][c]), 3, 1,
                        Activation.RELU);
            }
            pooledInputs[b] = x;
            x = g.maxPool("enc" + (b + 1) + "_pool", x, 2, 2);
            if (b >= 2) {
                x = g.mcDropout("enc" + (b + 1) + "_mc_dropout", x, DROP_RATE);
            }
        }
        for (int b = BLOCKS.length - 1; b >= 0; b--) {
            x = g.maxUnpool("dec" + (b + 1) + "_unpool", x, pooledInputs[b]);
            int convs = BLOCKS[b].length;
            for (int c = 0; c < convs; c++) {
                boolean last = c == convs - 1;
                int out = last && b > 0 ? BLOCKS[b - 1][0] : BLOCKS[b][c];
                x = g.convBnAct("dec" + (b + 1) + "_conv" + (c + 1), x, spec.channels(out), 3, 1, Activation.RELU);
            }
            if (b >= 2) {
                x = g.mcDropout("dec" + (b + 1) + "_mc_dropout", x, DROP_RATE);
            }
        }
        String logits = g.conv("logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return logits;
    }
}
