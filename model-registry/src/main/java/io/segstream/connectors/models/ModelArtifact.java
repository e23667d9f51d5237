package io.segstream.connectors.models;

import io.segstream.schemas.ModelRelease;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stored model directory and what its {@code model.onnx} must be: the part of a {@link ModelRelease} that a
 * download is checked against.
 *
 * @param name      model name
 * @param version   model version
 * @param uri       the directory holding {@code model.onnx} and {@code model.json}
 * @param sha256    lower-case hex SHA-256 of {@code model.onnx}
 * @param sizeBytes size of {@code model.onnx}
 */
public record ModelArtifact(String name, String version, URI uri, String sha256, long sizeBytes)
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ModelArtifact {
        requireSafe("model name", name);
        requireSafe("model version", version);
        Objects.requireNonNull(uri, "uri");
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("the SHA-256 of model " + name + ":" + version
                    + " must be 64 lower-case hex digits, got '" + sha256 + "'");
        }
        if (sizeBytes <= 0) {
            throw new IllegalArgumentException("the size of model " + name + ":" + version
                    + " must be positive, got " + sizeBytes);
        }
    }

    /**
     * What {@code release} promises.
     *
     * @throws IllegalArgumentException when the release's name, version, URI, SHA-256 or size is malformed
     */
    public static ModelArtifact of(ModelRelease release) {
        URI uri;
        try {
            uri = new URI(release.getArtifactUri());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("release " + release.getName() + ":" + release.getVersion()
                    + " has the malformed artifact URI '" + release.getArtifactUri() + "'", e);
        }
        return new ModelArtifact(release.getName(), release.getVersion(), uri, release.getSha256(),
                release.getSizeBytes());
    }

    /** {@code name:version}. */
    public String id() {
        return name + ":" + version;
    }

    /** The URI of one file of the directory, e.g. {@code model.onnx}. */
    public URI file(String fileName) {
        return ModelStore.child(uri, fileName);
    }

    /**
     * Checks that {@code value} can be a path segment and a URI segment: letters, digits, {@code . _ + -},
     * not starting with a dot (so never {@code ..}).
     */
    static void requireSafe(String what, String value) {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' cannot name a folder: use up to 128 letters,"
                    + " digits, '.', '_', '+' or '-', starting with a letter or digit");
        }
    }
}
