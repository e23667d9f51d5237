package io.segstream.ingest.grab;

/**
 * A source could not be opened or read. {@link #reason()} tells a corrupt recording (do not retry) from a lost
 * connection (retry); the message names the source and says what to check.
 */
public class SourceException extends Exception {
    /** Why a source failed. */
    public enum Reason {
        /** Could not be opened: missing file, not a video, unsupported codec, connection refused. */
        UNREADABLE,
        /** Opened and delivered frames, then turned out truncated or damaged. */
        DAMAGED,
        /** A network or device read failed or timed out. */
        DISCONNECTED
    }

    private final Reason reason;
    private final long framesDelivered;

    public SourceException(Reason reason, String message, long framesDelivered, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.framesDelivered = framesDelivered;
    }

    public SourceException(Reason reason, String message, long framesDelivered) {
        this(reason, message, framesDelivered, null);
    }

    public Reason reason() {
        return reason;
    }

    /** Frames the source delivered before it failed. */
    public long framesDelivered() {
        return framesDelivered;
    }
}
