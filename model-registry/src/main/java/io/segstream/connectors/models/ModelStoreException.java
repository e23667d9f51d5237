package io.segstream.connectors.models;

/**
 * A model artifact that cannot be stored or fetched: the store is unreachable, the artifact is missing, or the
 * downloaded bytes do not match the release (size or SHA-256). The message names the URI and says what to fix.
 * {@link #isUnreachable} tells a failure that may pass (the store could not be reached or read: a connection
 * refused, a timeout, a server error) from one that will not (missing, or other bytes than promised).
 */
public class ModelStoreException extends Exception {
    private static final long serialVersionUID = 2L;

    private final boolean unreachable;

    public ModelStoreException(String message) {
        this(message, null, false);
    }

    public ModelStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param unreachable whether the store could not be reached or read, so that trying again may succeed */
    public ModelStoreException(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** Whether the store could not be reached or read (trying again later may succeed). */
    public boolean isUnreachable() {
        return unreachable;
    }
}
