package io.segstream.ingest.metrics;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * All cameras' metrics of one ingest process, and their Prometheus text exposition (format 0.0.4).
 *
 * <pre>{@code
 * IngestMetrics metrics = new IngestMetrics(System::nanoTime);
 * metrics.camera("cam-1").frameGrabbed();
 * String text = metrics.prometheusText();
 * }</pre>
 */
public final class IngestMetrics {
    private final ConcurrentMap<String, CameraMetrics> cameras = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public IngestMetrics(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** The metrics of a camera, created on first use. */
    public CameraMetrics camera(String cameraId) {
        return cameras.computeIfAbsent(cameraId, id -> new CameraMetrics(id, nanoClock));
    }

    /** Forgets a camera removed from the configuration. */
    public void remove(String cameraId) {
        cameras.remove(cameraId);
    }

    /** Every camera's metrics, by camera id. */
    public List<CameraMetrics> cameras() {
        return cameras.values().stream().sorted(Comparator.comparing(CameraMetrics::cameraId)).toList();
    }

    private record Family(String name, String type, String help, ToDoubleFunction<CameraMetrics> value) {}

    private static final List<Family> FAMILIES = List.of(
            new Family("segstream_ingest_frames_grabbed_total", "counter", "Frames decoded from the camera's source.",
                    CameraMetrics::grabbed),
            new Family("segstream_ingest_frames_sent_total", "counter", "Frames acknowledged by Kafka.",
                    CameraMetrics::sent),
            new Family("segstream_ingest_frames_dropped_total", "counter",
                    "Frames dropped (oldest first) because Kafka could not keep up with a live camera.",
                    CameraMetrics::dropped),
            new Family("segstream_ingest_frames_skipped_fps_cap_total", "counter",
                    "Frames skipped to keep the camera under its fps cap.", CameraMetrics::skippedByFpsCap),
            new Family("segstream_ingest_frames_corrupt_total", "counter",
                    "Frames lost to corrupt data: flagged by the decoder or missing from a recording's timestamps.",
                    CameraMetrics::corrupt),
            new Family("segstream_ingest_decode_errors_total", "counter",
                    "Error messages FFmpeg logged while reading the source.", CameraMetrics::decodeErrors),
            new Family("segstream_ingest_send_errors_total", "counter", "Frames Kafka failed to accept.",
                    CameraMetrics::sendErrors),
            new Family("segstream_ingest_reconnects_total", "counter",
                    "Attempts to reopen a lost, stalled or failed source.", CameraMetrics::reconnects),
            new Family("segstream_ingest_stalls_total", "counter",
                    "Times a connected source delivered no frame within the stall timeout.", CameraMetrics::stalls),
            new Family("segstream_ingest_gaps_total", "counter", "Outages after which frames resumed.",
                    CameraMetrics::gaps),
            new Family("segstream_ingest_gap_seconds_total", "counter", "Total length of the outages, in seconds.",
                    CameraMetrics::gapSeconds),
            new Family("segstream_ingest_last_gap_seconds", "gauge", "Length of the most recent outage, in seconds.",
                    CameraMetrics::lastGapSeconds),
            new Family("segstream_ingest_fps", "gauge", "Frames sent per second over the last five seconds.",
                    CameraMetrics::currentFps),
            new Family("segstream_ingest_last_frame_age_seconds", "gauge", "Seconds since the last grabbed frame.",
                    CameraMetrics::lastFrameAgeSeconds),
            new Family("segstream_ingest_camera_up", "gauge", "1 while frames are flowing, else 0.",
                    m -> m.state() == CameraState.STREAMING ? 1 : 0));

    /** The Prometheus text exposition of every camera. */
    public String prometheusText() {
        Collection<CameraMetrics> all = cameras();
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : FAMILIES) {
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            for (CameraMetrics m : all) {
                sb.append(f.name).append("{camera=\"").append(escape(m.cameraId())).append("\"} ")
                        .append(format(f.value.applyAsDouble(m))).append('\n');
            }
        }
        return sb.toString();
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
