package io.segstream.core.model;

import io.segstream.core.onnx.ExternalData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A model directory on disk: {@code model.onnx} beside its {@code model.json} manifest.
 *
 * <pre>{@code
 * ModelDirectory dir = ModelDirectory.write(Path.of("models/bootstrap"), onnxBytes, manifest); // pins sha256
 * ModelManifest m = dir.readManifest();
 * byte[] onnx = dir.readVerifiedModel(m);
 * }</pre>
 */
public final class ModelDirectory {
    /** File name of the ONNX graph. */
    public static final String MODEL_FILE = "model.onnx";
    /** File name of the manifest. */
    public static final String MANIFEST_FILE = "model.json";

    private final Path dir;

    private ModelDirectory(Path dir) {
        this.dir = dir;
    }

    /** The model directory at {@code dir} (nothing is read yet). */
    public static ModelDirectory at(Path dir) {
        return new ModelDirectory(dir);
    }

    /**
     * Writes {@code onnx} and {@code manifest} into {@code dir}; the manifest written pins the SHA-256 of the
     * bytes written.
     */
    public static ModelDirectory write(Path dir, byte[] onnx, ModelManifest manifest) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(MODEL_FILE), onnx);
        manifest.toBuilder().optSha256(sha256(onnx)).build().write(dir.resolve(MANIFEST_FILE));
        return new ModelDirectory(dir);
    }

    public Path dir() {
        return dir;
    }

    public Path modelFile() {
        return dir.resolve(MODEL_FILE);
    }

    public Path manifestFile() {
        return dir.resolve(MANIFEST_FILE);
    }

    /** Reads and validates {@code model.json}. */
    public ModelManifest readManifest() throws ModelException {
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": no such model directory; it must hold " + MODEL_FILE + " and "
                    + MANIFEST_FILE);
        }
        return ModelManifest.read(manifestFile());
    }

    /** Reads {@code model.onnx} and checks it against the manifest's SHA-256 when the manifest gives one. */
    public byte[] readVerifiedModel(ModelManifest manifest) throws ModelException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(modelFile());
        } catch (NoSuchFileException e) {
            throw new ModelException(modelFile() + ": the ONNX graph of model " + manifest.id()
                    + " is missing; put model.onnx beside model.json");
        } catch (IOException e) {
            throw new ModelException(modelFile() + ": cannot read the ONNX graph of model " + manifest.id()
                    + " (" + e.getMessage() + ")", e);
        }
        if (manifest.sha256().isPresent()) {
            String actual = sha256(bytes);
            if (!actual.equals(manifest.sha256().get())) {
                throw new ModelException(modelFile() + ": SHA-256 " + actual + " does not match the manifest's "
                        + manifest.sha256().get() + " for model " + manifest.id()
                        + "; the file is damaged or belongs to another release");
            }
        }
        Optional<String> external = ExternalData.firstReference(bytes);
        if (external.isPresent()) {
            throw new ModelException(modelFile() + ": model " + manifest.id() + " keeps tensor data outside its graph ("
                    + external.get() + "); segstream serves self-contained graphs only, so nothing outside the model"
                    + " directory is read: save the model with its weights inside (onnx.save_model(model, path,"
                    + " save_as_external_data=False))");
        }
        return bytes;
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
