package io.segstream.ingest.testing;

import io.segstream.ingest.sink.FrameSink;
import io.segstream.schemas.CameraFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * A sink that takes frames only while its gate is open, as a broker that stopped accepting: {@link #send} blocks while
 * closed. Used to show how cameras react to back-pressure; delivery to Kafka itself is tested against the broker.
 */
public final class GatedSink implements FrameSink {
    private final List<CameraFrame> received = new ArrayList<>();
    private boolean open = true;

    public synchronized void close(boolean gateOpen) {
        open = gateOpen;
        notifyAll();
    }

    @Override
    public synchronized void send(CameraFrame frame, DeliveryCallback callback) throws InterruptedException {
        while (!open) {
            wait();
        }
        received.add(frame);
        callback.completed(frame, null);
    }

    public synchronized List<CameraFrame> received() {
        return List.copyOf(received);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
