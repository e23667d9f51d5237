package io.segstream.training.model;

import org.nd4j.linalg.activations.Activation;

/**
 * ICNet (Zhao et al. 2018): an image cascade over three resolutions of the same frame.
 *
 * <ul>
 *   <li><b>sub1</b>, the full frame: three strided 3×3 conv-BN-ReLU (32, 32, 64 channels) to stride 8, cheap and
 *       detailed.</li>
 *   <li><b>sub2</b>, the frame at 1/2: a MobileNetV2 trunk to stride 16 (of the frame).</li>
 *   <li><b>sub4</b>, sub2's features pooled to stride 32: the rest of the trunk (the low branches share it, as the
 *       paper's share PSPNet's) and pyramid pooling for the global context.</li>
 *   <li><b>Cascade feature fusion</b> (CFF) joins sub4 into sub2 at stride 16 and the result into sub1 at stride 8:
 *       the coarse map upsampled ×2 through a 3×3 convolution with dilation 2, the fine map through a 1×1
 *       projection, both batch-normalised, summed, ReLU.</li>
 *   <li><b>Cascade label guidance</b>: a classifier on each CFF's upsampled coarse input gives auxiliary logits at
 *       strides 16 and 8, trained with the loss at weights {@value #AUX16_WEIGHT} and {@value #AUX8_WEIGHT}; the
 *       main classifier at stride 4 has weight 1 (the seed's 0.4, 0.4, 1.0). Their logits are upsampled to the input
 *       size, as mmsegmentation resizes logits to the labels, and are training-only.</li>
 * </ul>
 *
 * <p>Pyramid pooling uses bins 1, 2 and 4 as in {@link FastScnn}, so inputs must be multiples of 32 × 4 = 128.
 */
public final class IcNet implements SegmentationModel {
    static final int[] BINS = {1, 2, 4};
    static final double AUX16_WEIGHT = 0.4;
    static final double AUX8_WEIGHT = 0.4;

    @Override
    public String name() {
        return "icnet";
    }

    @Override
    public String description() {
        return "ICNet: image cascade (1, 1/2, 1/4), cascade feature fusion, label guidance at 1/16, 1/8, 1/4";
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
        // sub1: the full frame, three strided convolutions to stride 8
        String sub1 = g.convBnAct("sub1_conv1", input, spec.channels(32), 3, 2, Activation.RELU);
        sub1 = g.convBnAct("sub1_conv2", sub1, spec.channels(32), 3, 2, Activation.RELU);
        sub1 = g.convBnAct("sub1_conv3", sub1, spec.channels(64), 3, 2, Activation.RELU);

        // sub2: the frame at 1/2 through the trunk to stride 16
        String half = g.averagePool("sub2_downsample", input, 2);
        String x = g.convBnAct("sub2_stem", half, spec.channels(32), 3, 2, Activation.RELU);
        x = g.invertedResidualStage("sub2_b1", x, 1, spec.channels(16), 1, 1, 1);
        x = g.invertedResidualStage("sub2_b2", x, 6, spec.channels(24), 2, 2, 1);
        String sub2 = g.invertedResidualStage("sub2_b3", x, 6, spec.channels(32), 3, 2, 1);

        // sub4: the same features pooled to stride 32, the rest of the trunk and pyramid pooling
        x = g.averagePool("sub4_downsample", sub2, 2);
        x = g.invertedResidualStage("sub4_b4", x, 6, spec.channels(64), 3, 1, 1);
        x = g.invertedResidualStage("sub4_b5", x, 6, spec.channels(96), 2, 1, 1);
        String sub4 = g.pyramidPooling("sub4_ppm", x, BINS, spec.channels(128));

        String fused16 = cascadeFusion(g, "cff_sub24", sub4, sub2, spec, 16, AUX16_WEIGHT);
        String fused8 = cascadeFusion(g, "cff_sub12", fused16, sub1, spec, 8, AUX8_WEIGHT);

        x = g.upsampleBilinear("head_up", fused8, 2, 2);
        x = g.dropout("head_dropout", x, 0.1);
        String logits = g.conv("head_logits", x, spec.numClasses(), 1);
        g.markHead(logits);
        return g.upsampleBilinear("logits_up", logits, 4, 4);
    }

    /**
     * CFF unit: {@code coarse} upsampled ×2, 3×3 dilation-2 conv-BN; {@code fine} 1×1 conv-BN; sum, ReLU. The
     * upsampled coarse map also feeds the auxiliary classifier of this stride (label guidance).
     */
    private static String cascadeFusion(GraphBlocks g, String name, String coarse, String fine, ModelSpec spec,
            int stride, double auxWeight) {
        String up = g.upsampleBilinear(name + "_up", coarse, 2, 2);
        String aux = g.conv(name + "_aux_logits", up, spec.numClasses(), 1);
        g.markHead(aux);
        g.markAuxiliary(g.upsampleBilinear(name + "_aux_up", aux, stride, stride), auxWeight);
        String c = g.convBnAct(name + "_coarse", up, spec.channels(128), 3, 1, 2, Activation.IDENTITY);
        String f = g.convBnAct(name + "_fine", fine, spec.channels(128), 1, 1, Activation.IDENTITY);
        return g.activation(name + "_relu", g.add(name + "_add", c, f), Activation.RELU);
    }
}
