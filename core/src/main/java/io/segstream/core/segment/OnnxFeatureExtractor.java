package io.segstream.core.segment;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Runs an ONNX graph that maps an image to per-pixel float features (batch x features x rows x columns),
 * with the same input preparation as {@link OnnxSegmenter}; used to fit classifiers on a fixed feature
 * network. Part of the segmenter's family, the only classes that talk to ONNX Runtime. Not thread-safe.
 *
 * <pre>{@code
 * try (OnnxFeatureExtractor fx = OnnxFeatureExtractor.open(featureGraph, manifest, "features")) {
 *     float[] f = fx.features(image);   // features x height x width
 * }
 * }</pre>
 */
public final class OnnxFeatureExtractor implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelManifest manifest;
    private final String outputName;
    private final FramePreprocessor pre;
    private final FloatBuffer input;
    private final int features;
    private boolean closed;

    private OnnxFeatureExtractor(OrtEnvironment env, OrtSession session, ModelManifest manifest, String outputName,
            int features) {
        this.env = env;
        this.session = session;
        this.manifest = manifest;
        this.outputName = outputName;
        this.pre = new FramePreprocessor(manifest);
        this.input = ByteBuffer.allocateDirect(pre.floatsPerImage() * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        this.features = features;
    }

    /**
     * Opens the feature graph {@code onnx}; {@code manifest} describes its input (name, size, layout,
     * normalisation), {@code outputName} names its feature output.
     */
    public static OnnxFeatureExtractor open(byte[] onnx, ModelManifest manifest, String outputName)
            throws ModelException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (SessionOptions so = new SessionOptions()) {
            so.setOptimizationLevel(OptLevel.ALL_OPT);
            session = env.createSession(onnx, so);
        } catch (OrtException e) {
            throw new ModelException("feature graph for " + manifest.id() + ": ONNX Runtime cannot load it ("
                    + e.getMessage() + ")", e);
        }
        long[] shape;
        try {
            NodeInfo info = session.getOutputInfo().get(outputName);
            shape = info != null && info.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0];
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelException("feature graph for " + manifest.id() + ": cannot read its outputs ("
                    + e.getMessage() + ")", e);
        }
        if (shape.length != 4 || shape[1] <= 0) {
            closeQuietly(session);
            throw new ModelException("feature graph for " + manifest.id() + ": output '" + outputName
                    + "' must be batch x features x rows x columns with a fixed feature count, got "
                    + Arrays.toString(shape));
        }
        return new OnnxFeatureExtractor(env, session, manifest, outputName, (int) shape[1]);
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            // the session failed to open properly; nothing more to free
        }
    }

    /** Number of features per pixel. */
    public int featureCount() {
        return features;
    }

    /** The features of {@code image} (resized to the input size) as features x rows x columns. */
    public float[] features(RgbImage image) {
        if (closed) {
            throw new IllegalStateException("the feature extractor is closed");
        }
        pre.write(image, input, 0);
        long[] shape = manifest.layout() == ModelManifest.Layout.NCHW
                ? new long[] {1, 3, manifest.inputHeight(), manifest.inputWidth()}
                : new long[] {1, manifest.inputHeight(), manifest.inputWidth(), 3};
        try (OnnxTensor t = OnnxTensor.createTensor(env, input, shape);
                OrtSession.Result r = session.run(Map.of(manifest.inputName(), t), Set.of(outputName))) {
            FloatBuffer fb = ((OnnxTensor) r.get(outputName).orElseThrow()).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("feature graph for " + manifest.id() + " failed on a " + image.size()
                    + " image (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(session);
        }
    }
}
