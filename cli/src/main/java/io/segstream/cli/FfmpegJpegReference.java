package io.segstream.cli;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import io.segstream.inference.bench.PipelineBenchmark;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * The reference decode of {@code bench}'s P3 figure: FFmpeg's MJPEG decoder (SIMD IDCT, the class of decoder
 * libjpeg-turbo is) on one thread, to planar YUV without a colour conversion — a floor for what decoding a JPEG
 * frame can cost on this CPU, not something the pipeline could use as is (the network wants RGB planes).
 * Owns native buffers; close it.
 */
final class FfmpegJpegReference implements PipelineBenchmark.ReferenceDecoder, AutoCloseable {
    private final AVCodecContext context;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame frame = av_frame_alloc();
    private BytePointer buffer = new BytePointer(0);

    FfmpegJpegReference() {
        AVCodec codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG);
        if (codec == null) {
            throw new IllegalStateException("this FFmpeg build has no MJPEG decoder");
        }
        context = avcodec_alloc_context3(codec);
        context.thread_count(1);
        int ret = avcodec_open2(context, codec, (AVDictionary) null);
        if (ret < 0) {
            throw new IllegalStateException("could not open FFmpeg's MJPEG decoder (error " + ret + ")");
        }
    }

    @Override
    public String name() {
        return "FFmpeg MJPEG decoder, 1 thread, to YUV";
    }

    @Override
    public void decode(byte[] encoded) {
        if (buffer.capacity() < encoded.length) {
            buffer.close();
            buffer = new BytePointer(encoded.length);
        }
        buffer.position(0).put(encoded, 0, encoded.length);
        packet.data(buffer);
        packet.size(encoded.length);
        int sent = avcodec_send_packet(context, packet);
        int received = sent < 0 ? sent : avcodec_receive_frame(context, frame);
        if (received < 0) {
            throw new IllegalArgumentException("FFmpeg's MJPEG decoder refused a frame of " + encoded.length
                    + " bytes (error " + received + ")");
        }
        av_frame_unref(frame);
    }

    @Override
    public void close() {
        packet.data(null);
        av_packet_free(packet);
        av_frame_free(frame);
        avcodec_free_context(context);
        buffer.close();
    }
}
