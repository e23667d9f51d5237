package io.segstream.core.datasets;

/** A dataset folder that does not hold what its layout promises; the message names the path and what to fix. */
public class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
