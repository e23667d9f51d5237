package io.segstream.core.model;

/**
 * A model directory that cannot serve: a missing or contradictory manifest, a checksum mismatch, or an ONNX
 * graph whose inputs and outputs disagree with its manifest. The message names the directory and says what
 * to fix; it is raised before any frame is touched.
 */
public class ModelException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
