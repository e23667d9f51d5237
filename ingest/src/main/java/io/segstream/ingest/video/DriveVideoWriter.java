package io.segstream.ingest.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes RGB frames into an MP4 video: H.264 with the OpenH264 encoder that the bytedeco FFmpeg build
 * carries, or MPEG-4 part 2 where an FFmpeg build has no H.264 encoder.
 *
 * <pre>{@code
 * try (DriveVideoWriter video = DriveVideoWriter.open(Path.of("drive.mp4"), 1024, 512, 10)) {
 *     video.write(scene.rgb());
 * }
 * }</pre>
 */
public final class DriveVideoWriter implements AutoCloseable {
    /** FFmpeg's name of the H.264 encoder of the default (LGPL) bytedeco build. */
    public static final String H264_ENCODER = "libopenh264";
    /** The encoder used when no H.264 encoder exists. */
    public static final String FALLBACK_ENCODER = "mpeg4";

    private static final Logger LOG = LoggerFactory.getLogger(DriveVideoWriter.class);

    private final Path file;
    private final int width;
    private final int height;
    private final String codec;
    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private int written;
    private boolean closed;

    private DriveVideoWriter(Path file, int width, int height, String codec, FFmpegFrameRecorder recorder) {
        this.file = file;
        this.width = width;
        this.height = height;
        this.codec = codec;
        this.recorder = recorder;
        this.frame = new Frame(width, height, Frame.DEPTH_UBYTE, 3, width * 3);
    }

    /** The H.264 encoder this FFmpeg build offers, or null if it has none. */
    public static String h264Encoder() {
        return avcodec.avcodec_find_encoder_by_name(H264_ENCODER) != null ? H264_ENCODER : null;
    }

    /**
     * Opens {@code file} (replacing it) for a video of {@code width x height} pixels at {@code fps} frames per
     * second. Width and height must be even (the video is 4:2:0).
     */
    public static DriveVideoWriter open(Path file, int width, int height, double fps) throws IOException {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException(file + ": a video needs an even, positive width and height, got "
                    + width + "x" + height);
        }
        if (!(fps > 0)) {
            throw new IllegalArgumentException(file + ": fps must be positive, got " + fps);
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String codec = h264Encoder();
        if (codec == null) {
            LOG.warn("this FFmpeg build has no {} encoder; writing {} as MPEG-4 part 2", H264_ENCODER, file);
            codec = FALLBACK_ENCODER;
        }
        FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toString(), width, height, 0);
        rec.setFormat("mp4");
        rec.setVideoCodecName(codec);
        rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        rec.setFrameRate(fps);
        rec.setGopSize(Math.max(1, (int) Math.round(fps * 2)));
        rec.setVideoBitrate((int) Math.min(50_000_000, Math.max(200_000, width * (double) height * fps * 0.2)));
        rec.setVideoOption("threads", "1");
        if (FALLBACK_ENCODER.equals(codec)) {
            rec.setVideoQuality(3);
        }
        // FFmpeg prints the whole output format at INFO level on start; keep stderr for the progress bar
        int level = avutil.av_log_get_level();
        avutil.av_log_set_level(Math.min(level, avutil.AV_LOG_WARNING));
        try {
            rec.start();
        } catch (FFmpegFrameRecorder.Exception e) {
            closeQuietly(rec);
            throw new IOException(file + ": cannot start the " + codec + " video encoder (" + e.getMessage() + ")", e);
        } finally {
            avutil.av_log_set_level(level);
        }
        return new DriveVideoWriter(file, width, height, codec, rec);
    }

    /** The encoder in use: {@value #H264_ENCODER} or {@value #FALLBACK_ENCODER}. */
    public String codec() {
        return codec;
    }

    public Path file() {
        return file;
    }

    public int framesWritten() {
        return written;
    }

    /** Appends one frame of packed 0xRRGGBB pixels, row-major, of the size given to {@link #open}. */
    public void write(int[] rgb) throws IOException {
        if (closed) {
            throw new IllegalStateException(file + ": the video writer is closed");
        }
        if (rgb.length != width * height) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: frame %d has %d pixels but the video is %dx%d", file, written, rgb.length, width, height));
        }
        ByteBuffer buf = (ByteBuffer) frame.image[0];
        buf.clear();
        for (int p : rgb) {
            buf.put((byte) p).put((byte) (p >> 8)).put((byte) (p >> 16));
        }
        buf.flip();
        try {
            recorder.record(frame, avutil.AV_PIX_FMT_BGR24);
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException(file + ": encoding frame " + written + " failed (" + e.getMessage() + ")", e);
        }
        written++;
    }

    /** Finishes the file (flushes the encoder, writes the MP4 index) and frees the native encoder. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            recorder.stop();
        } catch (FFmpegFrameRecorder.Exception e) {
            throw new IOException(file + ": finishing the video failed (" + e.getMessage() + ")", e);
        } finally {
            closeQuietly(recorder);
            frame.close();
        }
    }

    private static void closeQuietly(FFmpegFrameRecorder rec) {
        try {
            rec.release();
        } catch (FFmpegFrameRecorder.Exception e) {
            LOG.debug("releasing the recorder failed", e);
        }
    }
}
