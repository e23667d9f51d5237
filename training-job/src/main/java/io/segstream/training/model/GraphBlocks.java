package io.segstream.training.model;

import io.segstream.training.graph.DilatedConvolution2D;
import io.segstream.training.graph.DilatedDepthwiseConvolution2D;
import io.segstream.training.graph.FusedBatchNormalization;
import io.segstream.training.graph.BilinearUpsampleVertex;
import io.segstream.training.graph.MaxUnpoolVertex;
import io.segstream.training.graph.McDropoutVertex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;

/**
 * The shared building blocks of every segmentation model, added to one DL4J graph builder: conv-BN-activation,
 * depthwise-separable convolutions, MobileNetV2 inverted residuals, pyramid pooling, ASPP and exact bilinear
 * upsampling. It tracks the shape of every feature map so that blocks can check sizes and size their pooling.
 *
 * <p>Only standard DL4J layers and vertices are used, plus {@link BilinearUpsampleVertex} for the upsampling and
 * {@link MaxUnpoolVertex} and {@link McDropoutVertex} for Bayesian SegNet; every convolution is
 * {@link ConvolutionMode#Same} so a stride-s layer divides the size by s.
 *
 * <pre>{@code
 * GraphBlocks g = new GraphBlocks(graphBuilder, "input", new FeatureShape(3, 256, 512));
 * String x = g.convBnAct("stem", "input", 32, 3, 2, Activation.RELU);
 * x = g.invertedResidual("ir1", x, 6, 24, 2, 1);
 * String logits = g.upsampleBilinear("up", g.conv("classifier", x, 19, 1), 4, 4);
 * }</pre>
 */
public final class GraphBlocks {
    private final ComputationGraphConfiguration.GraphBuilder graph;
    private final Map<String, FeatureShape> shapes = new HashMap<>();
    private final Set<String> headLayers = new LinkedHashSet<>();
    private final Map<String, Double> auxiliaryLogits = new LinkedHashMap<>();

    public GraphBlocks(ComputationGraphConfiguration.GraphBuilder graph, String input, FeatureShape inputShape) {
        this.graph = graph;
        shapes.put(input, inputShape);
    }

