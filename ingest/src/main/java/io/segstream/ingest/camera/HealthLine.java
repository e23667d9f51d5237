package io.segstream.ingest.camera;

import io.segstream.ingest.metrics.CameraMetrics;
import io.segstream.ingest.metrics.CameraState;
import java.util.Locale;

/** The one-line health summary of a camera that ingest logs every few seconds. */
public final class HealthLine {
    private HealthLine() {}

    /**
     * For example {@code camera cam-1 STREAMING: 10.0 fps, grabbed 1234, sent 1230, dropped 4, corrupt 0,
     * reconnects 0, last frame 0.1 s ago}.
     */
    public static String of(CameraMetrics m) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("camera ").append(m.cameraId()).append(' ').append(m.state()).append(": ")
                .append(String.format(Locale.ROOT, "%.1f fps", m.currentFps()))
                .append(", grabbed ").append(m.grabbed())
                .append(", sent ").append(m.sent())
                .append(", dropped ").append(m.dropped())
                .append(", corrupt ").append(m.corrupt())
                .append(", reconnects ").append(m.reconnects());
        if (m.sendErrors() > 0) {
            sb.append(", send errors ").append(m.sendErrors());
        }
        if (m.hasFrames()) {
            sb.append(String.format(Locale.ROOT, ", last frame %.1f s ago", m.lastFrameAgeSeconds()));
        } else {
            sb.append(", no frame yet");
        }
        if (m.state() != CameraState.STREAMING && m.lastError() != null) {
            sb.append(", last error: ").append(m.lastError());
        }
        return sb.toString();
    }
}
