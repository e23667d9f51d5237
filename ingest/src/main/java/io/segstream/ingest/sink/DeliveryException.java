package io.segstream.ingest.sink;

/** Frames could not be delivered to the sink (Kafka refused them or timed out); the message says how many and why. */
public class DeliveryException extends Exception {
    private final long failed;

    public DeliveryException(String message, long failed, Throwable cause) {
        super(message, cause);
        this.failed = failed;
    }

    /** How many frames were not delivered. */
    public long failed() {
        return failed;
    }
}
