package io.segstream.connectors.models;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * A bucket and key parsed from an {@code s3://bucket/key} URI, checked against S3's bucket naming rules.
 *
 * <pre>{@code
 * S3Location root = S3Location.parse(URI.create("s3://models/rail/"));   // bucket models, key prefix "rail/"
 * S3Location onnx = root.child("colour/2/model.onnx");                   // key "rail/colour/2/model.onnx"
 * }</pre>
 *
 * @param bucket the bucket name
 * @param key    the object key or key prefix, without a leading slash; empty for the bucket's root
 */
public record S3Location(String bucket, String key) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name: use 3 to 63 lower-case"
                    + " letters, digits, dots and hyphens, starting and ending with a letter or digit");
        }
        if (key == null || key.startsWith("/")) {
            throw new IllegalArgumentException("an S3 key must not start with '/', got '" + key + "'");
        }
    }

    /**
     * The location an {@code s3://bucket/key} URI names.
     *
     * @throws IllegalArgumentException when the URI is not {@code s3://}, has no bucket, or carries a query
     */
    public static S3Location parse(URI uri) {
        if (uri == null || !"s3".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("expected an s3://bucket/key URI, got '" + uri + "'");
        }
        String bucket = uri.getAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' names no bucket; write s3://BUCKET/PREFIX");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + uri + "' has a query or fragment; an S3 model URI is only"
                    + " s3://BUCKET/PREFIX");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new S3Location(bucket, path.startsWith("/") ? path.substring(1) : path);
    }

    /** The location of {@code relative} below this key, read as a folder. */
    public S3Location child(String relative) {
        String r = relative.startsWith("/") ? relative.substring(1) : relative;
        if (key.isEmpty()) {
            return new S3Location(bucket, r);
        }
        return new S3Location(bucket, key.endsWith("/") ? key + r : key + "/" + r);
    }

    /** The location as an {@code s3://} URI. */
    public URI toUri() {
        return URI.create("s3://" + bucket + "/" + key);
    }

    @Override
    public String toString() {
        return toUri().toString();
    }
}
