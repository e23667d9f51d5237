package io.segstream.core.segment;

import io.segstream.core.imaging.FrameDecoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed settings of an {@link OnnxSegmenter}, each an {@link Option} with key, default and description.
 * Parsed once (from a builder or a string map such as job configuration), checked in one place, printable
 * for the start-up log.
 *
 * <pre>{@code
 * SegmenterOptions cpu = SegmenterOptions.defaults();
 * SegmenterOptions trt = SegmenterOptions.builder()
 *         .optProvider(ExecutionProvider.TENSORRT).optTensorRtEngineCache(Path.of("/var/cache/trt"))
 *         .optBatchSize(4).build();
 * SegmenterOptions fromConfig = SegmenterOptions.fromMap(Map.of("provider", "cuda", "batch-size", "8"));
 * }</pre>
 */
public final class SegmenterOptions {
    /**
     * One setting: key, type, default and what it does.
     *
     * @param <T> value type
     */
    public static final class Option<T> {
        private final String key;
        private final T defaultValue;
        private final String description;
        private final Function<String, T> parser;

        private Option(String key, T defaultValue, String description, Function<String, T> parser) {
            this.key = key;
            this.defaultValue = defaultValue;
            this.description = description;
            this.parser = parser;
        }

        public String key() {
            return key;
        }

        public T defaultValue() {
            return defaultValue;
        }

        public String description() {
            return description;
        }

        T parse(String text) {
            return parser.apply(text.trim());
        }
    }

    public static final Option<ExecutionProvider> PROVIDER = new Option<>("provider", ExecutionProvider.CPU,
            "where ONNX Runtime runs the model: cpu, cuda or tensorrt; an unavailable GPU provider falls back to "
                    + "cpu with one warning", ExecutionProvider::parse);
    public static final Option<Integer> DEVICE_ID = new Option<>("device-id", 0,
            "GPU ordinal for cuda and tensorrt", Integer::parseInt);
    public static final Option<Integer> BATCH_SIZE = new Option<>("batch-size", 1,
            "most frames one inference call takes; larger batches use more memory and raise latency",
            Integer::parseInt);
    public static final Option<Integer> INTRA_OP_THREADS = new Option<>("intra-op-threads", 0,
            "threads ONNX Runtime uses within one operator; 0 lets ONNX Runtime use one per physical core",
            Integer::parseInt);
    public static final Option<Integer> FRAME_THREADS = new Option<>("frame-threads", 0,
            "threads that decode, preprocess and mask the frames of a batch side by side (the network itself runs on "
                    + "intra-op-threads); 0 takes as many as intra-op-threads (one per core when that is 0 too), 1 "
                    + "does it all on the calling thread; never more than the batch size (README, Performance)",
            Integer::parseInt);
    public static final Option<Boolean> SPIN_WAIT = new Option<>("spin-wait", false,
            "let ONNX Runtime's threads spin between operators; off by default, as a spinning thread takes the core "
                    + "the frame threads, decoding, Kafka and other subtasks need (README, Performance: the bare "
                    + "segmenter at batch 4 ran 105-115 frames/s without spinning against 76-86 with it); on may "
                    + "lower the latency of a machine that does nothing else", SegmenterOptions::parseBoolean);
    public static final Option<Boolean> ARGMAX_IN_GRAPH = new Option<>("argmax-in-graph", false,
            "for a model that outputs class scores, append the argmax to its graph so that ONNX Runtime returns class "
                    + "ids (uint8) and the scores never leave it; off by default, as on CPU ONNX Runtime's ArgMax was "
                    + "slower than segstream's (README, Performance); worth measuring on a GPU, where it saves copying "
                    + "the scores back", SegmenterOptions::parseBoolean);
    public static final Option<Boolean> FUSED_UPSAMPLING = new Option<>("fused-upsampling", true,
            "on CPU, for a model whose class scores end in a bilinear upsampling (Resize, or segstream's repeat and "
                    + "average pooling), run the model without it and upsample in the argmax, only where the class can "
                    + "change: the same masks for about half the network time on real-time models (README, "
                    + "Performance); checked against the whole model when the model opens; GPU providers keep the "
                    + "graph as it is", SegmenterOptions::parseBoolean);
    public static final Option<Boolean> TENSORRT_FP16 = new Option<>("tensorrt.fp16", true,
            "let TensorRT run layers in 16-bit floats (faster on every recent NVIDIA GPU and Jetson)",
            SegmenterOptions::parseBoolean);
    public static final Option<String> TENSORRT_ENGINE_CACHE = new Option<>("tensorrt.engine-cache", "",
            "folder where TensorRT keeps the engines it builds, so a restart skips the build; empty: no cache",
            Function.identity());
    public static final Option<Long> TENSORRT_WORKSPACE_BYTES = new Option<>("tensorrt.workspace-bytes", 1L << 30,
            "GPU memory TensorRT may use while it builds and runs an engine", Long::parseLong);

