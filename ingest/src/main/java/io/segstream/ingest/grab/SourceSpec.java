package io.segstream.ingest.grab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where frames come from and how to open it: a file path, a stream URL, a device or an image folder.
 *
 * <p>The kind is detected from the location ({@code rtsp://}, {@code http://}, {@code /dev/video0}, a folder,
 * a file) unless set explicitly.
 *
 * <pre>{@code
 * SourceSpec cam = SourceSpec.builder()
 *         .setLocation("rtsp://10.0.0.5/stream1")
 *         .optRtspTransport(RtspTransport.UDP)
 *         .optReadTimeout(Duration.ofSeconds(3))
 *         .build();
 * }</pre>
 */
public final class SourceSpec {
    /** The user-info part of URLs: scheme://user:password@ */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]*@");

    /** The frame rate of Cityscapes {@code leftImg8bit_sequence} recordings. */
    public static final double CITYSCAPES_SEQUENCE_FPS = 17.0;
    /** The frame rate assumed for a plain image folder when none is given. */
    public static final double DEFAULT_FOLDER_FPS = 10.0;

    private final String location;
    private final SourceKind kind;
    private final RtspTransport rtspTransport;
    private final Duration readTimeout;
    private final double sequenceFps;
    private final String inputFormat;
    private final FrameSize captureSize;

    private SourceSpec(Builder b) {
        this.location = b.location;
        this.kind = b.kind != null ? b.kind : detectKind(b.location);
        this.rtspTransport = b.rtspTransport;
        this.readTimeout = b.readTimeout;
        this.sequenceFps = b.sequenceFps;
        this.inputFormat = b.inputFormat;
        this.captureSize = b.captureSize;
    }

    /** A spec for a location with every option at its default. */
    public static SourceSpec of(String location) {
        return builder().setLocation(location).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Guesses the kind of a location: URL scheme, V4L2 device path, existing folder, else a file. */
    public static SourceKind detectKind(String location) {
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.matches("^(rtsps?|https?|udp|tcp|rtp|rtmps?|srt)://.*")) {
            return SourceKind.NETWORK;
        }
        if (lower.startsWith("/dev/video") || lower.startsWith("v4l2:")) {
            return SourceKind.DEVICE;
        }
        if (Files.isDirectory(Path.of(location))) {
            return SourceKind.IMAGE_SEQUENCE;
        }
        return SourceKind.FILE;
    }

    /** The path or URL as given. */
    public String location() {
        return location;
    }

    /** The path or URL FFmpeg opens (without the {@code v4l2:} prefix). */
    String ffmpegLocation() {
        return location.startsWith("v4l2:") ? location.substring("v4l2:".length()) : location;
    }

    public SourceKind kind() {
        return kind;
    }

    /** Whether this is an RTSP URL. */
    public boolean isRtsp() {
        return location.toLowerCase(Locale.ROOT).startsWith("rtsp");
    }

    public RtspTransport rtspTransport() {
        return rtspTransport;
    }

    /** How long a network read may block before the stream counts as stalled. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** The frame rate of an image sequence as configured; 0 means "by layout" (see {@link #effectiveSequenceFps}). */
    public double sequenceFps() {
        return sequenceFps;
    }

    /** The frame rate used for an image sequence: the configured one, else 17 for Cityscapes, 10 for plain folders. */
    public double effectiveSequenceFps(boolean cityscapesLayout) {
        if (sequenceFps > 0) {
            return sequenceFps;
        }
        return cityscapesLayout ? CITYSCAPES_SEQUENCE_FPS : DEFAULT_FOLDER_FPS;
    }

    /** An FFmpeg input format name that overrides probing ({@code mjpeg}, {@code mpjpeg}, {@code v4l2}...). */
    public Optional<String> inputFormat() {
        return Optional.ofNullable(inputFormat);
    }

    /** The size a capture device is asked to deliver ({@code video_size}), when set. */
    public Optional<FrameSize> captureSize() {
        return Optional.ofNullable(captureSize);
    }

    /** The file, folder or last URL path segment without extension: {@code drive} for {@code /data/drive.mp4}. */
    public String baseName() {
        String loc = location.replaceAll("[?#].*$", "").replaceAll("/+$", "");
        String name = loc.substring(loc.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** A short name for logs: the file name of a path, the URL without credentials. */
    public String displayName() {
        if (kind == SourceKind.NETWORK) {
            return redact(location);
        }
        return location;
    }

    /**
     * {@code text} with the user and password of every URL in it replaced by {@code ***}: for anything that may
     * quote a camera URL (our messages, FFmpeg's log lines and errors).
     */
    public static String redact(String text) {
        return USER_INFO.matcher(text).replaceAll("$1***@");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceSpec other
                && location.equals(other.location)
                && kind == other.kind
                && rtspTransport == other.rtspTransport
                && readTimeout.equals(other.readTimeout)
                && Double.compare(sequenceFps, other.sequenceFps) == 0
                && Objects.equals(inputFormat, other.inputFormat)
                && Objects.equals(captureSize, other.captureSize);
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, kind, rtspTransport, readTimeout, sequenceFps, inputFormat, captureSize);
    }

    @Override
    public String toString() {
        return kind + " " + displayName();
    }

    /** Builds a {@link SourceSpec}; {@link #setLocation} is required. */
    public static final class Builder {
        private String location;
        private SourceKind kind;
        private RtspTransport rtspTransport = RtspTransport.TCP;
        private Duration readTimeout = Duration.ofSeconds(5);
        private double sequenceFps;
        private String inputFormat;
        private FrameSize captureSize;

        private Builder() {}

        /** The file path, URL, device path or image folder. */
        public Builder setLocation(String location) {
            this.location = location;
            return this;
        }

        /** Overrides the detected kind. */
        public Builder optKind(SourceKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder optRtspTransport(RtspTransport transport) {
            this.rtspTransport = transport;
            return this;
        }

        public Builder optReadTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** Frame rate of an image sequence (frames per second). */
        public Builder optSequenceFps(double fps) {
            this.sequenceFps = fps;
            return this;
        }

        public Builder optInputFormat(String format) {
            this.inputFormat = format;
            return this;
        }

        public Builder optCaptureSize(FrameSize size) {
            this.captureSize = size;
            return this;
        }

        public SourceSpec build() {
            sanityCheck();
            return new SourceSpec(this);
        }

        private void sanityCheck() {
            if (location == null || location.isBlank()) {
                throw new IllegalArgumentException("a source needs a location: a file path, a stream URL, "
                        + "/dev/videoN or an image folder");
            }
            Objects.requireNonNull(rtspTransport, "rtspTransport");
            if (readTimeout == null || readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("the read timeout of " + location + " must be positive, got "
                        + readTimeout);
            }
            if (sequenceFps < 0 || Double.isNaN(sequenceFps) || Double.isInfinite(sequenceFps)) {
                throw new IllegalArgumentException("the image-sequence frame rate of " + location
                        + " must be a positive number of frames per second, got " + sequenceFps);
            }
            if (inputFormat != null && inputFormat.isBlank()) {
                inputFormat = null;
            }
        }
    }
}
