package io.segstream.inference;

import io.segstream.connectors.kafka.RecordTimestamps;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.WriterSchemas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Settings of the inference job, parsed once from a map of {@code key=value} pairs (command-line
 * {@code --key value} pairs or a properties file), validated with messages that say what to fix.
 *
 * <p>Keys that start with {@code segmenter.} go to the segmenter without the prefix (see
 * {@code SegmenterOptions}): {@code segmenter.provider=TENSORRT}, {@code segmenter.tensorrt.engine-cache=/cache}.
 * Keys that start with {@code store.} go to the model store (see {@link ModelStoreOptions}):
 * {@code store.s3.endpoint=http://minio:9000}, {@code store.s3.path-style=true}.
 *
 * <pre>{@code
 * InferenceJobOptions o = InferenceJobOptions.fromMap(Map.of("bootstrap", "127.0.0.1:9092", "mode", "replay"));
 * }</pre>
 */
public final class InferenceJobOptions {
    /** One typed option: key, default and description. */
    public record Option<T>(String key, T defaultValue, String description, Function<String, T> parser) {}

    public static final Option<String> BOOTSTRAP = new Option<>("bootstrap", "",
            "Kafka bootstrap servers, host:port[,host:port]", s -> s);
    public static final Option<String> TOPIC_PREFIX = new Option<>("topic-prefix", "segstream.",
            "Prefix of the topic names: <prefix>frames, masks, alerts, models, dlq", s -> s);
    public static final Option<String> GROUP_ID = new Option<>("group-id", "segstream-inference",
            "Kafka consumer group of the frames source", s -> s);
    public static final Option<String> MODEL = new Option<>("model", "",
            "Model directory (model.onnx + model.json), or its model-store URI (file://, http(s)://, s3://) that"
                    + " each subtask fetches into model-cache-dir and verifies against the sha256 of its model.json;"
                    + " empty = the bundled baseline model", s -> s);
    public static final Option<String> RULES = new Option<>("rules", "railway",
            "Alert rules: a YAML file, or the name of a built-in set (railway, road)", s -> s);
    public static final Option<Integer> PARALLELISM = new Option<>("parallelism", 1,
            "Parallel segmentation subtasks (each opens its own model)", Integer::parseInt);
    public static final Option<Integer> BATCH_SIZE = new Option<>("batch-size", 4,
            "Micro-batch size B: frames segmented together, in one ONNX Runtime run", Integer::parseInt);
    public static final Option<Long> BATCH_WAIT_MS = new Option<>("batch-wait-ms", 20L,
            "Longest wait T in ms before a partial micro-batch runs", Long::parseLong);
    public static final Option<String> MODE = new Option<>("mode", "live",
            "live skips frames older than the staleness bound; replay skips nothing", s -> s);
    public static final Option<Long> STALENESS_MS = new Option<>("staleness-ms", 5_000L,
            "Live mode: frames older than this (wall clock minus capture time) are counted and skipped",
            Long::parseLong);
    public static final Option<Long> CHECKPOINT_INTERVAL_MS = new Option<>("checkpoint-interval-ms", 2_000L,
            "Checkpoint interval; masks and alerts become visible to read_committed consumers at each checkpoint",
            Long::parseLong);
    public static final Option<Long> OUT_OF_ORDERNESS_MS = new Option<>("out-of-orderness-ms", 500L,
            "Bounded out-of-orderness of capture times for watermarks", Long::parseLong);
    public static final Option<Long> MAX_CLOCK_AHEAD_MS = new Option<>("max-clock-ahead-ms",
            RecordTimestamps.DEFAULT_MAX_AHEAD.toMillis(),
            "Frames whose capture time lies further ahead of the job's clock (or is not after 1970) go to the"
                    + " dead-letter topic: a broken camera clock would otherwise carry the watermark past every"
                    + " other camera's frames",
            Long::parseLong);
    public static final Option<Long> IDLENESS_MS = new Option<>("idleness-ms", 5_000L,
            "A partition silent this long is marked idle so a silent camera does not stall the others",
            Long::parseLong);
    public static final Option<String> TRANSACTIONAL_ID_PREFIX = new Option<>("transactional-id-prefix",
            "segstream-inference", "Prefix of the Kafka transactional ids; unique per job on a cluster", s -> s);
    public static final Option<String> ALERTS_DELIVERY = new Option<>("alerts-delivery", "exactly-once",
            "exactly-once: alerts commit with each checkpoint, like masks; fast: alerts are published as they are"
                    + " raised (idempotent producer, at least once: a failover may repeat an alert, always with the same"
                    + " alert_id and state, so consumers drop the repeats); masks stay exactly-once", s -> s);
    public static final Option<MaskEncoding> MASK_ENCODING = new Option<>("mask-encoding",
            MaskEncoding.RLE, "RLE (run lengths of class ids: the smaller and 4-5x cheaper for a trained model's "
                    + "masks) or PNG_CLASS_IDS (a PNG of class ids, readable by any image tool)",
            s -> MaskEncoding.valueOf(s.toUpperCase()));
    public static final Option<Boolean> FROM_LATEST = new Option<>("from-latest", false,
            "Without committed offsets, start at the end of the frames topic instead of the beginning",
            Boolean::parseBoolean);
    public static final Option<Boolean> MODELS_TOPIC = new Option<>("models-topic", true,
            "Follow the models topic: serve the newest valid release for the job's target at start and hot-swap"
                    + " to each new one; false serves the configured model only", InferenceJobOptions::parseBoolean);
    public static final Option<String> TARGET = new Option<>("target", ReleaseTarget.ALL,
            "Release targets this job answers to, comma-separated (datacenter, edge, a camera group); releases for"
                    + " 'all' always apply", s -> s);
    public static final Option<String> MODEL_CACHE_DIR = new Option<>("model-cache-dir", "",
            "Folder where released models are downloaded and verified; empty = <java.io.tmpdir>/segstream-models",
            s -> s);

    public static final Option<String> WRITER_SCHEMAS = new Option<>("writer-schemas", "",
            "Folder of .avsc files: newer (or older) compatible CameraFrame schema versions the job also decodes;"
                    + " give it a producer's new schema before that producer writes it (schemas/README.md); values"
                    + " written with a schema the job does not know go to the dead-letter topic; empty = none",
            s -> s);

    /** Every option, in the order help lists them. */
    public static final List<Option<?>> ALL = List.of(BOOTSTRAP, TOPIC_PREFIX, GROUP_ID, MODEL, RULES, PARALLELISM,
            BATCH_SIZE, BATCH_WAIT_MS, MODE, STALENESS_MS, CHECKPOINT_INTERVAL_MS, OUT_OF_ORDERNESS_MS,
            MAX_CLOCK_AHEAD_MS, IDLENESS_MS, TRANSACTIONAL_ID_PREFIX, ALERTS_DELIVERY, MASK_ENCODING, FROM_LATEST, MODELS_TOPIC, TARGET,
            MODEL_CACHE_DIR, WRITER_SCHEMAS);

    private static final String SEGMENTER_PREFIX = "segmenter.";
    private static final String STORE_PREFIX = "store.";

    private final Map<String, Object> values;
    private final Map<String, String> segmenterSettings;
    private final Map<String, String> storeSettings;

    private InferenceJobOptions(Map<String, Object> values, Map<String, String> segmenterSettings,
            Map<String, String> storeSettings) {
        this.values = values;
        this.segmenterSettings = segmenterSettings;
        this.storeSettings = storeSettings;
    }

    /** Parses and validates {@code settings}; unknown keys and bad values are errors that name the key. */
    public static InferenceJobOptions fromMap(Map<String, String> settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> segmenter = new LinkedHashMap<>();
        Map<String, String> store = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            if (e.getKey().startsWith(SEGMENTER_PREFIX)) {
                segmenter.put(e.getKey().substring(SEGMENTER_PREFIX.length()), e.getValue());
                continue;
            }
            if (e.getKey().startsWith(STORE_PREFIX)) {
                store.put(e.getKey().substring(STORE_PREFIX.length()), e.getValue());
                continue;
            }
            Option<?> option = ALL.stream().filter(o -> o.key().equals(e.getKey())).findFirst().orElse(null);
            if (option == null) {
                problems.add("unknown option '" + e.getKey() + "'");
                continue;
            }
            try {
                values.put(option.key(), option.parser().apply(e.getValue().trim()));
            } catch (RuntimeException ex) {
                problems.add("option '" + e.getKey() + "' has the bad value '" + e.getValue() + "' ("
                        + option.description() + ")");
            }
        }
        for (Option<?> o : ALL) {
            values.putIfAbsent(o.key(), o.defaultValue());
        }
        oneBatchSize(values, segmenter, problems);
        // a task manager's cores are shared by its slots, the Kafka clients and Flink's own threads: ONNX Runtime's
        // threads sleep between operators instead of spinning (README, Performance: 10-13 % more frames through the
        // pipeline on 2 cores, a quarter less CPU per frame for the same frames/s bare); segmenter.spin-wait=true
        // restores spinning on a task manager with cores to spare
        segmenter.putIfAbsent(SegmenterOptions.SPIN_WAIT.key(), "false");
        InferenceJobOptions options = new InferenceJobOptions(values, Map.copyOf(segmenter), Map.copyOf(store));
        options.sanityCheck(problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("inference job options: " + String.join("; ", problems));
        }
        return options;
    }

    /**
     * The job groups {@code batch-size} frames and the segmenter runs them as one ONNX batch: one setting. A
     * {@code segmenter.batch-size} equal to it is accepted (older configurations set both); a different one is an
     * error, since the job would group frames the segmenter then splits, or wait for frames it never groups.
     */
    private static void oneBatchSize(Map<String, Object> values, Map<String, String> segmenter,
            List<String> problems) {
        String jobBatch = String.valueOf(values.get(BATCH_SIZE.key()));
        String given = segmenter.putIfAbsent(SegmenterOptions.BATCH_SIZE.key(), jobBatch);
        if (given != null && !given.trim().equals(jobBatch)) {
            problems.add("'segmenter.batch-size' (" + given.trim() + ") differs from 'batch-size' (" + jobBatch
                    + "); set batch-size only, it is also the ONNX batch");
        }
    }

    /** Parses {@code --key value} pairs (as the job jar's main receives them). */
    public static InferenceJobOptions fromArgs(String[] args) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + a + "'");
            }
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq > 0) {
                map.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < args.length) {
                map.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException("option --" + key + " needs a value");
            }
        }
        return fromMap(map);
    }

    private void sanityCheck(List<String> problems) {
        if (get(BOOTSTRAP).isBlank()) {
            problems.add("'bootstrap' is required, e.g. bootstrap=127.0.0.1:9092");
        }
        if (!List.of("live", "replay").contains(get(MODE))) {
            problems.add("'mode' must be live or replay, got '" + get(MODE) + "'");
        }
        positive(problems, PARALLELISM, get(PARALLELISM));
        positive(problems, BATCH_SIZE, get(BATCH_SIZE));
        positive(problems, CHECKPOINT_INTERVAL_MS, get(CHECKPOINT_INTERVAL_MS));
        positive(problems, STALENESS_MS, get(STALENESS_MS));
        positive(problems, MAX_CLOCK_AHEAD_MS, get(MAX_CLOCK_AHEAD_MS));
        if (get(BATCH_WAIT_MS) < 0 || get(OUT_OF_ORDERNESS_MS) < 0 || get(IDLENESS_MS) < 0) {
            problems.add("'batch-wait-ms', 'out-of-orderness-ms' and 'idleness-ms' must be >= 0");
        }
        if (!List.of("exactly-once", "fast").contains(get(ALERTS_DELIVERY))) {
            problems.add("'alerts-delivery' must be exactly-once or fast, got '" + get(ALERTS_DELIVERY) + "'");
        }
        if (get(MASK_ENCODING) == MaskEncoding.UNKNOWN) {
            problems.add("'mask-encoding' must be PNG_CLASS_IDS or RLE");
        }
        try {
            ReleaseTarget.parseList(get(TARGET));
        } catch (IllegalArgumentException e) {
            problems.add("'target': " + e.getMessage());
        }
        try {
            ModelStoreOptions.fromMap(storeSettings);
        } catch (IllegalArgumentException e) {
            problems.add("'store.*': " + e.getMessage());
        }
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        };
    }

    private static void positive(List<String> problems, Option<? extends Number> o, Number v) {
        if (v.longValue() <= 0) {
            problems.add("'" + o.key() + "' must be positive, got " + v);
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Option<T> option) {
        return (T) Objects.requireNonNull(values.get(option.key()), option.key());
    }

    /** Settings for the segmenter (keys without the {@code segmenter.} prefix). */
    public Map<String, String> segmenterSettings() {
        return segmenterSettings;
    }

    /** Settings for the model store (keys without the {@code store.} prefix). */
    public ModelStoreOptions storeOptions() {
        return ModelStoreOptions.fromMap(storeSettings);
    }

    /** The release targets this job answers to. */
    public Set<String> targets() {
        return ReleaseTarget.parseList(get(TARGET));
    }

    /** Where released models are downloaded. */
    public Path modelCacheDir() {
        String dir = get(MODEL_CACHE_DIR);
        return dir.isBlank() ? Path.of(System.getProperty("java.io.tmpdir"), "segstream-models") : Path.of(dir);
    }

    /** The extra writer schemas of {@link #WRITER_SCHEMAS}, read from its folder; none when it is empty. */
    public WriterSchemas writerSchemas() {
        String dir = get(WRITER_SCHEMAS);
        return dir.isBlank() ? WriterSchemas.none() : WriterSchemas.load(Path.of(dir));
    }

    public boolean live() {
        return "live".equals(get(MODE));
    }

    /** Whether alerts take the fast path: published as raised, at least once, instead of with each checkpoint. */
    public boolean fastAlerts() {
        return "fast".equals(get(ALERTS_DELIVERY));
    }

    /** How far ahead of the job's clock a capture time may lie. */
    public Duration maxClockAhead() {
        return Duration.ofMillis(get(MAX_CLOCK_AHEAD_MS));
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(get(CHECKPOINT_INTERVAL_MS));
    }

    /** Help text: every key with its default and description. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (Option<?> o : ALL) {
            sb.append(String.format("  %-26s %s (default: %s)%n", o.key(), o.description(),
                    String.valueOf(o.defaultValue()).isEmpty() ? "none" : o.defaultValue()));
        }
        sb.append(String.format("  %-26s %s%n", "segmenter.*", "Segmenter options, e.g. segmenter.provider=CUDA"));
        ModelStoreOptions.KEYS.forEach((k, d) -> sb.append(String.format("  %-26s %s%n", STORE_PREFIX + k, d)));
        return sb.toString();
    }

    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>(values);
        segmenterSettings.forEach((k, v) -> shown.put(SEGMENTER_PREFIX + k, v));
        storeSettings.forEach((k, v) -> shown.put(STORE_PREFIX + k, v));
        return shown.toString();
    }
}
