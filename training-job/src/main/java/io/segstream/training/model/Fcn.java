package io.segstream.training.model;

import org.deeplearning4j.nn.weights.WeightInit;

/**
 * FCN (Long, Shelhamer et al. 2015) over an interchangeable encoder ({@code --encoder mobilenetv2|resnet18|vgg16}):
 * 1×1 class scores on the stride-32 features, and for FCN-16s/8s the scores of the stride-16 and stride-8 features
 * added after 2× upsampling. Skip score layers start at zero, so training begins as FCN-32s and learns the skips
 * (the seeds' "zero-init simulates the two-stage process"). Upsampling is exact bilinear, not learned.
 */
public final class Fcn implements SegmentationModel {

    @Override
    public String name() {
        return "fcn";
    }

    @Override
    public String description() {
        return "FCN-32s/16s/8s (--fcn-stride) over --encoder mobilenetv2|resnet18|vgg16";
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
        EncoderFeatures f = Encoders.define(spec.encoder(), g, input, spec, 32);
        String score = g.conv("score32", f.deepest(), spec.numClasses(), 1);
        g.markHead(score);
        int stride = 32;
        while (stride > spec.fcnStride()) {
            stride /= 2;
            String up = g.upsampleBilinear("score" + stride + "_up", score, 2, 2);
            String skip = g.conv("score" + stride + "_skip", f.at(stride), spec.numClasses(), 1, WeightInit.ZERO);
            g.markHead(skip);
            score = g.add("score" + stride, up, skip);
        }
        return g.upsampleBilinear("logits_up", score, stride, stride);
    }
}
