package io.segstream.training.export;

/** An export that cannot be written: a wrong checkpoint, or ONNX Runtime disagreeing with DL4J. */
public class ExportException extends Exception {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }

    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
