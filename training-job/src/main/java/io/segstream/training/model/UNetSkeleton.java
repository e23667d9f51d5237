package io.segstream.training.model;

/**
 * The U-shaped encoder-decoder that {@link UNet} and {@link SeparableUNet} share: five encoder levels of two
 * convolution layers (the first four followed by 2× max pooling, their outputs kept as skips), then four decoder
 * levels that upsample 2×, concatenate the skip and apply two convolution layers, and a 1×1 classifier. The models
 * differ only in the convolution layer, the upsampling, the channel count of level 0 and the dropout on the two
 * deepest encoder levels.
 *
 * <p>Vertex names are {@code enc{l}_{conv}{1,2}}, {@code enc{l}_dropout}, {@code enc{l}_pool}, {@code dec{l}_up},
 * {@code dec{l}_concat}, {@code dec{l}_{conv}{1,2}} and {@code logits}, added in that order: checkpoints store
 * parameters by these names and in this order, so they must not change.
 *
 * <pre>{@code
 * UNetSkeleton unet = new UNetSkeleton(64, "conv",
 *         (g, name, in, channels) -> g.convBnAct(name, in, channels, 3, 1, Activation.RELU),
 *         (g, name, in, channels) -> g.upConv(name, in, channels), 0.5);
 * String logits = unet.define(g, ModelBuilder.INPUT, spec);
 * }</pre>
 *
 * @param baseChannels channels of level 0 in the published model; level l has {@code baseChannels << l}
 * @param convName     the name part of a convolution layer, e.g. {@code conv} for {@code enc0_conv1}
 * @param conv         adds one convolution layer of a level (two a level)
 * @param up           adds the 2× upsampling at the start of a decoder level
 * @param deepDropout  dropout rate after the encoder's two deepest levels (0 = none, nothing is added)
 */
record UNetSkeleton(int baseChannels, String convName, Block conv, Block up, double deepDropout) {
    /** Encoder levels; the deepest is not pooled. */
    static final int LEVELS = 5;
    /** Ratio of the input size to the deepest level's feature map: one 2× pooling a level but the last. */
    static final int OUTPUT_STRIDE = 1 << (LEVELS - 1);
    /** The first encoder level that gets {@link #deepDropout}. */
    private static final int FIRST_DROPOUT_LEVEL = LEVELS - 2;

    /** Adds one layer (or block of layers) named {@code name} after {@code in} with {@code channels} outputs. */
    @FunctionalInterface
    interface Block {
        String add(GraphBlocks g, String name, String in, int channels);
    }

    /** Adds the whole network after {@code input} and returns the logits vertex, marked as the head. */
    String define(GraphBlocks g, String input, ModelSpec spec) {
        String[] skips = new String[LEVELS - 1];
        String x = input;
        for (int level = 0; level < LEVELS; level++) {
            x = convolutions(g, "enc" + level, x, spec.channels(baseChannels << level));
            if (level >= FIRST_DROPOUT_LEVEL) {
                x = g.dropout("enc" + level + "_dropout", x, deepDropout);
            }
            if (level < LEVELS - 1) {
                skips[level] = x;
                x = g.maxPool("enc" + level + "_pool", x, 2, 2);
            }
        }
        for (int level = LEVELS - 2; level >= 0; level--) {
            int channels = spec.channels(baseChannels << level);
            x = up.add(g, "dec" + level + "_up", x, channels);
            x = g.concat("dec" + level + "_concat", skips[level], x);
            x = convolutions(g, "dec" + level, x, channels);
        }
        String logits = g.conv("logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return logits;
    }

    private String convolutions(GraphBlocks g, String level, String in, int channels) {
        String x = conv.add(g, level + "_" + convName + "1", in, channels);
        return conv.add(g, level + "_" + convName + "2", x, channels);
    }
}
