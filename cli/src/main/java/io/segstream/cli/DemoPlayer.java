package io.segstream.cli;

import io.segstream.connectors.kafka.AvroKafkaProducer;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Plays the demo drive into the frames topic as one live camera: frames at a fixed rate, looping, stamped
 * with the wall clock. Each camera starts at another point of the drive.
 */
final class DemoPlayer implements Runnable {
    private final DemoDrive drive;
    private final String camera;
    private final int offset;
    private final double fps;
    private final AvroKafkaProducer<CameraFrame> producer;
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;

    DemoPlayer(DemoDrive drive, String camera, int offset, double fps, AvroKafkaProducer<CameraFrame> producer) {
        this.drive = drive;
        this.camera = camera;
        this.offset = offset;
        this.fps = fps;
        this.producer = producer;
    }

    /** Index into the drive of the frame sent as {@code seq}. */
    int frameIndex(long seq) {
        return (int) ((offset + seq) % drive.frames());
    }

    String camera() {
        return camera;
    }

    long sent() {
        return sent.get();
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        long periodNanos = (long) (1e9 / fps);
        long next = System.nanoTime();
        for (long seq = 0; running; seq++) {
            int i = frameIndex(seq);
            Instant now = Instant.now();
            producer.send(CameraFrame.newBuilder()
                    .setCameraId(camera).setSeq(seq).setCaptureTime(now).setIngestTime(now)
                    .setWidth(drive.width).setHeight(drive.height).setEncoding(ImageEncoding.JPEG)
                    .setData(ByteBuffer.wrap(drive.jpegs.get(i)))
                    .setGroundTruth(ByteBuffer.wrap(drive.labels.get(i)))
                    .setDriveId("demo-drive")
                    .setAttributes(Map.of("line", "demo line", "km", String.format("%.1f", 12.0 + offset / 10.0)))
                    .build());
            sent.incrementAndGet();
            next += periodNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
