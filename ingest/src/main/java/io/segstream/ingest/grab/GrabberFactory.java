package io.segstream.ingest.grab;

import static org.bytedeco.ffmpeg.global.swscale.SWS_AREA;

import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * The one place that creates JavaCV's {@link FFmpegFrameGrabber}: applies per-kind FFmpeg options (RTSP transport,
 * socket and read timeouts, V4L2 format) and the output pixel format the {@link ImageEncoder} needs.
 */
final class GrabberFactory {
    private GrabberFactory() {}

    /** A grabber for a video file, network stream or capture device; not started. */
    static FFmpegFrameGrabber video(SourceSpec spec, int pixelFormat) {
        FfmpegLog.install();
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(spec.ffmpegLocation());
        g.setPixelFormat(pixelFormat);
        g.setImageScalingFlags(SWS_AREA);
        String timeoutMicros = Long.toString(spec.readTimeout().toNanos() / 1000);
        switch (spec.kind()) {
            case NETWORK -> {
                if (spec.isRtsp()) {
                    g.setOption("rtsp_transport", spec.rtspTransport().ffmpegValue());
                    // RTSP's own socket timeout; rw_timeout alone does not cover the RTP side
                    g.setOption("timeout", timeoutMicros);
                }
                g.setOption("rw_timeout", timeoutMicros);
            }
            case DEVICE -> {
                g.setFormat("video4linux2");
                spec.captureSize().ifPresent(s -> g.setOption("video_size", s.toString()));
            }
            default -> { }
        }
        spec.inputFormat().ifPresent(g::setFormat);
        return g;
    }

    /** A grabber for one still image (PNG, JPEG...) of an image sequence; not started. */
    static FFmpegFrameGrabber image(Path file, int pixelFormat) {
        FfmpegLog.install();
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toString());
        // a still image: no pattern expansion of '%' in file names, one frame
        g.setFormat("image2");
        g.setOption("pattern_type", "none");
        g.setPixelFormat(pixelFormat);
        g.setImageScalingFlags(SWS_AREA);
        return g;
    }
}
