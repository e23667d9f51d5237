package io.segstream.connectors.models;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of a {@link ModelStore}: how to reach S3-compatible stores and how long to wait for HTTP. Parsed once
 * from a string map (job configuration, CLI options); serializable so that Flink operators can hold them.
 *
 * <p>S3 credentials are never options: they come from the AWS SDK's default chain (environment
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, system properties, profile files, container or
 * instance roles), or no credentials at all with {@code s3.anonymous=true}.
 *
 * <pre>{@code
 * ModelStoreOptions minio = ModelStoreOptions.fromMap(Map.of(
 *         "s3.endpoint", "http://minio:9000", "s3.path-style", "true", "s3.region", "us-east-1"));
 * }</pre>
 *
 * @param s3Endpoint  endpoint of an S3-compatible store, e.g. {@code http://minio:9000}; empty for AWS S3
 * @param s3Region    signing region; empty: the SDK's default chain ({@code AWS_REGION}, profile), or
 *                    {@code us-east-1} when an endpoint is set
 * @param s3PathStyle address buckets as {@code endpoint/bucket/key} instead of {@code bucket.endpoint/key}
 * @param s3Anonymous send unsigned requests (public buckets, test stores)
 * @param timeout     connect and read timeout of HTTP and S3 requests
 */
public record ModelStoreOptions(String s3Endpoint, String s3Region, boolean s3PathStyle, boolean s3Anonymous,
        Duration timeout) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Key of {@link #s3Endpoint()}. */
    public static final String S3_ENDPOINT = "s3.endpoint";
    /** Key of {@link #s3Region()}. */
    public static final String S3_REGION = "s3.region";
    /** Key of {@link #s3PathStyle()}. */
    public static final String S3_PATH_STYLE = "s3.path-style";
    /** Key of {@link #s3Anonymous()}. */
    public static final String S3_ANONYMOUS = "s3.anonymous";
    /** Key of {@link #timeout()}, in milliseconds. */
    public static final String TIMEOUT_MS = "timeout-ms";

    /** Every key with its description, for help texts. */
    public static final Map<String, String> KEYS = Map.of(
            S3_ENDPOINT, "endpoint of an S3-compatible store (MinIO, Ceph, ...), e.g. http://minio:9000; empty: AWS",
            S3_REGION, "S3 signing region; empty: AWS_REGION or the profile, us-east-1 with an endpoint",
            S3_PATH_STYLE, "true: address buckets as endpoint/bucket/key (most S3-compatible stores need it)",
            S3_ANONYMOUS, "true: unsigned S3 requests (public buckets); otherwise the AWS default credentials",
            TIMEOUT_MS, "connect and read timeout of store requests in milliseconds (default 30000)");

    public ModelStoreOptions {
        s3Endpoint = s3Endpoint == null ? "" : s3Endpoint.strip();
        s3Region = s3Region == null ? "" : s3Region.strip();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("model store timeout must be positive, got " + timeout);
        }
        if (!s3Endpoint.isEmpty() && !(s3Endpoint.startsWith("http://") || s3Endpoint.startsWith("https://"))) {
            throw new IllegalArgumentException(S3_ENDPOINT + " must be an http:// or https:// URL, got '"
                    + s3Endpoint + "'");
        }
    }

    /** AWS S3 through the default credential chain, 30 s timeouts. */
    public static ModelStoreOptions defaults() {
        return new ModelStoreOptions("", "", false, false, Duration.ofSeconds(30));
    }

    /**
     * Options from string values keyed by {@link #KEYS}; missing keys take their defaults.
     *
     * @throws IllegalArgumentException naming every unknown key and bad value
     */
    public static ModelStoreOptions fromMap(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        for (String key : settings.keySet()) {
            if (!KEYS.containsKey(key)) {
                problems.add("unknown model store option '" + key + "' (known: " + KEYS.keySet() + ")");
            }
        }
        boolean pathStyle = bool(settings, S3_PATH_STYLE, problems);
        boolean anonymous = bool(settings, S3_ANONYMOUS, problems);
        long timeoutMs = 30_000;
        String t = settings.get(TIMEOUT_MS);
        if (t != null) {
            try {
                timeoutMs = Long.parseLong(t.strip());
            } catch (NumberFormatException e) {
                problems.add(TIMEOUT_MS + " must be a whole number of milliseconds, got '" + t + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("model store options: " + String.join("; ", problems));
        }
        return new ModelStoreOptions(settings.getOrDefault(S3_ENDPOINT, ""), settings.getOrDefault(S3_REGION, ""),
                pathStyle, anonymous, Duration.ofMillis(timeoutMs));
    }

    /** The endpoint override, when one is set. */
    public Optional<String> endpoint() {
        return s3Endpoint.isEmpty() ? Optional.empty() : Optional.of(s3Endpoint);
    }

    private static boolean bool(Map<String, String> settings, String key, List<String> problems) {
        String v = settings.get(key);
        if (v == null) {
            return false;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> {
                problems.add(key + " must be true or false, got '" + v + "'");
                yield false;
            }
        };
    }
}
