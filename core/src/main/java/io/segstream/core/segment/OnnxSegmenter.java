package io.segstream.core.segment;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.segstream.core.imaging.FrameDecoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassMask;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.ArgMaxHead;
import io.segstream.core.onnx.QdqQuantizer;
import io.segstream.core.onnx.UpsamplingTail;
import io.segstream.schemas.ImageEncoding;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a segmentation model directory ({@code model.onnx} + {@code model.json}) on frames with ONNX Runtime.
 * The one class of segstream that talks to ONNX Runtime.
 *
 * <p>Opening checks everything before any frame is touched: the manifest, the SHA-256 it pins, the graph's
 * input and output names, types and shapes against the manifest, and a smoke run whose output must be finite
 * and within the label set. The execution provider comes from {@link SegmenterOptions}; when CUDA or
 * TensorRT is not available, the segmenter runs on CPU and says so in one warning. With option {@code argmax-in-graph}
 * a model that outputs class scores gets the argmax appended to its graph ({@link ArgMaxHead}), so ONNX Runtime hands
 * back one uint8 class id per pixel.
 *
 * <p>Input and output tensors live in direct buffers allocated once for the largest batch and handed to
 * ONNX Runtime without copies; per frame only the returned mask is allocated. Not thread-safe: use one
 * segmenter per thread (a Flink subtask opens its own).
 *
 * <pre>{@code
 * try (OnnxSegmenter seg = OnnxSegmenter.open(Path.of("models/bootstrap"), SegmenterOptions.defaults())) {
 *     Segmentation s = seg.segment(ImageEncoding.JPEG, jpegBytes, 1024, 512, "cam-1 seq 7");
 *     Map<String, Float> shares = s.classFractions().asMap();
 * }
 * }</pre>
 */
