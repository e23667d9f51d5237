package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * Fast-SCNN (Poudel et al. 2019): learning-to-downsample (conv + two depthwise-separable convs, stride 8), a global
 * feature extractor of inverted residuals (to stride 32) with pyramid pooling, feature fusion of both branches at
 * stride 8, and a light classifier upsampled ×8.
 *
 * <p>Pyramid pooling uses bins 1, 2 and 4 (the paper's 1, 2, 3, 6 need adaptive pooling, which DL4J lacks, and do not
 * divide a 2048×1024 input's 64×32 feature map), so inputs must be multiples of 32 × 4 = 128.
 */
public final class FastScnn implements SegmentationModel {
    static final int[] BINS = {1, 2, 4};

    @Override
    public String name() {
        return "fastscnn";
    }

    @Override
    public String description() {
        return "Fast-SCNN: learning to downsample, global features + pyramid pooling, feature fusion";
    }

    @Override
    public int outputStride(ModelSpec spec) {
        return 32;
    }

    @Override
    public int sizeDivisor(ModelSpec spec) {
        return 32 * BINS[BINS.length - 1];
    }

    @Override
    public String define(GraphBlocks g, String input, ModelSpec spec) {
        String x = g.convBnAct("lds_conv", input, spec.channels(32), 3, 2, Activation.RELU);
        x = g.dsConv("lds_dsconv1", x, spec.channels(48), 3, 2, 1, Activation.RELU);
        String high = g.dsConv("lds_dsconv2", x, spec.channels(64), 3, 2, 1, Activation.RELU);

        x = g.invertedResidualStage("gfe_b1", high, 6, spec.channels(64), 3, 2, 1);
        x = g.invertedResidualStage("gfe_b2", x, 6, spec.channels(96), 3, 2, 1);
        x = g.invertedResidualStage("gfe_b3", x, 6, spec.channels(128), 3, 1, 1);
        String low = g.pyramidPooling("gfe_ppm", x, BINS, spec.channels(128));

        // The paper's fusion upsamples the low-resolution branch x4, then applies a 3x3 depthwise convolution at
        // dilation 4. Both are linear and a shift of 4 upsampled pixels is a shift of one source pixel, so the
        // depthwise 3x3 on the features before the upsampling, then the upsampling, is the same function away from
        // the border (zero padding differs within one source pixel of it), on 16x fewer pixels and without the
        // dilation that oneDNN's depthwise primitive refuses: on libnd4j's generic kernel that one layer took 28 % of
        // a training step. The layers keep their names and shapes, so earlier weights load.
        String up = g.depthwise("ffm_low_dw", low, 3, 1, 1);
        up = g.upsampleBilinear("ffm_up", up, 4, 4);
        up = g.bn("ffm_low_dw", up, Activation.RELU);
        up = g.convBnAct("ffm_low_pw", up, spec.channels(128), 1, 1, Activation.IDENTITY);
        String hi = g.convBnAct("ffm_high_pw", high, spec.channels(128), 1, 1, Activation.IDENTITY);
        x = g.activation("ffm_relu", g.add("ffm_add", up, hi), Activation.RELU);

        x = g.dsConv("cls_dsconv1", x, spec.channels(128), 3, 1, 1, Activation.RELU);
        x = g.dsConv("cls_dsconv2", x, spec.channels(128), 3, 1, 1, Activation.RELU);
        x = g.dropout("cls_dropout", x, 0.1);
        String logits = g.conv("cls_logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return g.upsampleBilinear("logits_up", logits, 8, 8);
    }
}
