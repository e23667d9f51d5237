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

    private BootstrapModel() {}

    /** Copies the bundled model directory into {@code dir} and returns it. */
    public static ModelDirectory extractBundled(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String file : new String[] {ModelDirectory.MODEL_FILE, ModelDirectory.MANIFEST_FILE}) {
            try (InputStream in = BootstrapModel.class.getResourceAsStream(RESOURCE + file)) {
                if (in == null) {
                    throw new IllegalStateException("the bundled model lacks " + RESOURCE + file
                            + "; rebuild it with training-job/recipes/bundled-rail.sh");
                }
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return ModelDirectory.at(dir);
    }
}
