package io.segstream.training.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.activations.Activation;

/**
 * The encoders (feature extractors) the decoders share: MobileNetV2, Xception (DeepLabV3+'s aligned variant),
 * ResNet-18 and VGG-16, each returning its features by stride.
 */
public final class Encoders {
    /** Backbones DeepLabV3+ accepts. */
    public static final List<String> DEEPLAB_BACKBONES = List.of("mobilenetv2", "xception");
    /** Encoders FCN accepts. */
    public static final List<String> FCN_ENCODERS = List.of("mobilenetv2", "resnet18", "vgg16");

    private Encoders() {
    }

    /** The named encoder with output stride 16 (DeepLabV3+) or 32 (FCN). */
    public static EncoderFeatures define(String encoder, GraphBlocks g, String input, ModelSpec spec, int outputStride) {
        return switch (encoder) {
            case "mobilenetv2" -> mobileNetV2(g, input, spec, outputStride);
            case "xception" -> xception(g, input, spec, outputStride);
            case "resnet18" -> resNet18(g, input, spec, outputStride);
            case "vgg16" -> vgg16(g, input, spec, outputStride);
            default -> throw new IllegalArgumentException("unknown encoder '" + encoder + "'");
        };
    }

    /**
     * MobileNetV2 (Sandler et al. 2018). With output stride 16 the last two stages keep stride 1 and use dilation 2
     * and the final 1×1 conv to 1280 channels is left out, as DeepLabV3+ does; with 32 it is the classifier's
     * feature extractor.
     */
    static EncoderFeatures mobileNetV2(GraphBlocks g, String input, ModelSpec spec, int outputStride) {
        requireStride("mobilenetv2", outputStride, 16, 32);
        Map<Integer, String> f = new HashMap<>();
        String x = g.convBnAct("mnv2_stem", input, spec.channels(32), 3, 2, Activation.RELU6);
        x = g.invertedResidualStage("mnv2_s1", x, 1, spec.channels(16), 1, 1, 1);
        x = g.invertedResidualStage("mnv2_s2", x, 6, spec.channels(24), 2, 2, 1);
        f.put(4, x);
        x = g.invertedResidualStage("mnv2_s3", x, 6, spec.channels(32), 3, 2, 1);
        f.put(8, x);
        x = g.invertedResidualStage("mnv2_s4", x, 6, spec.channels(64), 4, 2, 1);
        x = g.invertedResidualStage("mnv2_s5", x, 6, spec.channels(96), 3, 1, 1);
        f.put(16, x);
        boolean dilated = outputStride == 16;
        x = g.invertedResidualStage("mnv2_s6", x, 6, spec.channels(160), 3, dilated ? 1 : 2, dilated ? 2 : 1);
        x = g.invertedResidualStage("mnv2_s7", x, 6, spec.channels(320), 1, 1, dilated ? 2 : 1);
        if (dilated) {
            f.put(16, x);
        } else {
            x = g.convBnAct("mnv2_head", x, spec.channels(1280), 1, 1, Activation.RELU6);
            f.put(32, x);
        }
        return new EncoderFeatures(f, x);
    }

    /**
     * Aligned Xception-65 as DeepLabV3+ uses it (Chen et al. 2018): entry flow of three residual blocks of
     * depthwise-separable convolutions with stride in the last convolution, 16 middle-flow blocks, and an exit flow
     * whose stride is replaced by dilation 2 for output stride 16.
     */
    static EncoderFeatures xception(GraphBlocks g, String input, ModelSpec spec, int outputStride) {
        requireStride("xception", outputStride, 16, 16);
        Map<Integer, String> f = new HashMap<>();
        String x = g.convBnAct("xc_entry_conv1", input, spec.channels(32), 3, 2, Activation.RELU);
        x = g.convBnAct("xc_entry_conv2", x, spec.channels(64), 3, 1, Activation.RELU);
        x = xceptionBlock(g, "xc_entry_block1", x, spec.channels(128), spec.channels(128), 2, 1);
        f.put(4, x);
        x = xceptionBlock(g, "xc_entry_block2", x, spec.channels(256), spec.channels(256), 2, 1);
        f.put(8, x);
        x = xceptionBlock(g, "xc_entry_block3", x, spec.channels(728), spec.channels(728), 2, 1);
        for (int i = 0; i < 16; i++) {
            String name = "xc_middle" + i;
            String y = x;
            for (int j = 0; j < 3; j++) {
                y = g.dsConv(name + "_sep" + j, y, spec.channels(728), 3, 1, 1,
                        j == 2 ? Activation.IDENTITY : Activation.RELU);
            }
            x = g.activation(name + "_relu", g.add(name + "_add", x, y), Activation.RELU);
        }
        x = xceptionBlock(g, "xc_exit_block1", x, spec.channels(728), spec.channels(1024), 1, 1);
        x = g.dsConv("xc_exit_sep1", x, spec.channels(1536), 3, 1, 2, Activation.RELU);
        x = g.dsConv("xc_exit_sep2", x, spec.channels(1536), 3, 1, 2, Activation.RELU);
        x = g.dsConv("xc_exit_sep3", x, spec.channels(2048), 3, 1, 2, Activation.RELU);
        f.put(16, x);
        return new EncoderFeatures(f, x);
    }

