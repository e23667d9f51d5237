package io.segstream.ingest.camera;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.config.SafeYaml;
import io.segstream.core.frames.CameraIds;
import io.segstream.ingest.grab.FrameSize;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.RtspTransport;
import io.segstream.ingest.grab.SourceKind;
import io.segstream.ingest.grab.SourceSpec;
import io.segstream.ingest.replay.Pace;
import io.segstream.schemas.ImageEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cameras of an ingest process, parsed once from YAML and validated; messages name the file, the camera and the
 * key to fix.
 *
 * <pre>{@code
 * defaults:                 # optional, any camera key but id/url/device/path
 *   fps: 10
 *   resize: 1024x512
 * cameras:
 *   - id: cam-1
 *     url: rtsp://10.0.0.5/stream1      # or device: /dev/video0, or path: drive.mp4 / image folder
 *     rtspTransport: tcp                # tcp | udp
 *     fps: 5                            # cap
 *     encoding: jpeg                    # jpeg | png | raw_rgb24
 *     jpegQuality: 85
 *     encoderThreads: 1                 # JPEG slices encoded in parallel (bigger files)
 *     readTimeout: 5s
 *     stallTimeout: 15s
 *     attributes: {line: L12, km_post: "34.2"}
 *   - id: drive-a
 *     path: /data/drive.mp4             # recordings default to mode: replay
 *     pace: realtime                    # realtime | max | xN
 *     loop: true
 * }</pre>
 */
public record CamerasConfig(List<CameraConfig> cameras) {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");
    private static final Set<String> SOURCE_KEYS = Set.of("url", "device", "path");
    private static final Set<String> SETTING_KEYS = Set.of("mode", "fps", "encoding", "jpegQuality", "resize",
            "readTimeout", "stallTimeout", "rtspTransport", "inputFormat", "captureSize", "sequenceFps", "pace", "loop",
            "driveId", "queueFrames", "attributes", "encoderThreads");

    public CamerasConfig {
        cameras = List.copyOf(cameras);
    }

    /** Reads and validates a cameras file. */
    public static CamerasConfig read(Path file) throws CameraConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CameraConfigException("cannot read the cameras file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public static CamerasConfig parse(String yaml, String source) throws CameraConfigException {
        if (yaml.isBlank()) {
            throw new CameraConfigException(source + " is empty; it needs a 'cameras:' list");
        }
        try {
            SafeYaml.requireSize(yaml, source);
        } catch (IllegalArgumentException e) {
            throw new CameraConfigException(e.getMessage());
        }
        Object root;
        try {
            root = new ObjectMapper(SafeYaml.factory()).readValue(yaml, Object.class);
        } catch (JacksonException e) {
            throw new CameraConfigException(source + " is not valid YAML" + where(e) + ": " + problem(e), e);
        }
        if (root == null) {
            throw new CameraConfigException(source + " is empty; it needs a 'cameras:' list");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new CameraConfigException(source + " must be a mapping with a 'cameras:' list");
        }
        return fromMap(castMap(map), source);
    }

