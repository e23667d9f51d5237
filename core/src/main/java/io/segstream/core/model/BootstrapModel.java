package io.segstream.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bundled model every job, the edge agent and the demo serve until a model is released: a Fast-SCNN trained by
 * {@code segstream train} on generated rail scenes ({@code training-job/recipes/bundled-rail.sh} reproduces it) and
 * exported at 512x256 with the parity proof. Its manifest carries the recipe and its scores on fresh scenes. (It
 * replaced a baseline fitted in plain Java, whose authoring tool, {@code BootstrapFit} in the {@code scenes} module,
 * remains for building a model without a training run.)
 *
 * <pre>{@code
 * ModelDirectory dir = BootstrapModel.extractBundled(Path.of("/tmp/bootstrap"));
 * }</pre>
 */
public final class BootstrapModel {
    /** Model name in the manifest. */
    public static final String NAME = "rail-fastscnn";
    /** Label set of the bundled model. */
    public static final String LABEL_SET = "rail-20";
    /** Class-path folder of the bundled model directory. */
    public static final String RESOURCE = "/io/segstream/core/model/bootstrap/";
    /**
     * Class-path folder of the bundled model's accurate variant: the same weights at 512x256 and 1024x512, their class
     * scores averaged in one graph ({@code segstream tta}); about 3x the CPU per frame.
     */
    public static final String RESOURCE_TTA = "/io/segstream/core/model/bootstrap-tta/";
    /** What {@code --model} options call the bundled model. */
    public static final String BUNDLED = "bundled";
    /** What {@code --model} options call the bundled model's accurate variant. */
    public static final String BUNDLED_TTA = "bundled-tta";

    private BootstrapModel() {}

    /** Copies the bundled model directory into {@code dir} and returns it. */
    public static ModelDirectory extractBundled(Path dir) throws IOException {
        return extract(RESOURCE, dir);
    }

    /** Copies the bundled model's accurate variant ({@link #RESOURCE_TTA}) into {@code dir} and returns it. */
    public static ModelDirectory extractBundledTta(Path dir) throws IOException {
        return extract(RESOURCE_TTA, dir);
    }

    /**
     * The model directory a {@code --model} option names: null and {@link #BUNDLED} the bundled model,
     * {@link #BUNDLED_TTA} its accurate variant (each extracted into a new temporary directory, unless a directory of
     * that name exists), anything else itself.
     */
    public static Path resolve(Path option) throws IOException {
        if (option == null || option.toString().equals(BUNDLED) && !Files.exists(option)) {
            return extractBundled(Files.createTempDirectory("segstream-model")).dir();
        }
        if (option.toString().equals(BUNDLED_TTA) && !Files.exists(option)) {
            return extractBundledTta(Files.createTempDirectory("segstream-model")).dir();
        }
        return option;
    }

    private static ModelDirectory extract(String resource, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : new String[] {ModelDirectory.MODEL_FILE, ModelDirectory.MANIFEST_FILE}) {
            try (InputStream in = BootstrapModel.class.getResourceAsStream(resource + file)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled model lacks " + resource + file
                            + "; rebuild it with training-job/recipes/bundled-rail.sh");
                }
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return ModelDirectory.at(dir);
    }
}
