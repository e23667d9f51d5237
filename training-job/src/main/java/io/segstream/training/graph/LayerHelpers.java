package io.segstream.training.graph;

/**
 * Turns on deeplearning4j's layer helpers: convolution, batch normalisation and pooling then run as libnd4j ops
 * (oneDNN primitives in the oneDNN build the project ships) instead of DL4J's Java-side im2col and broadcast code.
 * DL4J 1.0.0-M2.1 disables them unless the system property below is "false"; it reads the property each time a layer
 * is created, so this must run before a graph is initialised or restored. A user who sets the property keeps it.
 */
public final class LayerHelpers {

    /** DL4J's switch; "true" (its default) disables every helper. */
    public static final String DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private LayerHelpers() {
    }

    /** Enables the helpers unless the user chose otherwise on the command line. */
    public static void enable() {
        if (System.getProperty(DISABLE_PROPERTY) == null) {
            System.setProperty(DISABLE_PROPERTY, "false");
        }
    }
}