    public static final Option<Long> MAX_FRAME_PIXELS = new Option<>("max-frame-pixels",
            FrameDecoder.DEFAULT_MAX_PIXELS,
            "most pixels (width x height) a frame may have; larger frames are refused before decoding, so a"
                    + " decompression bomb cannot exhaust memory (default 8192x8192)", Long::parseLong);

    public static final Option<String> JPEG_DECODER = new Option<>("jpeg-decoder", FrameDecoder.AUTO,
            "which decoder JPEG frames go to: auto (default: ffmpeg where the jpeg-ffmpeg module is on the class "
                    + "path, as in the job and the edge agent, else imageio), ffmpeg (FFmpeg's decoder, leaving the "
                    + "YCbCr planes the preprocessing reads: about 1.5 ms less a 1024x512 frame here, the same mIoU "
                    + "and the same alert figures over 16 drives; README, Performance) or imageio; frames FFmpeg does "
                    + "not decode go to ImageIO", Function.identity());

    /** Every option, in documentation order. */
    public static final List<Option<?>> ALL = List.of(PROVIDER, DEVICE_ID, BATCH_SIZE, INTRA_OP_THREADS,
            FRAME_THREADS, SPIN_WAIT, ARGMAX_IN_GRAPH, FUSED_UPSAMPLING, TENSORRT_FP16, TENSORRT_ENGINE_CACHE,
            TENSORRT_WORKSPACE_BYTES, MAX_FRAME_PIXELS, JPEG_DECODER);

    private final Map<Option<?>, Object> values;

    private SegmenterOptions(Map<Option<?>, Object> values) {
        this.values = Map.copyOf(values);
    }

