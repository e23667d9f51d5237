package io.segstream.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bundled bootstrap model: fixed colour, texture, context and position features with a classifier fitted
 * in plain Java to generated rail scenes. It segments the synthetic scenes roughly and serves until a trained
 * model exists; its manifest says so. The fitting code is an authoring tool and lives in the {@code scenes}
 * module ({@code BootstrapFit}); the runtime only extracts the result.
 *
 * <pre>{@code
 * ModelDirectory dir = BootstrapModel.extractBundled(Path.of("/tmp/bootstrap"));
 * }</pre>
 */
public final class BootstrapModel {
    /** Model name in the manifest. */
    public static final String NAME = "bootstrap-rail";
    /** Label set of the bootstrap model. */
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
                    throw new IllegalStateException("the bundled bootstrap model lacks " + RESOURCE + file
                            + "; rebuild it with BootstrapFit.main (scenes module)");
                }
                Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return ModelDirectory.at(dir);
    }
}
