package io.segstream.core.onnx;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.onnx.proto.Onnx.TensorProto.DataType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one hand-built test model: a 1x1 convolution from the three colour planes to class scores, written by
 * the project's graph writer, whose answer a test can compute by hand. Variants cover what foreign exports do
 * (NHWC input, class ids out of an ArgMax, a cast) and what a broken model does (NaN scores). Shared with the
 * other modules' tests through core's test jar.
 *
 * <pre>{@code
 * Path dir = OneByOneConvModel.of("road", 20, 16, 8).biases(roadWins).write(tmp.resolve("road"), manifest);
 * }</pre>
 */
public final class OneByOneConvModel {
    private final String graphName;
    private final int classes;
    private final int width;
    private final int height;
    private float[] weights;
    private float[] biases;
    private String inputName = "image";
    private Layout layout = Layout.NCHW;
    private long batch = -1;
    private boolean nan;
    private boolean nanOnBlack;
    private String outputName = "logits";
    private DataType classIds;

    private OneByOneConvModel(String graphName, int classes, int width, int height) {
        this.graphName = graphName;
        this.classes = classes;
        this.width = width;
        this.height = height;
        this.weights = new float[classes * 3];
        this.biases = new float[classes];
    }

    /** A model of {@code classes} classes on {@code width x height} inputs; weights and biases start at 0. */
    public static OneByOneConvModel of(String graphName, int classes, int width, int height) {
        return new OneByOneConvModel(graphName, classes, width, height);
    }

    /** Weight of class c for input plane k at {@code [c * 3 + k]}. */
    public OneByOneConvModel weights(float[] w) {
        if (w.length != classes * 3) {
            throw new IllegalArgumentException(classes + " classes need " + (classes * 3) + " weights, got " + w.length);
        }
        this.weights = w;
        return this;
    }

    /** One bias per class. */
    public OneByOneConvModel biases(float[] b) {
        if (b.length != classes) {
            throw new IllegalArgumentException(classes + " classes need " + classes + " biases, got " + b.length);
        }
        this.biases = b;
        return this;
    }

    /** The input's name and layout (NHWC is transposed to NCHW inside the graph). */
    public OneByOneConvModel input(String name, Layout l) {
        this.inputName = name;
        this.layout = l;
        return this;
    }

    /** A fixed batch size instead of a dynamic one (-1). */
    public OneByOneConvModel batch(long b) {
        this.batch = b;
        return this;
    }

    /** Every score becomes NaN: the model loads but must never serve. */
    public OneByOneConvModel nan() {
        this.nan = true;
        return this;
    }

    /**
     * Every score becomes NaN for black frames only (no channel of any pixel above 1/100 after normalisation to
     * 0..1): the model loads, passes a grey smoke run and a warm-up on a test card, then fails on some frames. Built
     * as {@code + 0 * sqrt(max over the image of (r, g, b) - 0.01)}.
     */
    public OneByOneConvModel nanOnBlack() {
        this.nanOnBlack = true;
        return this;
    }

    /** The output's name; {@code logits} unless set. */
    public OneByOneConvModel output(String name) {
        this.outputName = name;
        return this;
    }

    /** Class ids (NHW) out of an ArgMax instead of logits, as {@code type} (a cast unless INT64). */
    public OneByOneConvModel classIds(DataType type) {
        this.classIds = type;
        return this;
    }

    /** The model's ONNX bytes. */
    public byte[] onnx() {
        OnnxGraphBuilder g = OnnxGraphBuilder.create(graphName);
        long[] shape = layout == Layout.NCHW
                ? new long[] {batch, 3, height, width}
                : new long[] {batch, height, width, 3};
        String x = g.input(inputName, DataType.FLOAT, shape);
        if (layout == Layout.NHWC) {
            x = g.transpose(x, 0, 3, 1, 2);
        }
        String logits = g.conv(x, g.initializer("w", weights, classes, 3, 1, 1), g.initializer("b", biases, classes),
                ConvParams.valid());
        if (nan) {
            logits = g.add(logits, g.sqrt(g.scalar(-1f)));
        }
        if (nanOnBlack) {
            String brightness = g.reduceMax(x, true, 1, 2, 3);
            logits = g.add(logits, g.mul(g.sqrt(g.sub(brightness, g.scalar(0.01f))), g.scalar(0f)));
        }
        if (classIds == null) {
            g.output(g.named(outputName).identity(logits), DataType.FLOAT, batch, classes, height, width);
        } else if (classIds == DataType.INT64) {
            g.output(g.named(outputName).argMax(logits, 1, false), DataType.INT64, batch, height, width);
        } else {
            String ids = g.argMax(logits, 1, false);
            g.output(g.named(outputName).cast(ids, classIds), classIds, batch, height, width);
        }
        return g.toByteArray();
    }

    /** Writes the model directory {@code dir} with {@code manifest}. */
    public Path write(Path dir, ModelManifest manifest) throws IOException {
        return ModelDirectory.write(dir, onnx(), manifest).dir();
    }
}