    /** Shape of the feature map produced by vertex {@code name}. */
    public FeatureShape shape(String name) {
        FeatureShape s = shapes.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no vertex named '" + name + "' in the graph being built");
        }
        return s;
    }

    /** Names of the layers marked as newly initialised head layers (they may get a learning-rate multiplier). */
    public Set<String> headLayers() {
        return Set.copyOf(headLayers);
    }

    /** Marks a layer as part of the head: the last layers that are always trained from scratch. */
    public void markHead(String layer) {
        shape(layer);
        headLayers.add(layer);
    }

    // ---- plain layers ----

    /**
     * Marks {@code logits} (N×classes×H×W at the input resolution) as an auxiliary output trained with the main loss
     * scaled by {@code weight}: deep supervision such as ICNet's cascade label guidance. Auxiliary outputs are
     * training-only; export and prediction use the main logits.
     */
    public void markAuxiliary(String logits, double weight) {
        shape(logits);
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("auxiliary loss weight must be > 0, got " + weight);
        }
        auxiliaryLogits.put(logits, weight);
    }

    /** Auxiliary logits vertices and their loss weights, in the order they were marked. */
    public Map<String, Double> auxiliaryLogits() {
        return Collections.unmodifiableMap(auxiliaryLogits);
    }

    /** A convolution with bias and no activation (classifiers, score layers). */
    public String conv(String name, String in, int channels, int kernel) {
        return conv(name, in, channels, kernel, WeightInit.XAVIER);
    }

    /** A 1×1 or k×k convolution with bias, no activation, and the given weight initialisation. */
    public String conv(String name, String in, int channels, int kernel, WeightInit init) {
        FeatureShape s = shape(in);
        graph.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel).nOut(channels)
                .convolutionMode(ConvolutionMode.Same).weightInit(init).activation(Activation.IDENTITY).build(), in);
        return put(name, new FeatureShape(channels, s.height(), s.width()));
    }

    /** Convolution (no bias), batch normalisation and activation; {@code Activation.IDENTITY} for a linear block. */
    public String convBnAct(String name, String in, int channels, int kernel, int stride, Activation act) {
        return convBnAct(name, in, channels, kernel, stride, 1, act);
    }

    /** Dilated convolution (no bias), batch normalisation and activation. */
    public String convBnAct(String name, String in, int channels, int kernel, int stride, int dilation, Activation act) {
        FeatureShape s = shape(in);
        checkStride(name, s, stride);
        ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .dilation(dilation, dilation).nOut(channels).hasBias(false).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY);
        graph.addLayer(name + "_conv", dilation > 1 ? DilatedConvolution2D.of(conv) : conv.build(), in);
        put(name + "_conv", new FeatureShape(channels, s.height() / stride, s.width() / stride));
        return bn(name, name + "_conv", act);
    }

    /**
     * Batch normalisation and its activation (none for {@code IDENTITY}) as one layer, {@code name + "_bn"}: see
     * {@link FusedBatchNormalization}.
     */
    public String bn(String name, String in, Activation act) {
        FeatureShape s = shape(in);
        graph.addLayer(name + "_bn", FusedBatchNormalization.of(new BatchNormalization.Builder().nOut(s.channels())
                .activation(act)), in);
        return put(name + "_bn", s);
    }

    /** An activation layer. */
    public String activation(String name, String in, Activation act) {
        graph.addLayer(name, new ActivationLayer.Builder().activation(act).build(), in);
        return put(name, shape(in));
    }

    /** Depthwise convolution (no bias), batch normalisation and activation. */
    public String depthwiseBnAct(String name, String in, int kernel, int stride, int dilation, Activation act) {
        return bn(name, depthwise(name, in, kernel, stride, dilation), act);
    }

    /** Depthwise convolution (no bias, depth multiplier 1) alone, as layer {@code name + "_dw"}. */
    public String depthwise(String name, String in, int kernel, int stride, int dilation) {
        FeatureShape s = shape(in);
        checkStride(name, s, stride);
        DepthwiseConvolution2D.Builder dw = new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                .dilation(dilation, dilation).depthMultiplier(1).nOut(s.channels()).hasBias(false)
                .weightInit(depthwiseInit(kernel)).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY);
        graph.addLayer(name + "_dw", dilation > 1 ? DilatedDepthwiseConvolution2D.of(dw) : dw.build(), in);
        return put(name + "_dw", new FeatureShape(s.channels(), s.height() / stride, s.width() / stride));
    }

    /**
     * He initialisation of a depthwise kernel: each output sees one channel's k×k window, so the fan-in is k², not
     * DL4J's default channels × k². With DL4J's fan-in the weights come out √channels too small, the layer's output
     * variance falls to ~2/channels of its input (≈0.003 at 384 channels) and the following batch norm's running
     * variance, which starts at 1 and decays by 0.9 per step, stays hundreds of times too large for the first ~100
     * steps: inference-mode outputs shrink at every depthwise layer and the network predicts one class everywhere.
     */
    static WeightInitDistribution depthwiseInit(int kernel) {
        return new WeightInitDistribution(new NormalDistribution(0, Math.sqrt(2.0 / (kernel * kernel))));
    }

    /**
     * Depthwise-separable convolution as MobileNet, DeepLabV3+ and Fast-SCNN use it: depthwise k×k, BN, ReLU,
     * pointwise 1×1, BN, activation.
     */
    public String dsConv(String name, String in, int channels, int kernel, int stride, int dilation, Activation act) {
        String dw = depthwiseBnAct(name + "_depthwise", in, kernel, stride, dilation, Activation.RELU);
        return convBnAct(name + "_pointwise", dw, channels, 1, 1, act);
    }

    /**
     * Separable convolution as Keras' SeparableConv2D (depthwise then pointwise, no BN between), BN and activation.
     * Built from a depthwise and a 1×1 layer rather than DL4J's fused {@code SeparableConvolution2D}, whose
     * {@code sconv2d} backward pass libnd4j runs outside oneDNN, many times slower than the two layers; the weights and
     * the function are the same. The depthwise kernel keeps its input's scale (unit gain over k²), the pointwise one
     * is He's, so the pair has He's gain 2 (see {@link #depthwiseInit}).
     */
    public String separableBnAct(String name, String in, int channels, int kernel, int stride, Activation act) {
        FeatureShape s = shape(in);
        checkStride(name, s, stride);
        graph.addLayer(name + "_sep_dw", new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                .depthMultiplier(1).nOut(s.channels()).hasBias(false)
                .weightInit(new WeightInitDistribution(new NormalDistribution(0, 1.0 / kernel)))
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), in);
        put(name + "_sep_dw", new FeatureShape(s.channels(), s.height() / stride, s.width() / stride));
        graph.addLayer(name + "_sep", new ConvolutionLayer.Builder(1, 1).nOut(channels).hasBias(false)
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY)
                .build(), name + "_sep_dw");
        put(name + "_sep", new FeatureShape(channels, s.height() / stride, s.width() / stride));
        return bn(name, name + "_sep", act);
    }

    /**
     * MobileNetV2 inverted residual: 1×1 expansion (×t) BN ReLU6, depthwise 3×3 BN ReLU6, 1×1 linear projection BN,
     * plus the identity shortcut when the stride is 1 and the channels match.
     */
    public String invertedResidual(String name, String in, int expansion, int channels, int stride, int dilation) {
        FeatureShape s = shape(in);
        String x = in;
        if (expansion != 1) {
            x = convBnAct(name + "_expand", x, s.channels() * expansion, 1, 1, Activation.RELU6);
        }
        x = depthwiseBnAct(name + "_depthwise", x, 3, stride, dilation, Activation.RELU6);
        x = convBnAct(name + "_project", x, channels, 1, 1, Activation.IDENTITY);
        if (stride == 1 && s.channels() == channels) {
            x = add(name + "_add", in, x);
        }
        return x;
    }

    /** {@code repeats} inverted residuals; the first has the stride, the rest stride 1. */
    public String invertedResidualStage(String name, String in, int expansion, int channels, int repeats, int stride,
            int dilation) {
        String x = in;
        for (int i = 0; i < repeats; i++) {
            x = invertedResidual(name + "_" + i, x, expansion, channels, i == 0 ? stride : 1, dilation);
        }
        return x;
    }

    // ---- pooling ----

    /** Max pooling with a k×k window and stride s. */
    public String maxPool(String name, String in, int kernel, int stride) {
        FeatureShape s = shape(in);
        checkStride(name, s, stride);
        graph.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(kernel, kernel)
                .stride(stride, stride).convolutionMode(ConvolutionMode.Same).build(), in);
        return put(name, new FeatureShape(s.channels(), s.height() / stride, s.width() / stride));
    }

    /**
     * k×k average pooling with stride k: with k = 2 it is bilinear downsampling by 2 with half-pixel centres (ONNX
     * {@code Resize} linear, PyTorch {@code align_corners=False}).
     */
    public String averagePool(String name, String in, int kernel) {
        FeatureShape s = shape(in);
        checkStride(name, s, kernel);
        graph.addLayer(name, new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(kernel, kernel)
                .stride(kernel, kernel).convolutionMode(ConvolutionMode.Truncate).build(), in);
        return put(name, new FeatureShape(s.channels(), s.height() / kernel, s.width() / kernel));
    }

    /** Average pooling into {@code bins × bins} cells; the feature size must divide by {@code bins}. */
    public String averagePoolToBins(String name, String in, int bins) {
        FeatureShape s = shape(in);
        if (s.height() % bins != 0 || s.width() % bins != 0) {
            throw new InvalidInputSizeException(name + ": a " + s.height() + "x" + s.width()
                    + " feature map cannot be pooled into " + bins + "x" + bins + " equal cells");
        }
        int kh = s.height() / bins;
        int kw = s.width() / bins;
        graph.addLayer(name, new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(kh, kw).stride(kh, kw)
                .convolutionMode(ConvolutionMode.Truncate).build(), in);
        return put(name, new FeatureShape(s.channels(), bins, bins));
    }

    /**
     * Pyramid pooling (PSPNet, Fast-SCNN): the input, plus for every bin count b the input average-pooled into b×b
     * cells, reduced by a 1×1 conv-BN-ReLU to {@code channels / bins.length} and upsampled back; all concatenated and
     * fused by a 1×1 conv-BN-ReLU to {@code channels}.
     */
    public String pyramidPooling(String name, String in, int[] bins, int channels) {
        FeatureShape s = shape(in);
        List<String> branches = new ArrayList<>();
        branches.add(in);
        int reduced = Math.max(1, s.channels() / bins.length);
        for (int b : bins) {
            String p = averagePoolToBins(name + "_pool" + b, in, b);
            p = convBnAct(name + "_reduce" + b, p, reduced, 1, 1, Activation.RELU);
            branches.add(upsampleBilinear(name + "_up" + b, p, s.height() / b, s.width() / b));
        }
        String cat = concat(name + "_concat", branches.toArray(String[]::new));
        return convBnAct(name + "_fuse", cat, channels, 1, 1, Activation.RELU);
    }

    /**
     * Atrous spatial pyramid pooling (DeepLabV3+): a 1×1 branch, one depthwise-separable 3×3 branch per atrous rate,
     * and image pooling (global average, 1×1 conv, ReLU, broadcast back), concatenated and projected by 1×1
     * conv-BN-ReLU to {@code channels}.
     */
    public String aspp(String name, String in, int[] rates, int channels) {
        FeatureShape s = shape(in);
        List<String> branches = new ArrayList<>();
        branches.add(convBnAct(name + "_1x1", in, channels, 1, 1, Activation.RELU));
        for (int r : rates) {
            branches.add(dsConv(name + "_rate" + r, in, channels, 3, 1, r, Activation.RELU));
        }
        String pooled = averagePoolToBins(name + "_image_pool", in, 1);
        graph.addLayer(name + "_image_conv", new ConvolutionLayer.Builder(1, 1).nOut(channels)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), pooled);
        put(name + "_image_conv", new FeatureShape(channels, 1, 1));
        branches.add(upsampleNearest(name + "_image_up", name + "_image_conv", s.height(), s.width()));
        String cat = concat(name + "_concat", branches.toArray(String[]::new));
        return convBnAct(name + "_project", cat, channels, 1, 1, Activation.RELU);
    }

    // ---- resizing ----

    /** Nearest-neighbour upsampling by integer factors (repeats every value). */
    public String upsampleNearest(String name, String in, int factorH, int factorW) {
        FeatureShape s = shape(in);
        graph.addLayer(name, new Upsampling2D.Builder().size(new int[] {factorH, factorW}).build(), in);
        return put(name, new FeatureShape(s.channels(), s.height() * factorH, s.width() * factorW));
    }

    /**
     * Bilinear upsampling by integer factors, exactly as ONNX {@code Resize} (linear, half_pixel) and PyTorch's
     * {@code align_corners=False}: a {@link BilinearUpsampleVertex}, two matrix products per pass. (Checkpoints
     * written before it express the same function as nearest-neighbour repetition followed by box average pooling;
     * they load and export as before.)
     */
    public String upsampleBilinear(String name, String in, int factorH, int factorW) {
        FeatureShape s = shape(in);
        if (factorH == 1 && factorW == 1) {
            return in;
        }
        graph.addVertex(name, new BilinearUpsampleVertex(factorH, factorW), in);
        return put(name, new FeatureShape(s.channels(), s.height() * factorH, s.width() * factorW));
    }

    /** Learned 2× upsampling (U-Net's up-convolution): a 2×2 transposed convolution with stride 2, BN, ReLU. */
    public String upConv(String name, String in, int channels) {
        FeatureShape s = shape(in);
        graph.addLayer(name + "_deconv", new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(channels).hasBias(false)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), in);
        put(name + "_deconv", new FeatureShape(channels, s.height() * 2, s.width() * 2));
        return bn(name, name + "_deconv", Activation.RELU);
    }

    /** SegNet unpooling of {@code decoder} with the pooling indices of {@code pooledEncoder} (see {@link MaxUnpoolVertex}). */
    public String maxUnpool(String name, String decoder, String pooledEncoder) {
        FeatureShape d = shape(decoder);
        FeatureShape e = shape(pooledEncoder);
        if (e.height() != 2 * d.height() || e.width() != 2 * d.width() || e.channels() != d.channels()) {
            throw new IllegalStateException(name + ": cannot unpool " + d + " with indices of " + e);
        }
        graph.addVertex(name, new MaxUnpoolVertex(), decoder, pooledEncoder);
        return put(name, e);
    }

    // ---- merging and regularisation ----

    /** Element-wise sum. */
    public String add(String name, String... ins) {
        FeatureShape s = shape(ins[0]);
        for (String in : ins) {
            if (!shape(in).equals(s)) {
                throw new IllegalStateException(name + ": cannot add " + shape(in) + " to " + s);
            }
        }
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), ins);
        return put(name, s);
    }

    /** Channel concatenation. */
    public String concat(String name, String... ins) {
        FeatureShape s = shape(ins[0]);
        int channels = 0;
        for (String in : ins) {
            FeatureShape o = shape(in);
            if (o.height() != s.height() || o.width() != s.width()) {
                throw new IllegalStateException(name + ": cannot concatenate " + o + " with " + s);
            }
            channels += o.channels();
        }
        graph.addVertex(name, new MergeVertex(), ins);
        return put(name, new FeatureShape(channels, s.height(), s.width()));
    }

    /** Standard dropout (training only) that drops a fraction {@code dropRate} of the activations. */
    public String dropout(String name, String in, double dropRate) {
        if (dropRate <= 0) {
            return in;
        }
        // DL4J's dropout parameter is the probability of keeping an activation
        graph.addLayer(name, new DropoutLayer.Builder(1.0 - dropRate).build(), in);
        return put(name, shape(in));
    }

    /** Monte-Carlo dropout that can stay on at prediction time (see {@link McDropoutVertex}). */
    public String mcDropout(String name, String in, double dropRate) {
        graph.addVertex(name, new McDropoutVertex(dropRate), in);
        return put(name, shape(in));
    }

    private String put(String name, FeatureShape s) {
        if (shapes.putIfAbsent(name, s) != null) {
            throw new IllegalStateException("vertex name '" + name + "' is used twice");
        }
        return name;
    }

    private static void checkStride(String name, FeatureShape s, int stride) {
        if (s.height() % stride != 0 || s.width() % stride != 0) {
            throw new InvalidInputSizeException(name + ": a " + s.height() + "x" + s.width()
                    + " feature map does not divide by stride " + stride);
        }
    }
}
