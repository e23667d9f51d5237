package io.segstream.inference.segment;

import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreException;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.core.model.ModelException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where the job's configured model ({@code --model}) lives: a local directory readable on every task manager, or a
 * model-store URI ({@code file://}, {@code http(s)://}, {@code s3://}) that each subtask fetches into its model cache
 * and verifies against the SHA-256 its {@code model.json} pins (see {@link ModelStore#fetchDirectory}), so no shared
 * volume is needed.
 *
 * <pre>{@code
 * String model = ConfiguredModel.location("https://models.example.com/rail/current/");  // checked at submission
 * Path dir = ConfiguredModel.resolve(model, cacheDir, ModelStoreOptions.defaults());   // on the task manager
 * }</pre>
 */
public final class ConfiguredModel {
    private static final Pattern HAS_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

    private ConfiguredModel() {}

    /**
     * {@code model} as the job ships it: a store URI unchanged, a path made absolute.
     *
     * @throws IllegalArgumentException when {@code model} is blank, a malformed URI or one of a scheme no model
     *                                  store reads
     */
    public static String location(String model) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is required: a model directory (model.onnx + model.json)"
                    + " or its store URI, e.g. /models/current or s3://models/rail/current/");
        }
        if (!isStoreUri(model)) {
            return Path.of(model).toAbsolutePath().toString();
        }
        URI uri;
        try {
            uri = new URI(model);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--model '" + model + "' is not a valid URI: " + e.getMessage(), e);
        }
        ModelStore.Scheme.of(uri);
        return model;
    }

    /** Whether {@code model} names a store URI rather than a local path. */
    public static boolean isStoreUri(String model) {
        return HAS_SCHEME.matcher(model).matches();
    }

    /**
     * The local directory of the configured model: {@code model} itself, or its store copy fetched and verified
     * into {@code cacheDir}.
     *
     * @throws ModelException when the store copy cannot be fetched, its manifest is unusable or its graph is not
     *                        the one the manifest pins
     */
    public static Path resolve(String model, Path cacheDir, ModelStoreOptions storeOptions) throws ModelException {
        if (!isStoreUri(model)) {
            return Path.of(model);
        }
        try (ModelStore store = ModelStore.open(storeOptions)) {
            return store.fetchDirectory(URI.create(model), cacheDir);
        } catch (ModelStoreException e) {
            throw new ModelException("the configured model " + model + " cannot be fetched: " + e.getMessage(), e);
        }
    }
}
