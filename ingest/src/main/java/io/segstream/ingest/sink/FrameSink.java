package io.segstream.ingest.sink;

import io.segstream.schemas.CameraFrame;

/**
 * Where ingest delivers {@link CameraFrame} records: the frames topic in production, anything else in a test.
 *
 * <p>{@link #send} is asynchronous: it returns once the sink has taken the frame, and may block while the sink's
 * bounded buffer is full (that is how back-pressure reaches the cameras). The callback runs when the frame is
 * delivered or has failed, possibly on another thread. Implementations are thread-safe.
 */
public interface FrameSink extends AutoCloseable {

    /** Hands one frame over; blocks while the sink is full. */
    void send(CameraFrame frame, DeliveryCallback callback) throws InterruptedException;

    /** Blocks until every frame handed over so far is delivered or has failed. */
    void flush() throws InterruptedException;

    /** Flushes and releases the sink's resources. */
    @Override
    void close();

    /** Hears the outcome of one {@link #send}. */
    @FunctionalInterface
    interface DeliveryCallback {
        /** {@code error} is null when the frame was delivered. */
        void completed(CameraFrame frame, Exception error);
    }
}
