package io.segstream.jpeg.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_BITSTREAM;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_BUFFER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_EF_EXPLODE;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_DEBUG;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV440P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ422P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ440P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ444P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import io.segstream.core.imaging.JpegDecoder;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.YcbcrPlanes;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * FFmpeg's MJPEG decoder (SIMD inverse DCT, on the calling thread) for camera frames, leaving them as the
 * {@link YcbcrPlanes} the JPEG holds: 4:2:0, 4:2:2, 4:4:0 and 4:4:4 full-range YCbCr, and grey. Anything else
 * (CMYK, RGB or 12-bit JPEGs, limited-range output) is left to ImageIO ({@code null}).
 *
 * <p>Broken frames are left to ImageIO too, so they are refused with the same messages whichever decoder runs first:
 * data without an end-of-image marker (a truncated frame, which FFmpeg would pad with grey), and data FFmpeg itself
 * finds corrupt (error detection set to stop at the first bitstream error, frames flagged corrupt).
 *
 * <p>One decoder per thread; it keeps its codec context, packet and frame across frames and owns native memory:
 * close it.
 */
public final class FfmpegJpegDecoder implements JpegDecoder {
    /** {@code AV_FRAME_FLAG_CORRUPT} of libavutil/frame.h (a macro the Java presets do not carry). */
    private static final int FRAME_FLAG_CORRUPT = 1;

    private final AVCodecContext context;
    private final AVPacket packet;
    private final AVFrame frame;
    private BytePointer buffer = new BytePointer(0);
    /** The planes {@link #decodeReusing} copies into, kept from frame to frame. */
    private final byte[][] reused = new byte[3][];
    private boolean closed;

