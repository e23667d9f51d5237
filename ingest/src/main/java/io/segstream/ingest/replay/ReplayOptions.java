package io.segstream.ingest.replay;

import io.segstream.core.frames.CameraIds;
import io.segstream.ingest.grab.ImageOptions;
import io.segstream.ingest.grab.SourceInfo;
import io.segstream.ingest.grab.SourceSpec;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to replay and how: source, camera id, image options, pace, range, looping, drive id and attributes.
 *
 * <pre>{@code
 * ReplayOptions o = ReplayOptions.builder()
 *         .setSource(SourceSpec.of("drive.mp4"))
 *         .setCameraId("cam-1")
 *         .optPace(Pace.parse("x4"))
 *         .optFromMicros(MediaTime.parseMicros("0:10"))
 *         .build();
 * }</pre>
 */
public final class ReplayOptions {
    private final SourceSpec source;
    private final String cameraId;
    private final ImageOptions image;
    private final Pace pace;
    private final long fromMicros;
    private final long toMicros;
    private final boolean loop;
    private final String driveId;
    private final Map<String, String> attributes;
    private final Instant startTime;

    private ReplayOptions(Builder b) {
        this.source = b.source;
        this.cameraId = b.cameraId;
        this.image = b.image;
        this.pace = b.pace;
        this.fromMicros = b.fromMicros;
        this.toMicros = b.toMicros;
        this.loop = b.loop;
        this.driveId = b.driveId;
        this.attributes = Map.copyOf(b.attributes);
        this.startTime = b.startTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    public SourceSpec source() {
        return source;
    }

    public String cameraId() {
        return cameraId;
    }

    public ImageOptions image() {
        return image;
    }

    public Pace pace() {
        return pace;
    }

    /** Start of the replayed range, microseconds from the start of the recording. */
    public long fromMicros() {
        return fromMicros;
    }

    /** End of the replayed range (inclusive), or -1 for the end of the recording. */
    public long toMicros() {
        return toMicros;
    }

    public boolean loop() {
        return loop;
    }

    /** The drive id given; when empty the replay uses the recording's name ({@link SourceInfo#name()}). */
    public Optional<String> driveId() {
        return Optional.ofNullable(driveId);
    }

    public Map<String, String> attributes() {
        return attributes;
    }

    /** The capture time of media time 0, when set; else the recording's creation time, else the replay's start. */
    public Optional<Instant> startTime() {
        return Optional.ofNullable(startTime);
    }

    /** Builds {@link ReplayOptions}; source and camera id are required. */
    public static final class Builder {
        private SourceSpec source;
        private String cameraId;
        private ImageOptions image = ImageOptions.DEFAULT;
        private Pace pace = Pace.REALTIME;
        private long fromMicros;
        private long toMicros = -1;
        private boolean loop;
        private String driveId;
        private Map<String, String> attributes = Map.of();
        private Instant startTime;

        private Builder() {}

        public Builder setSource(SourceSpec source) {
            this.source = source;
            return this;
        }

        public Builder setCameraId(String cameraId) {
            this.cameraId = cameraId;
            return this;
        }

        public Builder optImage(ImageOptions image) {
            this.image = image;
            return this;
        }

        public Builder optPace(Pace pace) {
            this.pace = pace;
            return this;
        }

        public Builder optFromMicros(long from) {
            this.fromMicros = from;
            return this;
        }

        /** End of the range (inclusive); -1 for the end of the recording. */
        public Builder optToMicros(long to) {
            this.toMicros = to;
            return this;
        }

        public Builder optLoop(boolean loop) {
            this.loop = loop;
            return this;
        }

        public Builder optDriveId(String driveId) {
            this.driveId = driveId;
            return this;
        }

        public Builder optAttributes(Map<String, String> attributes) {
            this.attributes = attributes;
            return this;
        }

        public Builder optStartTime(Instant startTime) {
            this.startTime = startTime;
            return this;
        }

        public ReplayOptions build() {
            sanityCheck();
            return new ReplayOptions(this);
        }

        private void sanityCheck() {
            if (source == null) {
                throw new IllegalArgumentException("a replay needs a source: a video file, stream URL or image folder");
            }
            if (cameraId == null || cameraId.isBlank()) {
                throw new IllegalArgumentException("a replay needs a camera id (the Kafka key of its frames)");
            }
            CameraIds.problem(cameraId).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(pace, "pace");
            Objects.requireNonNull(attributes, "attributes");
            if (fromMicros < 0) {
                throw new IllegalArgumentException("--from must not be negative, got " + fromMicros / 1e6 + " s");
            }
            if (toMicros >= 0 && toMicros < fromMicros) {
                throw new IllegalArgumentException("--to (" + MediaTime.format(toMicros) + ") lies before --from ("
                        + MediaTime.format(fromMicros) + ")");
            }
            if (driveId != null && driveId.isBlank()) {
                driveId = null;
            }
        }
    }
}