    private static String xceptionBlock(GraphBlocks g, String name, String in, int mid, int out, int stride,
            int dilation) {
        String y = g.dsConv(name + "_sep1", in, mid, 3, 1, dilation, Activation.RELU);
        y = g.dsConv(name + "_sep2", y, out, 3, 1, dilation, Activation.RELU);
        y = g.dsConv(name + "_sep3", y, out, 3, stride, dilation, Activation.IDENTITY);
        String shortcut = g.convBnAct(name + "_shortcut", in, out, 1, stride, Activation.IDENTITY);
        return g.activation(name + "_relu", g.add(name + "_add", shortcut, y), Activation.RELU);
    }

    /** ResNet-18 (He et al. 2016): 7×7 stem, max pooling and four stages of two basic blocks. */
    static EncoderFeatures resNet18(GraphBlocks g, String input, ModelSpec spec, int outputStride) {
        requireStride("resnet18", outputStride, 32, 32);
        Map<Integer, String> f = new HashMap<>();
        String x = g.convBnAct("rn_stem", input, spec.channels(64), 7, 2, Activation.RELU);
        x = g.maxPool("rn_pool", x, 3, 2);
        int[] widths = {64, 128, 256, 512};
        for (int stage = 0; stage < 4; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = basicBlock(g, "rn_layer" + (stage + 1) + "_" + block, x, spec.channels(widths[stage]), stride);
            }
            f.put(4 << stage, x);
        }
        return new EncoderFeatures(f, x);
    }

    private static String basicBlock(GraphBlocks g, String name, String in, int channels, int stride) {
        String y = g.convBnAct(name + "_conv1", in, channels, 3, stride, Activation.RELU);
        y = g.convBnAct(name + "_conv2", y, channels, 3, 1, Activation.IDENTITY);
        String shortcut = in;
        if (stride != 1 || g.shape(in).channels() != channels) {
            shortcut = g.convBnAct(name + "_downsample", in, channels, 1, stride, Activation.IDENTITY);
        }
        return g.activation(name + "_relu", g.add(name + "_add", shortcut, y), Activation.RELU);
    }

    /**
     * VGG-16 (Simonyan and Zisserman 2015) with batch normalisation, plus FCN's fully convolutional fc6 (7×7, 4096)
     * and fc7 (1×1, 4096) with dropout 0.5.
     */
    static EncoderFeatures vgg16(GraphBlocks g, String input, ModelSpec spec, int outputStride) {
        requireStride("vgg16", outputStride, 32, 32);
        Map<Integer, String> f = new HashMap<>();
        String x = input;
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        for (int b = 0; b < blocks.length; b++) {
            for (int c = 0; c < blocks[b].length; c++) {
                x = g.convBnAct("vgg_block" + (b + 1) + "_conv" + (c + 1), x, spec.channels(blocks[b][c]), 3, 1,
                        Activation.RELU);
            }
            x = g.maxPool("vgg_pool" + (b + 1), x, 2, 2);
            f.put(2 << b, x);
        }
        x = g.convBnAct("vgg_fc6", x, spec.channels(4096), 7, 1, Activation.RELU);
        x = g.dropout("vgg_fc6_dropout", x, 0.5);
        x = g.convBnAct("vgg_fc7", x, spec.channels(4096), 1, 1, Activation.RELU);
        x = g.dropout("vgg_fc7_dropout", x, 0.5);
        f.put(32, x);
        return new EncoderFeatures(f, x);
    }

    private static void requireStride(String encoder, int stride, int min, int max) {
        if (stride != min && stride != max) {
            throw new IllegalArgumentException(encoder + " supports output stride "
                    + (min == max ? String.valueOf(min) : min + " or " + max) + ", not " + stride);
        }
    }
}
