package io.segstream.edge.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.core.segment.ExecutionProvider;
import io.segstream.edge.device.TegraStatsMonitor;
import io.segstream.edge.spool.SpoolOptions;
import io.segstream.edge.uplink.SenderOptions;
import io.segstream.ingest.camera.CameraConfigException;
import io.segstream.ingest.camera.CamerasConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything an {@link EdgeAgent} needs, parsed once and checked; messages name the key and the fix.
 *
 * <p>The edge file is a cameras file as {@code ingest} reads it ({@code cameras:}, {@code defaults:}) plus the agent's
 * keys:
 * <pre>{@code
 * bootstrap: kafka.example.net:9092     # the central Kafka
 * spool: /var/lib/segstream/spool       # store and forward (and the agent's state)
 * spool-max-bytes: 4g                   # bound of the spool on disk
 * model: /var/lib/segstream/model       # a model directory; default: the bundled model
 * rules: /etc/segstream/railway.yaml    # alert rules, or a built-in name (railway, road); default railway
 * send-frames: alerts                   # none | alerts | all
 * provider: tensorrt                    # tensorrt | cuda | cpu (falls back to cpu, said once)
 * engine-cache: /var/lib/segstream/trt  # TensorRT engines, kept across restarts
 * catch-up-bytes-per-s: 8m              # bound of the backlog drain after an outage
 * topic-prefix: segstream.              # topic names: PREFIX masks, alerts, frames
 * target: edge                          # release target this agent serves (site name, camera group)
 * health-interval: 10s
 * alert-hook: cat >> /var/log/segstream/alerts.jsonl   # every alert as JSON on the stdin of sh -c COMMAND
 * alert-hook-timeout: 10s
 * tegrastats: auto                      # auto (tegrastats on PATH, if any) | off | its path
 * cameras:
 *   - id: cam-1
 *     url: rtsp://10.0.0.5/stream1
 * }</pre>
 *
 * @param cameras        the cameras, as ingest reads them
 * @param bootstrap      Kafka's {@code host:port[,host:port]}
 * @param topics         topic names
 * @param spoolDir       the spool folder
 * @param spool          its bound and segment size
 * @param sender         how the spool is forwarded
 * @param model          a model directory, or null for the bundled model
 * @param rules          a rules file or built-in rules name, or null for none
 * @param framesPolicy   which frames are sent
 * @param provider       the execution provider asked for
 * @param engineCache    the TensorRT engine cache folder
 * @param target         the release target this agent serves
 * @param healthInterval how often the health line is logged; zero for never
 * @param stopTimeout    how long a stop keeps sending the spool before it leaves the rest for the next start
 * @param alertHook      the site's command for every alert, or null for none
 * @param tegrastats     {@code auto} (NVIDIA's tegrastats on PATH, if any), {@code off}, or its path
 */
public record EdgeOptions(CamerasConfig cameras, String bootstrap, SegstreamTopics topics, Path spoolDir,
        SpoolOptions spool, SenderOptions sender, Path model, String rules, FramesPolicy framesPolicy,
        ExecutionProvider provider, Path engineCache, String target, Duration healthInterval, Duration stopTimeout,
        AlertHookOptions alertHook, String tegrastats) {

    /** Keys of the edge file besides the cameras file's. */
    static final Set<String> KEYS = Set.of("bootstrap", "spool", "spool-max-bytes", "model", "rules", "send-frames",
            "provider", "engine-cache", "catch-up-bytes-per-s", "topic-prefix", "target", "health-interval", "alert-hook",
            "alert-hook-timeout", "tegrastats");

    public EdgeOptions {
        Objects.requireNonNull(cameras, "cameras");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(framesPolicy, "framesPolicy");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(healthInterval, "healthInterval");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (cameras.cameras().isEmpty()) {
            throw new IllegalArgumentException("the edge agent needs at least one camera");
        }
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("bootstrap is required: the central Kafka, e.g. kafka.example.net:9092");
        }
        if (spoolDir == null) {
            throw new IllegalArgumentException("spool is required: a folder on local disk, e.g. /var/lib/segstream/spool");
        }
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("target must name a release target, e.g. edge");
        }
        ReleaseTarget.parseList(target);
        if (engineCache == null) {
            engineCache = spoolDir.resolve("tensorrt-engines");
        }
        if (tegrastats == null || tegrastats.isBlank()) {
            tegrastats = TegraStatsMonitor.AUTO;
        } else if (!tegrastats.equals(TegraStatsMonitor.AUTO) && !tegrastats.equals(TegraStatsMonitor.OFF)) {
            TegraStatsMonitor.locate(tegrastats, null);
        }
    }

    /** Options for these cameras with every other setting at its default. */
    public static EdgeOptions of(CamerasConfig cameras, String bootstrap, Path spoolDir) {
        return new EdgeOptions(cameras, bootstrap, SegstreamTopics.defaults(), spoolDir,
                SpoolOptions.of(SpoolOptions.DEFAULT_MAX_BYTES), SenderOptions.defaults(), null, "railway",
                FramesPolicy.NONE, ExecutionProvider.TENSORRT, null, "edge", Duration.ofSeconds(10),
                Duration.ofSeconds(10), null, "auto");
    }

    /**
     * Reads and checks an edge file; relative paths in it are resolved against its folder.
     *
     * @throws CameraConfigException when the file cannot be read, is not YAML, or its cameras part is wrong
     * @throws IllegalArgumentException when an agent key is wrong
     */
    public static EdgeOptions read(Path file) throws CameraConfigException {
        Object root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new CameraConfigException("cannot read the edge file " + file + ": " + e.getMessage().lines()
                    .findFirst().orElse(""), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CameraConfigException(file + " must be a mapping with 'bootstrap', 'spool' and a 'cameras:' list");
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        map.forEach((k, v) -> entries.put(String.valueOf(k), v));
        Path dir = file.toAbsolutePath().getParent();
        return fromMap(entries, file.toString(), dir);
    }

    /**
     * Reads an edge file already parsed into a map; relative paths are resolved against {@code baseDir}.
     *
     * @throws CameraConfigException when the cameras part is wrong
     * @throws IllegalArgumentException when an agent key is wrong
     */
    public static EdgeOptions fromMap(Map<String, Object> root, String source, Path baseDir)
            throws CameraConfigException {
        Map<String, Object> cameraPart = new LinkedHashMap<>();
        Map<String, Object> agent = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : root.entrySet()) {
            if (e.getKey().equals("cameras") || e.getKey().equals("defaults")) {
                cameraPart.put(e.getKey(), e.getValue());
            } else if (KEYS.contains(e.getKey())) {
                agent.put(e.getKey(), e.getValue());
            } else {
                throw new IllegalArgumentException(source + ": unknown key '" + e.getKey() + "'; known keys: cameras, "
                        + "defaults, " + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        if (!cameraPart.containsKey("cameras")) {
            throw new IllegalArgumentException(source + " needs a 'cameras:' list, as in a cameras file for ingest");
        }
        CamerasConfig cameras = CamerasConfig.fromMap(cameraPart, source);
        String bootstrap = text(agent, "bootstrap", source);
        String spool = text(agent, "spool", source);
        if (spool == null) {
            throw new IllegalArgumentException(source + " needs 'spool:', a folder on local disk for store and forward");
        }
        EdgeOptions o = of(cameras, bootstrap, baseDir.resolve(spool));
        String maxBytes = text(agent, "spool-max-bytes", source);
        SpoolOptions spoolOptions = maxBytes == null ? o.spool() : SpoolOptions.of(SpoolOptions.parseBytes(maxBytes));
        String catchUp = text(agent, "catch-up-bytes-per-s", source);
        SenderOptions sender = catchUp == null ? o.sender()
                : o.sender().withCatchUpBytesPerSecond(SpoolOptions.parseBytes(catchUp));
        String model = text(agent, "model", source);
        String rules = text(agent, "rules", source);
        String frames = text(agent, "send-frames", source);
        String provider = text(agent, "provider", source);
        String engineCache = text(agent, "engine-cache", source);
        String prefix = text(agent, "topic-prefix", source);
        String target = text(agent, "target", source);
        String health = text(agent, "health-interval", source);
        String hook = text(agent, "alert-hook", source);
        String hookTimeout = text(agent, "alert-hook-timeout", source);
        if (hook == null && hookTimeout != null) {
            throw new IllegalArgumentException(source + ": 'alert-hook-timeout' needs 'alert-hook', the command to run");
        }
        return new EdgeOptions(cameras, bootstrap,
                prefix == null ? o.topics() : SegstreamTopics.builder().optPrefix(prefix).build(), o.spoolDir(),
                spoolOptions, sender,
                model == null || model.equals("bundled") ? null : baseDir.resolve(model),
                rules == null ? o.rules() : rules.equals("none") ? null : builtInOrPath(rules, baseDir),
                frames == null ? o.framesPolicy() : FramesPolicy.parse(frames),
                provider == null ? o.provider() : ExecutionProvider.parse(provider),
                engineCache == null ? null : baseDir.resolve(engineCache),
                target == null ? o.target() : target,
                health == null ? o.healthInterval() : seconds(health, "health-interval", source),
                o.stopTimeout(),
                hook == null ? null : new AlertHookOptions(hook, hookTimeout == null ? AlertHookOptions.DEFAULT_TIMEOUT
                        : seconds(hookTimeout, "alert-hook-timeout", source), AlertHookOptions.DEFAULT_QUEUE),
                text(agent, "tegrastats", source));
    }

    private static String builtInOrPath(String rules, Path baseDir) {
        return rules.contains("/") || rules.endsWith(".yaml") || rules.endsWith(".yml")
                ? baseDir.resolve(rules).toString() : rules;
    }

    private static Duration seconds(String text, String key, String source) {
        String t = text.strip();
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).strip()));
            }
            if (t.endsWith("s")) {
                t = t.substring(0, t.length() - 1).strip();
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " '" + text + "' is not a duration; use e.g. 10s",
                    e);
        }
    }

    private static String text(Map<String, Object> map, String key, String source) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof Iterable) {
            throw new IllegalArgumentException(source + ": '" + key + "' must be a single value");
        }
        return v.toString();
    }

    /** A copy with other sender settings. */
    public EdgeOptions withSender(SenderOptions sender) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with another spool bound. */
    public EdgeOptions withSpool(SpoolOptions spool) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with other model, rules and frames settings. */
    public EdgeOptions withModel(Path model, String rules, FramesPolicy framesPolicy) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with other topic names. */
    public EdgeOptions withTopics(SegstreamTopics topics) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with another health interval. */
    public EdgeOptions withHealthInterval(Duration interval) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, interval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with another stop timeout. */
    public EdgeOptions withStopTimeout(Duration timeout) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, timeout, alertHook, tegrastats);
    }

    /** A copy with other cameras. */
    public EdgeOptions withCameras(CamerasConfig cameras) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with another execution provider. */
    public EdgeOptions withProvider(ExecutionProvider provider) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, tegrastats);
    }

    /** A copy with another alert hook (null for none). */
    public EdgeOptions withAlertHook(AlertHookOptions hook) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, hook, tegrastats);
    }

    /** A copy with another tegrastats setting: auto, off or a path. */
    public EdgeOptions withTegrastats(String setting) {
        return new EdgeOptions(cameras, bootstrap, topics, spoolDir, spool, sender, model, rules, framesPolicy,
                provider, engineCache, target, healthInterval, stopTimeout, alertHook, setting);
    }
}
