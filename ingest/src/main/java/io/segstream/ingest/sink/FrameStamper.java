package io.segstream.ingest.sink;

import io.segstream.ingest.grab.GrabbedFrame;
import io.segstream.schemas.CameraFrame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns grabbed frames of one camera into {@link CameraFrame} records: camera id, the next {@code seq}, times, drive
 * id and attributes. The sequence counter is shared so that it stays monotonic across reconnects and restarts of
 * the camera within one process.
 */
public final class FrameStamper {
    private final String cameraId;
    private final Map<String, String> attributes;
    private final String driveId;
    private final AtomicLong seq;

    /**
     * @param cameraId   the camera id, also the Kafka key
     * @param attributes camera attributes copied into every record (line, track id, km post...)
     * @param driveId    the drive id of a replay, or null for live cameras
     * @param seq        the camera's sequence counter; the next record gets its current value
     */
    public FrameStamper(String cameraId, Map<String, String> attributes, String driveId, AtomicLong seq) {
        this.cameraId = Objects.requireNonNull(cameraId, "cameraId");
        this.attributes = Map.copyOf(attributes);
        this.driveId = driveId;
        this.seq = Objects.requireNonNull(seq, "seq");
    }

    public String cameraId() {
        return cameraId;
    }

    /** A record for the frame with the next sequence number. */
    public CameraFrame stamp(GrabbedFrame f, Instant captureTime, Instant ingestTime) {
        return CameraFrame.newBuilder()
                .setCameraId(cameraId)
                .setSeq(seq.getAndIncrement())
                .setCaptureTime(captureTime)
                .setIngestTime(ingestTime)
                .setWidth(f.width())
                .setHeight(f.height())
                .setEncoding(f.encoding())
                .setData(ByteBuffer.wrap(f.data()))
                .setDriveId(driveId)
                .setGroundTruth(f.groundTruth() == null ? null : ByteBuffer.wrap(f.groundTruth()))
                .setAttributes(attributes)
                .build();
    }
}
