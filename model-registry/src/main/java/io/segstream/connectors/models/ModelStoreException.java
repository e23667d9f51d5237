package io.segstream.connectors.models;

/**
 * A model artifact that cannot be stored or fetched: the store is unreachable, the artifact is missing, or the
 * downloaded bytes do not match the release (size or SHA-256). The message names the URI and says what to fix.
 */
public class ModelStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelStoreException(String message) {
        super(message);
    }

    public ModelStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
