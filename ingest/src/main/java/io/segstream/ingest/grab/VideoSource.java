package io.segstream.ingest.grab;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import io.segstream.ingest.grab.SourceException.Reason;
import io.segstream.schemas.ImageEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * A video file, network stream or capture device read through one {@link FFmpegFrameGrabber}.
 *
 * <p>JavaCV hides two things this class recovers: a read error looks like a normal end of stream, and undecodable
 * packets are skipped silently. So the end of a recording is checked against its stated duration (a truncated file
 * fails with {@link Reason#DAMAGED} after its good frames), gaps in the timestamp sequence of a recording count as
 * corrupt frames, and frames the decoder flags as damaged are skipped and counted.
 */
final class VideoSource implements FrameSource {
    /** Flag bit of {@code AVFrame.flags} for frames the decoder knows are damaged ({@code AV_FRAME_FLAG_CORRUPT}). */
    private static final int FRAME_FLAG_CORRUPT = 1;

    private final SourceSpec spec;
    private final FFmpegFrameGrabber grabber;
    private final ImageEncoder encoder;
    private final ImageEncoding encoding;
    private final SourceInfo info;
    private final long startTimeMicros;
    private final long videoDurationMicros;
    private long lastMediaTime = -1;
    private long delivered;
    private long corrupt;
    private long decodeErrors;
    private boolean closed;

    private VideoSource(SourceSpec spec, FFmpegFrameGrabber grabber, ImageEncoder encoder, ImageOptions options) {
        this.spec = spec;
        this.grabber = grabber;
        this.encoder = encoder;
        this.encoding = options.encoding();
        AVFormatContext oc = grabber.getFormatContext();
        this.startTimeMicros = oc.start_time() == AV_NOPTS_VALUE ? 0 : oc.start_time();
        this.videoDurationMicros = videoDuration(oc, grabber.getVideoStream());
        options.optResize().ifPresent(s -> {
            grabber.setImageWidth(s.width());
            grabber.setImageHeight(s.height());
        });
        double fps = grabber.getVideoFrameRate();
        if (Double.isNaN(fps) || Double.isInfinite(fps) || fps < 0 || fps > 1000) {
            fps = 0;
        }
        long frames = videoDurationMicros > 0 && fps > 0 ? Math.round(videoDurationMicros * fps / 1e6) : -1;
        this.info = new SourceInfo(spec.displayName(), grabber.getFormat(), grabber.getVideoCodecName(),
                grabber.getImageWidth(), grabber.getImageHeight(), fps, videoDurationMicros, frames,
                creationTime(grabber.getMetadata("creation_time")), spec.baseName());
    }

    /** Opens and starts a grabber for the spec; the message of a failure says what is wrong with the source. */
    static VideoSource open(SourceSpec spec, ImageOptions options) throws SourceException {
        if (spec.kind() == SourceKind.FILE) {
            Path p = Path.of(spec.location());
            if (!Files.isRegularFile(p)) {
                throw new SourceException(Reason.UNREADABLE, "no such video file: " + spec.location(), 0);
            }
            if (p.toFile().length() == 0) {
                throw new SourceException(Reason.UNREADABLE, spec.location() + " is empty, not a video", 0);
            }
        }
        FFmpegFrameGrabber grabber = GrabberFactory.video(spec, ImageEncoder.inputPixelFormat(options.encoding()));
        FfmpegLog.clearLastError();
        try {
            grabber.start();
        } catch (FFmpegFrameGrabber.Exception e) {
            closeQuietly(grabber);
            throw openFailure(spec, e);
        }
        if (!grabber.hasVideo()) {
            closeQuietly(grabber);
            throw new SourceException(Reason.UNREADABLE, spec.displayName() + " has no video stream", 0);
        }
        return new VideoSource(spec, grabber, new ImageEncoder(options), options);
    }

    private static SourceException openFailure(SourceSpec spec, FFmpegFrameGrabber.Exception e) {
        String detail = FfmpegLog.lastErrorOnThisThread();
        if (detail == null) {
            detail = e.getMessage();
        }
        return switch (spec.kind()) {
            case NETWORK -> new SourceException(Reason.DISCONNECTED,
                    "cannot open stream " + spec.displayName() + ": " + detail, 0, e);
            case DEVICE -> new SourceException(Reason.DISCONNECTED,
                    "cannot open capture device " + spec.displayName() + ": " + detail, 0, e);
            default -> new SourceException(Reason.UNREADABLE, spec.displayName()
                    + " is not a readable video (" + detail + "); check that it is a complete video file", 0, e);
        };
    }

    private static long videoDuration(AVFormatContext oc, int videoStream) {
        if (videoStream >= 0 && videoStream < oc.nb_streams()) {
            AVStream st = oc.streams(videoStream);
            AVRational tb = st.time_base();
            if (st.duration() != AV_NOPTS_VALUE && st.duration() > 0 && tb.den() > 0) {
                return st.duration() * 1_000_000L * tb.num() / tb.den();
            }
        }
        return oc.duration() == AV_NOPTS_VALUE || oc.duration() <= 0 ? -1 : oc.duration();
    }

    private static Instant creationTime(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public SourceInfo info() {
        return info;
    }

    @Override
    public GrabbedFrame next() throws SourceException {
        ensureOpen();
        while (true) {
            Frame f;
            long errorsBefore = FfmpegLog.errorsOnThisThread();
            try {
                f = grabber.grabImage();
            } catch (FFmpegFrameGrabber.Exception e) {
                Reason r = spec.kind().liveByDefault() ? Reason.DISCONNECTED : Reason.DAMAGED;
                throw new SourceException(r, "reading " + spec.displayName() + " failed after " + delivered
                        + " frames: " + e.getMessage(), delivered, e);
            } finally {
                decodeErrors += FfmpegLog.errorsOnThisThread() - errorsBefore;
            }
            if (f == null) {
                checkCompleteRecording();
                return null;
            }
            if (f.image == null || !(f.opaque instanceof AVFrame picture)) {
                continue;
            }
            long mediaTime = f.timestamp - startTimeMicros;
            if (picture.decode_error_flags() != 0 || (picture.flags() & FRAME_FLAG_CORRUPT) != 0) {
                corrupt++;
                lastMediaTime = Math.max(lastMediaTime, mediaTime);
                continue;
            }
            if (spec.kind() == SourceKind.FILE && mediaTime <= lastMediaTime) {
                // a recording's frames advance in time: a repeated timestamp is the decoder's guess for a frame
                // after damage; that frame is already counted in the timestamp gap it belongs to
                continue;
            }
            countMissingFrames(mediaTime);
            lastMediaTime = mediaTime;
            byte[] data = encoder.encode(picture);
            delivered++;
            return new GrabbedFrame(mediaTime, picture.width(), picture.height(), encoding, data, null, null);
        }
    }

    private void countMissingFrames(long mediaTime) {
        long interval = info.frameIntervalMicros();
        if (spec.kind() != SourceKind.FILE || interval <= 0 || lastMediaTime < 0 || mediaTime <= lastMediaTime) {
            return;
        }
        long missing = Math.round((mediaTime - lastMediaTime) / (double) interval) - 1;
        if (missing > 0) {
            corrupt += missing;
        }
    }

    /** A recording that stops well before its stated duration was cut off or has an unreadable tail. */
    private void checkCompleteRecording() throws SourceException {
        if (spec.kind() != SourceKind.FILE || videoDurationMicros <= 0) {
            return;
        }
        long interval = Math.max(info.frameIntervalMicros(), 1);
        long lastEnd = lastMediaTime < 0 ? 0 : lastMediaTime + interval;
        // two frame intervals of slack: containers round durations, and the last frame may be short
        if (lastEnd + 2 * interval < videoDurationMicros) {
            String where = lastMediaTime < 0 ? "before its first frame"
                    : String.format(java.util.Locale.ROOT, "at %.2f s of %.2f s", lastEnd / 1e6,
                            videoDurationMicros / 1e6);
            throw new SourceException(Reason.DAMAGED, spec.displayName() + " ends " + where + " after " + delivered
                    + " frames: the file is truncated or damaged", delivered);
        }
    }

    @Override
    public void seek(long mediaTimeMicros) throws SourceException {
        ensureOpen();
        try {
            grabber.setVideoTimestamp(mediaTimeMicros);
        } catch (FFmpegFrameGrabber.Exception e) {
            throw new SourceException(Reason.DAMAGED, "cannot seek " + spec.displayName() + " to "
                    + mediaTimeMicros / 1e6 + " s: " + e.getMessage(), delivered, e);
        }
        lastMediaTime = -1;
    }

    @Override
    public long corruptFrames() {
        return corrupt;
    }

    @Override
    public long decodeErrors() {
        return decodeErrors;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the source " + spec.displayName() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeQuietly(grabber);
        } finally {
            encoder.close();
        }
    }

    private static void closeQuietly(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (FrameGrabber.Exception e) {
            org.slf4j.LoggerFactory.getLogger(VideoSource.class).debug("closing the grabber failed", e);
        }
    }
}
