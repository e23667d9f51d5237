package io.segstream.ingest.grab;

/** The RTP transport FFmpeg asks an RTSP server for. TCP (interleaved) survives NAT and loss; UDP has less latency. */
public enum RtspTransport {
    TCP,
    UDP;

    /** The value of FFmpeg's {@code rtsp_transport} option. */
    String ffmpegValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