    /**
     * Opens FFmpeg's MJPEG decoder.
     *
     * @throws IllegalStateException when FFmpeg has no MJPEG decoder or it does not open
     */
    public FfmpegJpegDecoder() {
        AVCodec codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no MJPEG decoder");
        }
        context = avcodec_alloc_context3(codec);
        context.thread_count(1);
        // FFmpeg's own SIMD inverse DCT: its libjpeg-style integer one (FF_IDCT_INT) was measured no closer to
        // ImageIO's pixels than within 3 levels, and as slow as ImageIO (4.0-4.2 ms a 1024x512 frame here)
        // stop at the first error instead of concealing it: a damaged frame goes to ImageIO for the verdict
        context.err_recognition(AV_EF_BITSTREAM | AV_EF_BUFFER | AV_EF_EXPLODE);
        // FFmpeg's lines about a broken frame go to its debug level: ImageIO's verdict is what the frame reports
        context.log_level_offset(AV_LOG_DEBUG - AV_LOG_ERROR);
        int ret = avcodec_open2(context, codec, (AVDictionary) null);
        if (ret < 0) {
            avcodec_free_context(context);
            throw new IllegalStateException("could not open FFmpeg's MJPEG decoder (error " + ret + ")");
        }
        packet = av_packet_alloc();
        frame = av_frame_alloc();
    }

    @Override
    public String name() {
        return "FFmpeg MJPEG";
    }

    @Override
    public RgbImage decode(byte[] data, int width, int height) {
        return decode(data, width, height, false);
    }

    /**
     * Copies the planes into arrays kept from call to call: a new 1024x512 frame's arrays cost 0.3 ms more than the
     * copy itself (allocated outside the thread's buffer, cleared, then collected), about 15 % of its decode.
     */
    @Override
    public RgbImage decodeReusing(byte[] data, int width, int height) {
        return decode(data, width, height, true);
    }

    private RgbImage decode(byte[] data, int width, int height, boolean reuse) {
        if (!endsWithEndOfImage(data) || !decodeToFrame(data)) {
            return null;
        }
        try {
            return planes(width, height, reuse);
        } finally {
            av_frame_unref(frame);
        }
    }

    /**
     * Decodes {@code data} and throws the picture away: what decoding alone costs, without copying the planes out
     * ({@code bench}'s reference decode for its P3 figure, the floor of any JPEG decode on the machine).
     *
     * @throws IllegalArgumentException when FFmpeg cannot decode the data
     */
    public void decodeOnly(byte[] data) {
        if (!decodeToFrame(data)) {
            throw new IllegalArgumentException("FFmpeg's MJPEG decoder refused a frame of " + data.length + " bytes");
        }
        av_frame_unref(frame);
    }

    /** Sends {@code data} as one packet and receives its picture into {@link #frame}; false when FFmpeg refuses. */
    private boolean decodeToFrame(byte[] data) {
        if (closed) {
            throw new IllegalStateException("this FFmpeg JPEG decoder is closed");
        }
        if (buffer.capacity() < data.length) {
            buffer.close();
            buffer = new BytePointer(data.length);
        }
        buffer.position(0).put(data, 0, data.length);
        packet.data(buffer);
        packet.size(data.length);
        try {
            int ret = avcodec_send_packet(context, packet);
            if (ret >= 0) {
                ret = avcodec_receive_frame(context, frame);
            }
            if (ret < 0) {
                // an MJPEG frame is one packet; start the next from a clean state
                avcodec_flush_buffers(context);
                return false;
            }
            return true;
        } finally {
            packet.data(null);
            packet.size(0);
        }
    }

    private RgbImage planes(int width, int height, boolean reuse) {
        if (frame.width() != width || frame.height() != height || (frame.flags() & FRAME_FLAG_CORRUPT) != 0
                || frame.decode_error_flags() != 0) {
            return null;
        }
        int format = frame.format();
        boolean fullRange = frame.color_range() == AVCOL_RANGE_JPEG;
        byte[] luma = plane(0, width, height, reuse);
        if (format == AV_PIX_FMT_GRAY8) {
            return fullRange || frame.color_range() == 0
                    ? RgbImage.ofYcbcr(new YcbcrPlanes(width, height, luma, null, null, 0, 0))
                    : null;
        }
        int sx;
        int sy;
        if (format == AV_PIX_FMT_YUVJ420P || format == AV_PIX_FMT_YUV420P && fullRange) {
            sx = 1;
            sy = 1;
        } else if (format == AV_PIX_FMT_YUVJ422P || format == AV_PIX_FMT_YUV422P && fullRange) {
            sx = 1;
            sy = 0;
        } else if (format == AV_PIX_FMT_YUVJ440P || format == AV_PIX_FMT_YUV440P && fullRange) {
            sx = 0;
            sy = 1;
        } else if (format == AV_PIX_FMT_YUVJ444P || format == AV_PIX_FMT_YUV444P && fullRange) {
            sx = 0;
            sy = 0;
        } else {
            return null;
        }
        int cw = (width + (1 << sx) - 1) >> sx;
        int ch = (height + (1 << sy) - 1) >> sy;
        return RgbImage.ofYcbcr(new YcbcrPlanes(width, height, luma, plane(1, cw, ch, reuse), plane(2, cw, ch, reuse),
                sx, sy));
    }

    /** Plane {@code i} of the frame as {@code w x h} bytes without its row padding, in a new or the kept array. */
    private byte[] plane(int i, int w, int h, boolean reuse) {
        byte[] out;
        if (!reuse) {
            out = new byte[w * h];
        } else {
            if (reused[i] == null || reused[i].length != w * h) {
                reused[i] = new byte[w * h];
            }
            out = reused[i];
        }
        BytePointer p = frame.data(i);
        int stride = frame.linesize(i);
        if (stride == w) {
            p.position(0).get(out, 0, w * h);
        } else {
            for (int y = 0; y < h; y++) {
                p.position((long) y * stride).get(out, y * w, w);
            }
        }
        return out;
    }

    /** Whether the data ends with the EOI marker, allowing the zero padding some cameras append. */
    static boolean endsWithEndOfImage(byte[] data) {
        int end = data.length;
        while (end > 2 && data[end - 1] == 0 && data.length - end < 64) {
            end--;
        }
        return end >= 4 && (data[end - 2] & 0xFF) == 0xFF && (data[end - 1] & 0xFF) == 0xD9;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        av_packet_free(packet);
        av_frame_free(frame);
        avcodec_free_context(context);
        buffer.close();
    }
}