    /** Every option at its default (CPU, batches of one). */
    public static SegmenterOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options from string values keyed by {@link Option#key()}; missing keys take their defaults.
     *
     * @throws IllegalArgumentException for an unknown key or a value that does not parse, naming the key
     */
    public static SegmenterOptions fromMap(Map<String, String> settings) {
        Builder b = builder();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            Option<?> option = ALL.stream().filter(o -> o.key.equals(e.getKey())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown segmenter option '" + e.getKey()
                            + "'; known options are " + ALL.stream().map(Option::key).toList()));
            try {
                b.values.put(option, option.parse(e.getValue()));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("segmenter option " + option.key + " = '" + e.getValue()
                        + "' does not parse: " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    /** The value of {@code option}. */
    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return (T) values.getOrDefault(option, option.defaultValue);
    }

    public ExecutionProvider provider() {
        return get(PROVIDER);
    }

    public int deviceId() {
        return get(DEVICE_ID);
    }

    public int batchSize() {
        return get(BATCH_SIZE);
    }

    public int intraOpThreads() {
        return get(INTRA_OP_THREADS);
    }

    /** Threads for the per-frame work of a batch; 0: as many as {@link #intraOpThreads()}. */
    public int frameThreads() {
        return get(FRAME_THREADS);
    }

    public boolean spinWait() {
        return get(SPIN_WAIT);
    }

    /** Whether a scores model gets its argmax appended to the graph. */
    public boolean argMaxInGraph() {
        return get(ARGMAX_IN_GRAPH);
    }

    /** Whether a scores model's final bilinear upsampling runs fused with the argmax (see {@link #FUSED_UPSAMPLING}). */
    public boolean fusedUpsampling() {
        return get(FUSED_UPSAMPLING);
    }

    public boolean tensorRtFp16() {
        return get(TENSORRT_FP16);
    }

    /** The TensorRT engine cache folder, when one is set. */
    public Optional<Path> tensorRtEngineCache() {
        String dir = get(TENSORRT_ENGINE_CACHE);
        return dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    public long tensorRtWorkspaceBytes() {
        return get(TENSORRT_WORKSPACE_BYTES);
    }

    /** The most pixels a frame may have; see {@link #MAX_FRAME_PIXELS}. */
    public long maxFramePixels() {
        return get(MAX_FRAME_PIXELS);
    }

    /** The JPEG decoder choice; see {@link #JPEG_DECODER} and {@link FrameDecoder#open}. */
    public String jpegDecoder() {
        return get(JPEG_DECODER);
    }

    /** A copy with another provider (used for the CPU fallback). */
    public SegmenterOptions withProvider(ExecutionProvider provider) {
        Builder b = builder();
        b.values.putAll(values);
        return b.optProvider(provider).build();
    }

    /** {@code key=value} pairs of every option, for the start-up log. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Option<?> o : ALL) {
            Object v = get(o);
            parts.add(o.key + "=" + (v instanceof ExecutionProvider p ? p.name().toLowerCase(Locale.ROOT) : v));
        }
        return String.join(" ", parts);
    }

    /** A table of every option with its default and description, for {@code --help} texts. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        int width = ALL.stream().mapToInt(o -> o.key.length()).max().orElse(0);
        for (Option<?> o : ALL) {
            sb.append(String.format("  %-" + width + "s  (default %s) %s%n", o.key, o.defaultValue, o.description));
        }
        return sb.toString();
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        };
    }

    /** Builds {@link SegmenterOptions}; every option is optional. */
    public static final class Builder {
        private final Map<Option<?>, Object> values = new LinkedHashMap<>();

        private Builder() {}

        public Builder optProvider(ExecutionProvider provider) {
            values.put(PROVIDER, Objects.requireNonNull(provider, "provider"));
            return this;
        }

        public Builder optDeviceId(int deviceId) {
            values.put(DEVICE_ID, deviceId);
            return this;
        }

        public Builder optBatchSize(int batchSize) {
            values.put(BATCH_SIZE, batchSize);
            return this;
        }

        public Builder optIntraOpThreads(int threads) {
            values.put(INTRA_OP_THREADS, threads);
            return this;
        }

        public Builder optFrameThreads(int threads) {
            values.put(FRAME_THREADS, threads);
            return this;
        }

        public Builder optSpinWait(boolean spin) {
            values.put(SPIN_WAIT, spin);
            return this;
        }

        public Builder optArgMaxInGraph(boolean inGraph) {
            values.put(ARGMAX_IN_GRAPH, inGraph);
            return this;
        }

        public Builder optFusedUpsampling(boolean fused) {
            values.put(FUSED_UPSAMPLING, fused);
            return this;
        }

        public Builder optTensorRtFp16(boolean fp16) {
            values.put(TENSORRT_FP16, fp16);
            return this;
        }

        public Builder optTensorRtEngineCache(Path dir) {
            values.put(TENSORRT_ENGINE_CACHE, dir.toString());
            return this;
        }

        public Builder optTensorRtWorkspaceBytes(long bytes) {
            values.put(TENSORRT_WORKSPACE_BYTES, bytes);
            return this;
        }

        public Builder optMaxFramePixels(long pixels) {
            values.put(MAX_FRAME_PIXELS, pixels);
            return this;
        }

        /** {@code auto}, {@code imageio} or a native decoder's name; see {@link #JPEG_DECODER}. */
        public Builder optJpegDecoder(String choice) {
            values.put(JPEG_DECODER, choice);
            return this;
        }

        /**
         * Checks every value and returns the options.
         *
         * @throws IllegalArgumentException listing every value out of range
         */
        public SegmenterOptions build() {
            SegmenterOptions o = new SegmenterOptions(values);
            List<String> problems = new ArrayList<>();
            if (o.deviceId() < 0) {
                problems.add(DEVICE_ID.key + " must be 0 or more, got " + o.deviceId());
            }
            if (o.batchSize() < 1 || o.batchSize() > 256) {
                problems.add(BATCH_SIZE.key + " must be 1..256, got " + o.batchSize());
            }
            if (o.intraOpThreads() < 0) {
                problems.add(INTRA_OP_THREADS.key + " must be 0 (ONNX Runtime chooses) or more, got "
                        + o.intraOpThreads());
            }
            if (o.frameThreads() < 0 || o.frameThreads() > 256) {
                problems.add(FRAME_THREADS.key + " must be 0 (as many as intra-op-threads) to 256, got "
                        + o.frameThreads());
            }
            if (o.tensorRtWorkspaceBytes() < (1 << 20)) {
                problems.add(TENSORRT_WORKSPACE_BYTES.key + " must be at least 1 MiB, got " + o.tensorRtWorkspaceBytes());
            }
            if (o.maxFramePixels() < 1) {
                problems.add(MAX_FRAME_PIXELS.key + " must be at least 1, got " + o.maxFramePixels()
                        + "; e.g. 67108864 for 8192x8192");
            }
            if (o.jpegDecoder().isBlank()) {
                problems.add(JPEG_DECODER.key + " must be auto, imageio or a decoder's name such as ffmpeg");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("segmenter options are not valid: " + String.join("; ", problems));
            }
            return o;
        }
    }
}