    private static String where(JacksonException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /** The parser's explanation on one line, without its source excerpts and position lines. */
    private static String problem(JacksonException e) {
        String msg = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        List<String> parts = msg.lines()
                .filter(l -> !l.isBlank() && !l.startsWith(" in ") && !l.startsWith("    ") && !l.startsWith(" at ["))
                .map(String::strip)
                .toList();
        return parts.isEmpty() ? msg.strip() : String.join(", ", parts);
    }

    /** Builds the configuration from an already parsed map (tests pass maps). */
    public static CamerasConfig fromMap(Map<String, Object> root, String source) throws CameraConfigException {
        for (String key : root.keySet()) {
            if (!key.equals("cameras") && !key.equals("defaults")) {
                throw new CameraConfigException(source + ": unknown top-level key '" + key
                        + "'; expected 'cameras' and optionally 'defaults'");
            }
        }
        Map<String, Object> defaults = Map.of();
        if (root.get("defaults") != null) {
            if (!(root.get("defaults") instanceof Map<?, ?> d)) {
                throw new CameraConfigException(source + ": 'defaults' must be a mapping of camera settings");
            }
            defaults = castMap(d);
            for (String key : defaults.keySet()) {
                if (!SETTING_KEYS.contains(key)) {
                    throw new CameraConfigException(source + ": 'defaults' has unknown key '" + key + "'; known keys: "
                            + new TreeSet<>(SETTING_KEYS));
                }
            }
        }
        Object list = root.get("cameras");
        if (!(list instanceof List<?> items)) {
            throw new CameraConfigException(source
                    + ": 'cameras' must be a list of cameras, each with an id and one of "
                    + "url, device or path");
        }
        List<CameraConfig> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Map<?, ?> m)) {
                throw new CameraConfigException(source + ": cameras[" + i + "] must be a mapping with an id and a url, "
                        + "device or path");
            }
            Map<String, Object> merged = new LinkedHashMap<>(defaults);
            merged.putAll(castMap(m));
            CameraConfig cam = camera(merged, source + ": cameras[" + i + "]");
            if (!ids.add(cam.id())) {
                throw new CameraConfigException(source + ": cameras[" + i + "]: camera id '" + cam.id()
                        + "' is used twice; ids must be unique");
            }
            out.add(cam);
        }
        return new CamerasConfig(out);
    }

    private static CameraConfig camera(Map<String, Object> m, String where) throws CameraConfigException {
        Object rawId = m.get("id");
        if (rawId == null) {
            throw new CameraConfigException(where + ": needs an 'id' (the camera's name: its Kafka key, metric label"
                    + " and log name)");
        }
        String id = rawId.toString();
        // the job's rule: a camera it would dead-letter frame by frame is refused here, once, naming the file
        Optional<String> problem = CameraIds.problem(id);
        if (problem.isPresent()) {
            throw new CameraConfigException(where + ": " + problem.get());
        }
        String at = where + " (" + id + ")";
        for (String key : m.keySet()) {
            if (!key.equals("id") && !SOURCE_KEYS.contains(key) && !SETTING_KEYS.contains(key)) {
                throw new CameraConfigException(at + ": unknown key '" + key + "'; known keys: id, url, device, path, "
                        + String.join(", ", new TreeSet<>(SETTING_KEYS)));
            }
        }
        List<String> given = SOURCE_KEYS.stream().filter(m::containsKey).sorted().toList();
        if (given.size() != 1) {
            throw new CameraConfigException(at + ": needs exactly one of url, device or path, got "
                    + (given.isEmpty() ? "none" : String.join(" and ", given)));
        }
        String location = string(m, given.get(0), at);
        SourceSpec.Builder sb = SourceSpec.builder().setLocation(location);
        if (given.get(0).equals("device")) {
            sb.optKind(SourceKind.DEVICE);
        }
        try {
            if (m.containsKey("rtspTransport")) {
                sb.optRtspTransport(enumValue(RtspTransport.class, string(m, "rtspTransport", at), "rtspTransport",
                        at));
            }
            if (m.containsKey("readTimeout")) {
                sb.optReadTimeout(duration(m, "readTimeout", at));
            }
            if (m.containsKey("inputFormat")) {
                sb.optInputFormat(string(m, "inputFormat", at));
            }
            if (m.containsKey("captureSize")) {
                sb.optCaptureSize(FrameSize.parse(string(m, "captureSize", at)));
            }
            if (m.containsKey("sequenceFps")) {
                sb.optSequenceFps(positive(m, "sequenceFps", at));
            }
            SourceSpec spec = sb.build();

            CameraMode mode = m.containsKey("mode")
                    ? enumValue(CameraMode.class, string(m, "mode", at), "mode", at)
                    : spec.kind().liveByDefault() ? CameraMode.LIVE : CameraMode.REPLAY;
            double fps = m.containsKey("fps") ? positive(m, "fps", at) : 0;
            ImageEncoding encoding = m.containsKey("encoding")
                    ? enumValue(ImageEncoding.class, string(m, "encoding", at), "encoding", at) : ImageEncoding.JPEG;
            int quality = m.containsKey("jpegQuality") ? (int) number(m, "jpegQuality", at) : 90;
            FrameSize resize = m.containsKey("resize") ? FrameSize.parse(string(m, "resize", at)) : null;
            int encoderThreads = m.containsKey("encoderThreads") ? (int) number(m, "encoderThreads", at) : 1;
            ImageOptions image = new ImageOptions(encoding, quality, resize, encoderThreads);
            Pace pace = m.containsKey("pace") ? Pace.parse(string(m, "pace", at)) : Pace.REALTIME;
            boolean loop = m.containsKey("loop") && bool(m, "loop", at);
            String driveId = m.containsKey("driveId") ? string(m, "driveId", at) : null;
            Duration stall = m.containsKey("stallTimeout") ? duration(m, "stallTimeout", at) : Duration.ofSeconds(15);
            int queue = m.containsKey("queueFrames") ? (int) number(m, "queueFrames", at) : 4;
            if (queue < 1) {
                throw new CameraConfigException(at + ": 'queueFrames' must be at least 1, got " + queue);
            }
            if (stall.compareTo(spec.readTimeout()) < 0) {
                throw new CameraConfigException(at + ": 'stallTimeout' (" + stall.toMillis()
                        + " ms) must not be shorter "
                        + "than 'readTimeout' (" + spec.readTimeout().toMillis() + " ms)");
            }
            return new CameraConfig(id, spec, mode, fps, image, attributes(m, at), pace, loop, driveId, stall, queue);
        } catch (IllegalArgumentException e) {
            throw new CameraConfigException(at + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> attributes(Map<String, Object> m, String at) throws CameraConfigException {
        Object a = m.get("attributes");
        if (a == null) {
            return Map.of();
        }
        if (!(a instanceof Map<?, ?> map)) {
            throw new CameraConfigException(at + ": 'attributes' must be a mapping of names to values, "
                    + "for example {line: L12, km_post: \"34.2\"}");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (e.getValue() instanceof Map || e.getValue() instanceof List) {
                throw new CameraConfigException(at + ": attribute '" + e.getKey() + "' must be a plain value");
            }
            out.put(String.valueOf(e.getKey()), e.getValue() == null ? "" : String.valueOf(e.getValue()));
        }
        return out;
    }

    private static String string(Map<String, Object> m, String key, String at) throws CameraConfigException {
        Object v = m.get(key);
        if (v == null || v instanceof Map || v instanceof List || v.toString().isBlank()) {
            throw new CameraConfigException(at + ": '" + key + "' needs a value");
        }
        return v.toString().strip();
    }

    private static double number(Map<String, Object> m, String key, String at) throws CameraConfigException {
        Object v = m.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw new CameraConfigException(at + ": '" + key + "' must be a number, got '" + v + "'");
        }
    }

    private static double positive(Map<String, Object> m, String key, String at) throws CameraConfigException {
        double v = number(m, key, at);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new CameraConfigException(at + ": '" + key + "' must be a positive number, got " + m.get(key));
        }
        return v;
    }

    private static boolean bool(Map<String, Object> m, String key, String at) throws CameraConfigException {
        Object v = m.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).strip().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new CameraConfigException(at + ": '" + key + "' must be true or false, got '" + v + "'");
    }

    /** {@code 5s}, {@code 500ms}, {@code 2m} or a number of seconds. */
    static Duration duration(Map<String, Object> m, String key, String at) throws CameraConfigException {
        Object v = m.get(key);
        Matcher d = DURATION.matcher(String.valueOf(v).strip().toLowerCase(Locale.ROOT));
        if (!d.matches() || Double.parseDouble(d.group(1)) <= 0) {
            throw new CameraConfigException(at + ": '" + key
                    + "' must be a positive duration such as 5s, 500ms or 2m, got '"
                    + v + "'");
        }
        double value = Double.parseDouble(d.group(1));
        String unit = d.group(2) == null ? "s" : d.group(2);
        double millis = switch (unit) {
            case "ms" -> value;
            case "m" -> value * 60_000;
            default -> value * 1000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String key, String at)
            throws CameraConfigException {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new CameraConfigException(at + ": '" + key + "' must be one of " + names + ", got '" + value + "'");
        }
    }

    private static Map<String, Object> castMap(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    /** The camera with this id, or null. */
    public CameraConfig camera(String id) {
        for (CameraConfig c : cameras) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        return null;
    }
}