public final class OnnxSegmenter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSegmenter.class);
    private static final int GREY = 128;
    /** Name of the class-id output appended to a scores model: the scores output's name plus this. */
    static final String CLASS_IDS_SUFFIX = "_class_ids";

    private final Path dir;
    private final ModelManifest manifest;
    private final LabelSet labelSet;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ExecutionProvider provider;
    private final String fallbackReason;
    private final int maxBatch;
    private final boolean fixedBatch;
    /** Per lane of {@link #lanes}: its preprocessor, postprocessor and decoder. */
    private final FramePreprocessor[] pres;
    private final MaskPostprocessor[] posts;
    private final FrameDecoder[] decoders;
    private final FrameLanes lanes;
    private final String runOutput;
    private final OnnxJavaType outputType;
    private final long[] outputDimsPerImage;
    private final FloatBuffer input;
    private final Buffer output;
    private final OnnxTensor[] inputTensors;
    private final OnnxTensor[] outputTensors;
    private boolean closed;

    private OnnxSegmenter(Path dir, ModelManifest manifest, OrtEnvironment env, OrtSession session,
            ExecutionProvider provider, String fallbackReason, int maxBatch, boolean fixedBatch, String runOutput,
            OnnxJavaType outputType, long[] outputDimsPerImage, MaskPostprocessor post, FrameDecoder[] decoders) {
        this.dir = dir;
        this.decoders = decoders;
        this.manifest = manifest;
        this.labelSet = manifest.labelSet();
        this.env = env;
        this.session = session;
        this.provider = provider;
        this.fallbackReason = fallbackReason;
        this.maxBatch = maxBatch;
        this.fixedBatch = fixedBatch;
        this.runOutput = runOutput;
        this.outputType = outputType;
        this.outputDimsPerImage = outputDimsPerImage;
        int n = decoders.length;
        this.lanes = new FrameLanes(n, manifest.id());
        this.pres = new FramePreprocessor[n];
        this.posts = new MaskPostprocessor[n];
        for (int lane = 0; lane < n; lane++) {
            pres[lane] = new FramePreprocessor(manifest);
            posts[lane] = lane == 0 ? post : post.copy();
        }
        this.input = directFloats((long) maxBatch * pres[0].floatsPerImage());
        long outPerImage = 1;
        for (long d : outputDimsPerImage) {
            outPerImage *= d;
        }
        this.output = directOutput(outputType, maxBatch * outPerImage);
        this.inputTensors = new OnnxTensor[maxBatch + 1];
        this.outputTensors = new OnnxTensor[maxBatch + 1];
    }

    /**
     * Opens the model directory {@code modelDir} with {@code options}.
     *
     * @throws ModelException when the directory, manifest, checksum or graph is unusable; the message says why
     */
    public static OnnxSegmenter open(Path modelDir, SegmenterOptions options) throws ModelException {
        ModelDirectory d = ModelDirectory.at(modelDir);
        ModelManifest manifest = d.readManifest();
        byte[] onnx = d.readVerifiedModel(manifest);
        String where = "model " + manifest.id() + " (" + modelDir + ")";
        if (manifest.labelSet().numClasses() > LabelSet.IGNORE) {
            throw new ModelException(where + ": label set " + manifest.labelSetName() + " has more than 255 classes");
        }
        String classIds = null;
        if (manifest.outputKind() == OutputKind.LOGITS_NCHW && options.argMaxInGraph()) {
            try {
                onnx = ArgMaxHead.append(onnx, manifest.outputName(), manifest.outputName() + CLASS_IDS_SUFFIX);
                classIds = manifest.outputName() + CLASS_IDS_SUFFIX;
            } catch (IllegalArgumentException e) {
                // the checks below explain a scores output that is not what the manifest says
                LOG.info("{}: the argmax stays in Java ({})", where, e.getMessage());
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        ExecutionProvider requested = options.provider();
        String fallback = null;
        OrtSession session = null;
        if (requested != ExecutionProvider.CPU) {
            EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
            OrtProvider needed = requested == ExecutionProvider.CUDA ? OrtProvider.CUDA : OrtProvider.TENSOR_RT;
            if (!available.contains(needed)) {
                fallback = "this ONNX Runtime build has no " + needed.getName() + " (it has " + available
                        + "; GPU providers come with the onnxruntime_gpu artifact, Maven profile gpu)";
            } else {
                try {
                    session = createSession(env, onnx, options);
                } catch (OrtException e) {
                    fallback = "ONNX Runtime could not start it: " + e.getMessage();
                }
            }
            if (fallback != null) {
                LOG.warn("{}: execution provider {} is unavailable, running on CPU instead; {}", where,
                        requested.name().toLowerCase(), fallback);
            }
        }
        ExecutionProvider active = session != null ? requested : ExecutionProvider.CPU;
        if (session == null) {
            try {
                session = createSession(env, onnx, options.withProvider(ExecutionProvider.CPU));
            } catch (OrtException e) {
                throw new ModelException(where + ": ONNX Runtime cannot load model.onnx (" + e.getMessage() + ")", e);
            }
        }
        UpsamplingTail tail = null;
        OrtSession cut = null;
        if (manifest.outputKind() == OutputKind.LOGITS_NCHW && classIds == null && options.fusedUpsampling()
                && active == ExecutionProvider.CPU) {
            try {
                tail = UpsamplingTail.find(onnx, manifest.outputName()).orElse(null);
                if (tail != null) {
                    cut = createSession(env, tail.cutModel(), options.withProvider(active));
                }
            } catch (IllegalArgumentException | OrtException e) {
                // the checks below explain a graph whose scores output is not what the manifest says
                LOG.info("{}: the upsampling of the scores stays in the graph ({})", where, e.getMessage());
                tail = null;
            }
        }
        try {
            return configure(modelDir, manifest, env, session, active, fallback, options, classIds, tail, cut, where);
        } catch (ModelException | RuntimeException e) {
            closeQuietly(session);
            closeQuietly(cut);
            throw e;
        }
    }

    /**
     * The TensorRT execution provider's options: FP16 as configured, INT8 for a QDQ-quantized model (TensorRT then
     * takes the scales from its Q/DQ nodes, no calibration table), the workspace size and the engine cache.
     */
    static Map<String, String> tensorRtOptions(SegmenterOptions options, boolean quantized) {
        Map<String, String> trt = new LinkedHashMap<>();
        trt.put("trt_fp16_enable", options.tensorRtFp16() ? "1" : "0");
        trt.put("trt_int8_enable", quantized ? "1" : "0");
        trt.put("trt_max_workspace_size", Long.toString(options.tensorRtWorkspaceBytes()));
        options.tensorRtEngineCache().ifPresent(cache -> {
            trt.put("trt_engine_cache_enable", "1");
            trt.put("trt_engine_cache_path", cache.toAbsolutePath().toString());
        });
        return trt;
    }

    private static OrtSession createSession(OrtEnvironment env, byte[] onnx, SegmenterOptions options)
            throws OrtException {
        try (SessionOptions so = new SessionOptions()) {
            so.setOptimizationLevel(OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            so.addConfigEntry("session.intra_op.allow_spinning", options.spinWait() ? "1" : "0");
            switch (options.provider()) {
                case CPU -> { }
                case CUDA -> {
                    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.deviceId())) {
                        so.addCUDA(cuda);
                    }
                }
                case TENSORRT -> {
                    try (OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(options.deviceId())) {
                        Optional<Path> cache = options.tensorRtEngineCache();
                        if (cache.isPresent()) {
                            Files.createDirectories(cache.get());
                        }
                        for (Map.Entry<String, String> e : tensorRtOptions(options,
                                QdqQuantizer.isQuantized(onnx)).entrySet()) {
                            trt.add(e.getKey(), e.getValue());
                        }
                        so.addTensorrt(trt);
                    } catch (java.io.IOException e) {
                        throw new OrtException("cannot create the TensorRT engine cache folder: " + e.getMessage());
                    }
                    // nodes TensorRT does not take run on CUDA rather than CPU
                    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.deviceId())) {
                        so.addCUDA(cuda);
                    }
                }
                default -> throw new IllegalStateException("unhandled provider " + options.provider());
            }
            return env.createSession(onnx, so);
        }
    }

    /** Checks the graph against the manifest, smoke-runs it and sizes the buffers. */
    private static OnnxSegmenter configure(Path dir, ModelManifest m, OrtEnvironment env, OrtSession session,
            ExecutionProvider active, String fallback, SegmenterOptions options, String classIds, UpsamplingTail tail,
            OrtSession cut, String where) throws ModelException {
        Map<String, NodeInfo> inputs;
        Map<String, NodeInfo> outputs;
        try {
            inputs = session.getInputInfo();
            outputs = session.getOutputInfo();
        } catch (OrtException e) {
            throw new ModelException(where + ": cannot read the graph's inputs and outputs (" + e.getMessage() + ")", e);
        }
        if (!inputs.containsKey(m.inputName())) {
            throw new ModelException(where + ": the manifest's inputName '" + m.inputName()
                    + "' is not an input of model.onnx; its inputs are " + inputs.keySet() + ", fix inputName");
        }
        if (inputs.size() != 1) {
            throw new ModelException(where + ": model.onnx has inputs " + inputs.keySet()
                    + " but segstream feeds exactly one image input");
        }
        if (!outputs.containsKey(m.outputName())) {
            throw new ModelException(where + ": the manifest's outputName '" + m.outputName()
                    + "' is not an output of model.onnx; its outputs are " + outputs.keySet() + ", fix outputName");
        }
        TensorInfo in = tensorInfo(inputs.get(m.inputName()), "input '" + m.inputName() + "'", where);
        TensorInfo out = tensorInfo(outputs.get(m.outputName()), "output '" + m.outputName() + "'", where);

        long[] inShape = in.getShape();
        long[] expected = m.layout() == Layout.NCHW
                ? new long[] {-1, 3, m.inputHeight(), m.inputWidth()}
                : new long[] {-1, m.inputHeight(), m.inputWidth(), 3};
        if (in.type != OnnxJavaType.FLOAT) {
            throw new ModelException(where + ": input '" + m.inputName() + "' holds " + in.type
                    + " but segstream feeds float32 images");
        }
        if (inShape.length != 4) {
            throw new ModelException(where + ": input '" + m.inputName() + "' has shape " + Arrays.toString(inShape)
                    + " but a " + m.layout() + " image input has 4 dimensions");
        }
        for (int i = 1; i < 4; i++) {
            if (inShape[i] >= 0 && inShape[i] != expected[i]) {
                throw new ModelException(where + ": input '" + m.inputName() + "' has shape "
                        + Arrays.toString(inShape) + " but the manifest describes " + m.layout() + " "
                        + m.inputWidth() + "x" + m.inputHeight() + " RGB, i.e. " + shapeText(expected)
                        + "; fix inputWidth, inputHeight or layout");
            }
        }
        boolean fixedBatch = inShape[0] > 0;
        int maxBatch = fixedBatch ? (int) inShape[0] : options.batchSize();

        OutputKind kind = m.outputKind();
        long[] outShape = out.getShape();
        checkOutput(m, out, outShape, where);

        OnnxJavaType outType = out.type;
        int smokeBatch = fixedBatch ? maxBatch : 1;
        long[] dims = smokeRun(m, env, session, smokeBatch, outType, where);
        String runOutput = m.outputName();
        long[] runDims = dims;
        if (classIds != null) {
            // the scores were checked above; frames ask for the appended class ids only
            runOutput = classIds;
            outType = OnnxJavaType.UINT8;
            runDims = Arrays.copyOfRange(dims, 1, dims.length);
        }
        int classes = m.labelSet().numClasses();
        MaskPostprocessor post = new MaskPostprocessor(classes, (int) runDims[runDims.length - 2],
                (int) runDims[runDims.length - 1]);
        OrtSession run = session;
        String fused = "";
        if (cut != null) {
            Fused f = fuse(m, env, session, cut, tail, smokeBatch, dims, where);
            if (f != null) {
                closeQuietly(session);
                run = cut;
                runOutput = tail.scoresBefore();
                runDims = f.dims();
                post = f.post();
                fused = ", its final upsampling (" + String.join(" + ", tail.nodes()) + ") fused with the argmax: "
                        + "scores come at " + runDims[2] + "x" + runDims[1] + ", " + f.agreement();
            } else {
                closeQuietly(cut);
            }
        }
        int threads = options.frameThreads() > 0 ? options.frameThreads()
                : options.intraOpThreads() > 0 ? options.intraOpThreads() : Runtime.getRuntime().availableProcessors();
        FrameDecoder[] decoders = new FrameDecoder[Math.max(1, Math.min(threads, maxBatch))];
        try {
            for (int lane = 0; lane < decoders.length; lane++) {
                decoders[lane] = FrameDecoder.open(options.maxFramePixels(), options.jpegDecoder());
            }
        } catch (IllegalArgumentException e) {
            for (FrameDecoder d : decoders) {
                if (d != null) {
                    d.close();
                }
            }
            closeQuietly(run);
            throw new ModelException(where + ": " + e.getMessage(), e);
        }
        FrameDecoder decoder = decoders[0];
        LOG.info("{}: {} on {}, input {} {}x{}, output {} {}{}{}, batches of up to {}{}; JPEG frames decoded by {}; "
                + "frames decoded, prepared{} and masked on {} thread(s)",
                where, m.labelSetName(),
                active.name().toLowerCase(), m.layout(), m.inputWidth(), m.inputHeight(), kind,
                shapeText(dims), classIds != null ? " with the argmax in the graph" : "", fused, maxBatch,
                fixedBatch && maxBatch != options.batchSize()
                        ? " (the model fixes its batch size; option batch-size " + options.batchSize() + " is not used)"
                        : "", decoder.jpegDecoderName(), FramePreprocessor.usesVectorApiByDefault()
                        ? " (with the JDK's vector API)" : FramePreprocessor.vectorApiPresent() ? ""
                        : " (without the JDK's vector API: --add-modules=jdk.incubator.vector prepares 4:2:0 frames "
                        + "faster)", decoders.length);
        return new OnnxSegmenter(dir, m, env, run, active, fallback, maxBatch, fixedBatch, runOutput, outType,
                runDims, post, decoders);
    }

    /** The cut model's scores dimensions and the postprocessor that upsamples them. */
    private record Fused(long[] dims, MaskPostprocessor post, String agreement) {}

    /**
     * Checks that the model without its upsampling tail, upsampled bilinearly in Java, gives the whole model's scores
     * on a textured test image, and that the fused argmax gives the whole model's mask on it; null (and one log line
     * saying why) where it does not, and the whole model runs as it is.
     */
    private static Fused fuse(ModelManifest m, OrtEnvironment env, OrtSession whole, OrtSession cut,
            UpsamplingTail tail, int batch, long[] wholeDims, String where) {
        FramePreprocessor p = new FramePreprocessor(m);
        FloatBuffer buf = directFloats((long) batch * p.floatsPerImage());
        RgbImage img = testPattern(m.inputWidth(), m.inputHeight());
        for (int i = 0; i < batch; i++) {
            p.write(img, buf, i);
        }
        String reason;
        try (OnnxTensor t = OnnxTensor.createTensor(env, buf, inputShape(m, batch));
                OrtSession.Result full = whole.run(Map.of(m.inputName(), t), Set.of(m.outputName()));
                OrtSession.Result low = cut.run(Map.of(m.inputName(), t), Set.of(tail.scoresBefore()))) {
            OnnxTensor fullT = (OnnxTensor) full.get(0);
            OnnxTensor lowT = (OnnxTensor) low.get(0);
            long[] lowShape = lowT.getInfo().getShape();
            int classes = m.labelSet().numClasses();
            int height = (int) wholeDims[1];
            int width = (int) wholeDims[2];
            if (lowT.getInfo().type != OnnxJavaType.FLOAT || lowShape.length != 4 || lowShape[1] != classes
                    || lowShape[2] > height || lowShape[3] > width) {
                reason = "the scores before it have shape " + Arrays.toString(lowShape);
            } else {
                MaskPostprocessor post = MaskPostprocessor.upsampling(classes, height, width, (int) lowShape[2],
                        (int) lowShape[3]);
                FloatBuffer lowScores = lowT.getFloatBuffer();
                FloatBuffer fullScores = fullT.getFloatBuffer();
                float[] mine = post.upsampledScores(lowScores, 0);
                float largest = 0;
                float worst = 0;
                for (int i = 0; i < mine.length; i++) {
                    largest = Math.max(largest, Math.abs(fullScores.get(i)));
                    worst = Math.max(worst, Math.abs(mine[i] - fullScores.get(i)));
                }
                if (!(worst <= 1e-4f * (1 + largest))) {
                    reason = "it is not a bilinear upsampling with half-pixel centres (scores differ by up to "
                            + worst + " of " + largest + ")";
                } else {
                    byte[] fusedIds = post.fromLogits(lowScores, 0, width, height).classIds();
                    byte[] wholeIds = new MaskPostprocessor(classes, height, width).fromLogits(fullScores, 0, width,
                            height).classIds();
                    int same = 0;
                    for (int i = 0; i < wholeIds.length; i++) {
                        same += fusedIds[i] == wholeIds[i] ? 1 : 0;
                    }
                    long[] dims = Arrays.copyOfRange(lowShape, 1, 4);
                    return new Fused(dims, post, "same class as the whole model at " + same + " of "
                            + wholeIds.length + " pixels of a test image (" + post.interpolatedPixels()
                            + " interpolated)");
                }
            }
        } catch (OrtException | RuntimeException e) {
            reason = "running the model without it failed (" + e.getMessage() + ")";
        }
        LOG.info("{}: the final {} stays in the graph: {}", where, String.join(" + ", tail.nodes()), reason);
        return null;
    }

    /** A deterministic image with edges and texture everywhere, so that a model's scores vary over it. */
    private static RgbImage testPattern(int width, int height) {
        byte[] px = new byte[width * height * 3];
        long state = 0x9E3779B97F4A7C15L;
        for (int y = 0, o = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                int noise = (int) (state >>> 59);
                px[o++] = (byte) ((x * 255 / Math.max(1, width - 1) + noise) & 0xFF);
                px[o++] = (byte) (((x / 16 + y / 16) % 2 == 0 ? 40 : 200) + noise);
                px[o++] = (byte) ((y * 255 / Math.max(1, height - 1) + noise) & 0xFF);
            }
        }
        return RgbImage.ofRgb(width, height, px);
    }

    private static void checkOutput(ModelManifest m, TensorInfo out, long[] shape, String where)
            throws ModelException {
        String name = "output '" + m.outputName() + "'";
        int classes = m.labelSet().numClasses();
        if (m.outputKind() == OutputKind.LOGITS_NCHW) {
            if (shape.length == 3) {
                throw new ModelException(where + ": " + name + " has shape " + Arrays.toString(shape)
                        + ", which looks like class ids, but the manifest says LOGITS_NCHW; set outputKind "
                        + "CLASS_IDS_NHW");
            }
            if (shape.length != 4) {
                throw new ModelException(where + ": " + name + " has shape " + Arrays.toString(shape)
                        + " but LOGITS_NCHW needs 4 dimensions (batch, classes, rows, columns)");
            }
            if (out.type != OnnxJavaType.FLOAT) {
                throw new ModelException(where + ": " + name + " holds " + out.type
                        + " but LOGITS_NCHW needs float32 scores");
            }
            if (shape[1] >= 0 && shape[1] != classes) {
                throw new ModelException(where + ": " + name + " scores " + shape[1] + " classes but label set "
                        + m.labelSetName() + " has " + classes + "; the manifest names the wrong label set or model");
            }
        } else {
            if (shape.length == 4) {
                throw new ModelException(where + ": " + name + " has shape " + Arrays.toString(shape)
                        + ", which looks like class scores, but the manifest says CLASS_IDS_NHW; set outputKind "
                        + "LOGITS_NCHW");
            }
            if (shape.length != 3) {
                throw new ModelException(where + ": " + name + " has shape " + Arrays.toString(shape)
                        + " but CLASS_IDS_NHW needs 3 dimensions (batch, rows, columns)");
            }
            if (out.type != OnnxJavaType.INT64 && out.type != OnnxJavaType.INT32 && out.type != OnnxJavaType.UINT8) {
                throw new ModelException(where + ": " + name + " holds " + out.type
                        + " but CLASS_IDS_NHW needs int64, int32 or uint8 class ids");
            }
        }
    }

    /** Runs a grey image and returns the output's per-image dimensions; rejects non-finite or foreign output. */
    private static long[] smokeRun(ModelManifest m, OrtEnvironment env, OrtSession session, int batch,
            OnnxJavaType outType, String where) throws ModelException {
        FramePreprocessor p = new FramePreprocessor(m);
        FloatBuffer buf = directFloats((long) batch * p.floatsPerImage());
        byte[] grey = new byte[m.inputWidth() * m.inputHeight() * 3];
        Arrays.fill(grey, (byte) GREY);
        RgbImage img = RgbImage.ofRgb(m.inputWidth(), m.inputHeight(), grey);
        for (int i = 0; i < batch; i++) {
            p.write(img, buf, i);
        }
        long[] shape = inputShape(m, batch);
        try (OnnxTensor t = OnnxTensor.createTensor(env, buf, shape);
                OrtSession.Result r = session.run(Map.of(m.inputName(), t), Set.of(m.outputName()))) {
            OnnxValue v = r.get(m.outputName()).orElseThrow();
            if (!(v instanceof OnnxTensor ot)) {
                throw new ModelException(where + ": output '" + m.outputName() + "' is not a tensor");
            }
            long[] outShape = ot.getInfo().getShape();
            if (outShape[0] != batch) {
                throw new ModelException(where + ": a batch of " + batch + " images gave output shape "
                        + Arrays.toString(outShape) + "; the output's first dimension must be the batch");
            }
            if (m.outputKind() == OutputKind.LOGITS_NCHW) {
                if (outShape[1] != m.labelSet().numClasses()) {
                    throw new ModelException(where + ": the model scores " + outShape[1] + " classes but label set "
                            + m.labelSetName() + " has " + m.labelSet().numClasses());
                }
                FloatBuffer fb = ot.getFloatBuffer();
                for (int i = 0; i < fb.limit(); i++) {
                    if (!Float.isFinite(fb.get(i))) {
                        throw new ModelException(where + ": a smoke run on a grey image gave the non-finite score "
                                + fb.get(i) + "; the model is broken");
                    }
                }
            } else {
                long maxId = maxClassId(ot, outType);
                if (maxId >= m.labelSet().numClasses() && maxId != LabelSet.IGNORE) {
                    throw new ModelException(where + ": a smoke run gave class id " + maxId + " but label set "
                            + m.labelSetName() + " has class ids 0.." + (m.labelSet().numClasses() - 1));
                }
            }
            return Arrays.copyOfRange(outShape, 1, outShape.length);
        } catch (OrtException e) {
            throw new ModelException(where + ": a smoke run on a grey " + m.inputWidth() + "x" + m.inputHeight()
                    + " image failed (" + e.getMessage() + ")", e);
        }
    }

    private static long maxClassId(OnnxTensor t, OnnxJavaType type) {
        long max = Long.MIN_VALUE;
        if (type == OnnxJavaType.INT64) {
            LongBuffer b = t.getLongBuffer();
            for (int i = 0; i < b.limit(); i++) {
                max = Math.max(max, b.get(i));
            }
        } else if (type == OnnxJavaType.INT32) {
            IntBuffer b = t.getIntBuffer();
            for (int i = 0; i < b.limit(); i++) {
                max = Math.max(max, b.get(i));
            }
        } else {
            ByteBuffer b = t.getByteBuffer();
            for (int i = 0; i < b.limit(); i++) {
                max = Math.max(max, b.get(i) & 0xFF);
            }
        }
        return max;
    }

    // ---------------------------------------------------------------- segmentation

    /**
     * Decodes one encoded frame with this segmenter's decoder, so that a caller batching frames itself keeps
     * one decoder per segmenter.
     *
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the frame does not decode to {@code width x height}
     */
    public RgbImage decode(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        return decode(0, encoding, data, width, height, source);
    }

    /**
     * Decodes a frame with lane {@code lane}'s decoder, for a caller that decodes frames on {@link #lanes()}.
     *
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the frame does not decode to {@code width x height}
     */
    public RgbImage decode(int lane, ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        ensureOpen();
        return decoders[lane].decode(encoding, data, width, height, source);
    }

    /**
     * The threads this segmenter decodes, prepares and masks a batch's frames on (option {@code frame-threads});
     * a caller may run its own per-frame work on them, one lane's state per lane.
     */
    public FrameLanes lanes() {
        return lanes;
    }

    /** The decoder JPEG frames go to: {@code ImageIO}, or a native decoder's name such as {@code ffmpeg}. */
    public String jpegDecoderName() {
        return decoders[0].jpegDecoderName();
    }

    /**
     * Decodes and segments one encoded frame.
     *
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the frame does not decode to {@code width x height}
     */
    public Segmentation segment(ImageEncoding encoding, byte[] data, int width, int height, String source)
            throws ImageFormatException {
        long t0 = System.nanoTime();
        RgbImage img = decode(encoding, data, width, height, source);
        float decodeMs = millisSince(t0);
        return segment(List.of(img)).get(0).withDecodeMs(decodeMs);
    }

    /** Segments one decoded frame. */
    public Segmentation segment(RgbImage image) {
        return segment(List.of(image)).get(0);
    }

    /**
     * Segments decoded frames of any sizes, in batches of up to {@link #maxBatch()}; the masks come back in
     * order, each as large as its frame.
     */
    public List<Segmentation> segment(List<RgbImage> images) {
        ensureOpen();
        List<Segmentation> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += maxBatch) {
            runBatch(images.subList(from, Math.min(images.size(), from + maxBatch)), out);
        }
        return out;
    }

    /**
     * A frame {@link #segmentEncoded} was given: its segmentation, or why there is none (its image did not decode, or
     * its batch failed: a decoder or the preprocessing threw something other than a refusal of the image, or the model
     * run failed). Exactly one is set.
     */
    public record EncodedOutcome(Segmentation segmentation, ImageFormatException imageFailure,
            RuntimeException batchFailure) {
        /** Whether the frame was segmented. */
        public boolean segmented() {
            return segmentation != null;
        }
    }

    /**
     * Decodes and segments encoded frames in batches of up to {@link #maxBatch()}, each frame's outcome in order. A
     * lane decodes a frame and reads it into the model input at once, while its planes are in the cache and in the
     * lane decoder's reused arrays ({@link FrameDecoder#decodeReusing}): no decoded frame outlives its lane's task,
     * and none costs a new frame's worth of arrays. A frame that does not decode leaves the others of its batch alone;
     * a batch that fails fails its frames and leaves the other batches alone.
     *
     * @param sources names each frame in errors (camera id and seq), as many as frames
     */
    public List<EncodedOutcome> segmentEncoded(List<EncodedFrame> frames, List<String> sources) {
        ensureOpen();
        if (sources.size() != frames.size()) {
            throw new IllegalArgumentException(frames.size() + " frames but " + sources.size() + " names of frames");
        }
        EncodedOutcome[] out = new EncodedOutcome[frames.size()];
        for (int from = 0; from < frames.size(); from += maxBatch) {
            runEncodedBatch(frames, sources, from, Math.min(frames.size(), from + maxBatch), out);
        }
        return Arrays.asList(out);
    }

    private void runEncodedBatch(List<EncodedFrame> frames, List<String> sources, int from, int to,
            EncodedOutcome[] out) {
        int n = to - from;
        int[] widths = new int[n];
        int[] heights = new int[n];
        float[] decodeMs = new float[n];
        float[] preMs = new float[n];
        ImageFormatException[] failures = new ImageFormatException[n];
        try {
            lanes.forEach(n, (lane, i) -> {
                EncodedFrame f = frames.get(from + i);
                long t0 = System.nanoTime();
                RgbImage img;
                try {
                    img = decoders[lane].decodeReusing(f.encoding(), f.data(), f.width(), f.height(),
                            sources.get(from + i));
                } catch (ImageFormatException e) {
                    failures[i] = e;
                    return;
                }
                long t1 = System.nanoTime();
                pres[lane].write(img, input, i);
                decodeMs[i] = (t1 - t0) / 1e6f;
                preMs[i] = millisSince(t1);
                widths[i] = img.width();
                heights[i] = img.height();
            });
            // the frames that decoded, moved down over the ones that did not so that the model runs on them alone
            int kept = 0;
            int[] slots = new int[n];
            int per = pres[0].floatsPerImage();
            for (int i = 0; i < n; i++) {
                if (failures[i] == null) {
                    if (kept != i) {
                        input.put(kept * per, input, i * per, per);
                        widths[kept] = widths[i];
                        heights[kept] = heights[i];
                        preMs[kept] = preMs[i];
                    }
                    slots[i] = kept++;
                }
            }
            Segmentation[] done = kept == 0 ? new Segmentation[0] : inferAndMask(kept, widths, heights, preMs);
            for (int i = 0; i < n; i++) {
                out[from + i] = failures[i] != null
                        ? new EncodedOutcome(null, failures[i], null)
                        : new EncodedOutcome(done[slots[i]].withDecodeMs(decodeMs[i]), null, null);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < n; i++) {
                out[from + i] = new EncodedOutcome(null, failures[i], failures[i] == null ? e : null);
            }
        }
    }

    private void runBatch(List<RgbImage> batch, List<Segmentation> out) {
        int n = batch.size();
        int[] widths = new int[n];
        int[] heights = new int[n];
        float[] preMs = new float[n];
        lanes.forEach(n, (lane, i) -> {
            long t = System.nanoTime();
            RgbImage img = batch.get(i);
            pres[lane].write(img, input, i);
            preMs[i] = millisSince(t);
            widths[i] = img.width();
            heights[i] = img.height();
        });
        out.addAll(Arrays.asList(inferAndMask(n, widths, heights, preMs)));
    }

    /** Runs the model on the first {@code n} images of the input and makes their masks, each as large as its frame. */
    private Segmentation[] inferAndMask(int n, int[] widths, int[] heights, float[] preMs) {
        int run = fixedBatch ? maxBatch : n;
        long t = System.nanoTime();
        try {
            // the output is pinned to our buffer: the result owns no tensor, closing it frees nothing of ours
            session.run(Map.of(manifest.inputName(), inputTensor(run)),
                    Map.of(runOutput, outputTensor(run))).close();
        } catch (OrtException e) {
            throw new IllegalStateException("model " + manifest.id() + " failed on a batch of " + n + " frames ("
                    + e.getMessage() + ")", e);
        }
        float inferMs = millisSince(t) / n;
        Segmentation[] done = new Segmentation[n];
        lanes.forEach(n, (lane, i) -> {
            long tp = System.nanoTime();
            MaskPostprocessor post = posts[lane];
            ClassMask mask = switch (outputType) {
                case FLOAT -> post.fromLogits((FloatBuffer) output, i, widths[i], heights[i]);
                case INT64 -> post.fromClassIds((LongBuffer) output, i, widths[i], heights[i]);
                case INT32 -> post.fromClassIds((IntBuffer) output, i, widths[i], heights[i]);
                default -> post.fromClassIds((ByteBuffer) output, i, widths[i], heights[i]);
            };
            boolean scores = outputType == OnnxJavaType.FLOAT;
            done[i] = new Segmentation(mask, labelSet, new SegmenterTimings(0f, preMs[i], inferMs, millisSince(tp)),
                    scores ? post.nanScores() : 0, scores ? post.infiniteScores() : 0);
        });
        return done;
    }

    private OnnxTensor inputTensor(int n) throws OrtException {
        if (inputTensors[n] == null) {
            inputTensors[n] = OnnxTensor.createTensor(env, input.slice(0, n * pres[0].floatsPerImage()),
                    inputShape(manifest, n));
        }
        return inputTensors[n];
    }

    private OnnxTensor outputTensor(int n) throws OrtException {
        if (outputTensors[n] == null) {
            long[] shape = new long[outputDimsPerImage.length + 1];
            shape[0] = n;
            System.arraycopy(outputDimsPerImage, 0, shape, 1, outputDimsPerImage.length);
            int len = (int) (output.capacity() / maxBatch * n);
            outputTensors[n] = switch (outputType) {
                case FLOAT -> OnnxTensor.createTensor(env, ((FloatBuffer) output).slice(0, len), shape);
                case INT64 -> OnnxTensor.createTensor(env, ((LongBuffer) output).slice(0, len), shape);
                case INT32 -> OnnxTensor.createTensor(env, ((IntBuffer) output).slice(0, len), shape);
                default -> OnnxTensor.createTensor(env, ((ByteBuffer) output).slice(0, len), shape,
                        OnnxJavaType.UINT8);
            };
        }
        return outputTensors[n];
    }

    // ---------------------------------------------------------------- what the model is

    public ModelManifest manifest() {
        return manifest;
    }

    /** The label set whose class ids the masks hold. */
    public LabelSet labelSet() {
        return labelSet;
    }

    /** Width in pixels of the model input (frames of other sizes are resized). */
    public int inputWidth() {
        return manifest.inputWidth();
    }

    /** Height in pixels of the model input. */
    public int inputHeight() {
        return manifest.inputHeight();
    }

    /** Most frames one inference call takes. */
    public int maxBatch() {
        return maxBatch;
    }

    /** The execution provider in use (CPU after a fallback). */
    public ExecutionProvider provider() {
        return provider;
    }

    /** Why the requested provider was not used, when the segmenter fell back to CPU. */
    public Optional<String> fallbackReason() {
        return Optional.ofNullable(fallbackReason);
    }

    /** The model directory. */
    public Path directory() {
        return dir;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Frees the session and the tensors; later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (OnnxTensor t : inputTensors) {
            if (t != null) {
                t.close();
            }
        }
        for (OnnxTensor t : outputTensors) {
            if (t != null) {
                t.close();
            }
        }
        closeQuietly(session);
        lanes.close();
        for (FrameDecoder d : decoders) {
            d.close();
        }
    }

    /** The decoder of this segmenter's frames on the calling thread (its JPEG decoder's name, its fallbacks to ImageIO). */
    public FrameDecoder decoder() {
        return decoders[0];
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the segmenter of model " + manifest.id() + " (" + dir
                    + ") is closed; open a new one");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long[] inputShape(ModelManifest m, int batch) {
        return m.layout() == Layout.NCHW
                ? new long[] {batch, 3, m.inputHeight(), m.inputWidth()}
                : new long[] {batch, m.inputHeight(), m.inputWidth(), 3};
    }

    private static TensorInfo tensorInfo(NodeInfo info, String what, String where) throws ModelException {
        if (!(info.getInfo() instanceof TensorInfo t)) {
            throw new ModelException(where + ": " + what + " is not a tensor (" + info.getInfo() + ")");
        }
        return t;
    }

    private static FloatBuffer directFloats(long count) {
        return directBytes(count * Float.BYTES).asFloatBuffer();
    }

    private static ByteBuffer directBytes(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a tensor buffer of " + bytes + " bytes is too large; lower batch-size");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    private static Buffer directOutput(OnnxJavaType type, long count) {
        return switch (type) {
            case FLOAT -> directFloats(count);
            case INT64 -> directBytes(count * Long.BYTES).asLongBuffer();
            case INT32 -> directBytes(count * Integer.BYTES).asIntBuffer();
            default -> directBytes(count);
        };
    }

    private static String shapeText(long[] dims) {
        StringBuilder sb = new StringBuilder();
        for (long d : dims) {
            sb.append(sb.length() == 0 ? "" : "x").append(d < 0 ? "?" : Long.toString(d));
        }
        return sb.toString();
    }

    private static float millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6f;
    }

    private static void closeQuietly(OrtSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing an ONNX Runtime session failed: {}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "OnnxSegmenter " + manifest.id() + " on " + provider;
    }
}
