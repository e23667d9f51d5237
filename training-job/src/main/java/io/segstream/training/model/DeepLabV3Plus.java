package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * DeepLabV3+ (Chen et al. 2018) at output stride 16: a MobileNetV2 (default) or aligned Xception backbone, ASPP
 * with rates 6, 12, 18 and image pooling, and a decoder that upsamples ×4, joins 48-channel stride-4 features and
 * refines with two depthwise-separable 3×3 convolutions before the final ×4 upsampling.
 */
public final class DeepLabV3Plus implements SegmentationModel {
    static final int[] RATES = {6, 12, 18};

    @Override
    public String name() {
        return "deeplabv3+";
    }

    @Override
    public String description() {
        return "DeepLabV3+: backbone (--backbone mobilenetv2|xception), ASPP, separable decoder";
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
        EncoderFeatures f = Encoders.define(spec.backbone(), g, input, spec, 16);
        String x = g.aspp("aspp", f.deepest(), RATES, spec.channels(256));
        x = g.dropout("aspp_dropout", x, 0.1);
        x = g.upsampleBilinear("decoder_up", x, 4, 4);
        String lowLevel = g.convBnAct("decoder_low", f.at(4), spec.channels(48), 1, 1, Activation.RELU);
        x = g.concat("decoder_concat", x, lowLevel);
        x = g.dsConv("decoder_sep1", x, spec.channels(256), 3, 1, 1, Activation.RELU);
        x = g.dsConv("decoder_sep2", x, spec.channels(256), 3, 1, 1, Activation.RELU);
        String logits = g.conv("logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return g.upsampleBilinear("logits_up", logits, 4, 4);
    }
}
