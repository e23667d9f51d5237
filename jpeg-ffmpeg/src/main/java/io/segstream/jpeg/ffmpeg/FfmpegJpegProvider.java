package io.segstream.jpeg.ffmpeg;

import io.segstream.core.imaging.JpegDecoder;

/** Offers {@link FfmpegJpegDecoder} to core's {@code FrameDecoder} as {@code ffmpeg} (a {@code ServiceLoader} entry). */
public final class FfmpegJpegProvider implements JpegDecoder.Provider {
    @Override
    public String name() {
        return "ffmpeg";
    }

    @Override
    public JpegDecoder open() {
        return new FfmpegJpegDecoder();
    }
}
