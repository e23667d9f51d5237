package io.segstream.ingest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.ingest.camera.HealthLine;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {
    private final AtomicLong nanos = new AtomicLong(100_000_000_000L);

    @Test
    void prometheusTextHasHelpTypeAndOneSamplePerCamera() {
        IngestMetrics metrics = new IngestMetrics(nanos::get);
        CameraMetrics a = metrics.camera("cam-a");
        metrics.camera("cam\"b");
        for (int i = 0; i < 3; i++) {
            a.frameGrabbed();
            a.frameSent();
        }
        a.framesDropped(2);
        a.gap(1.25);
        a.state(CameraState.STREAMING);

        String text = metrics.prometheusText();
        assertTrue(text.contains("# HELP segstream_ingest_frames_grabbed_total Frames decoded from the camera's "
                + "source.\n"
                + "# TYPE segstream_ingest_frames_grabbed_total counter\n"
                + "segstream_ingest_frames_grabbed_total{camera=\"cam\\\"b\"} 0\n"
                + "segstream_ingest_frames_grabbed_total{camera=\"cam-a\"} 3\n"), text);
        assertTrue(text.contains("segstream_ingest_frames_dropped_total{camera=\"cam-a\"} 2\n"));
        assertTrue(text.contains("segstream_ingest_gap_seconds_total{camera=\"cam-a\"} 1.250\n"));
        assertTrue(text.contains("# TYPE segstream_ingest_last_frame_age_seconds gauge\n"));
        assertTrue(text.contains("segstream_ingest_camera_up{camera=\"cam-a\"} 1\n"));
        assertTrue(text.contains("segstream_ingest_camera_up{camera=\"cam\\\"b\"} 0\n"));
        assertEquals(15, text.lines().filter(l -> l.startsWith("# TYPE")).count());
    }

    @Test
    void currentFpsCountsWholeSecondsAndAgeFollowsTheClock() {
        IngestMetrics metrics = new IngestMetrics(nanos::get);
        CameraMetrics m = metrics.camera("cam");
        for (int s = 0; s < 6; s++) {
            for (int f = 0; f < 10; f++) {
                nanos.addAndGet(100_000_000L);
                m.frameSent();
            }
        }
        nanos.addAndGet(1_000_000);
        assertEquals(10.0, m.currentFps(), 1e-9);
        m.frameGrabbed();
        nanos.addAndGet(2_500_000_000L);
        assertEquals(2.5, m.lastFrameAgeSeconds(), 1e-9);
        nanos.addAndGet(10_000_000_000L);
        assertEquals(0.0, m.currentFps(), 1e-9, "a silent camera drops to 0 fps");
    }

    @Test
    void aYoungRateWindowIsNotDilutedByItsEmptyPast() {
        RateWindow w = new RateWindow(5);
        for (int i = 0; i < 20; i++) {
            w.record(7_000_000_000L + i * 50_000_000L);
        }
        assertEquals(20.0, w.rate(8_000_000_001L), 1e-9, "one full second seen: 20 events");
    }

    @Test
    void healthLineSaysStateRatesAndLastError() {
        IngestMetrics metrics = new IngestMetrics(nanos::get);
        CameraMetrics m = metrics.camera("cam-9");
        m.state(CameraState.RECONNECTING);
        m.lastError("Connection refused");
        m.reconnectAttempted();
        assertEquals("camera cam-9 RECONNECTING: 0.0 fps, grabbed 0, sent 0, dropped 0, corrupt 0, reconnects 1, "
                + "no frame yet, last error: Connection refused", HealthLine.of(m));
    }
}
