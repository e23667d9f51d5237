package io.segstream.core.imaging;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A native JPEG decoder that {@link FrameDecoder} tries before ImageIO (FFmpeg's, from the {@code jpeg-ffmpeg}
 * module): it decodes to {@link YcbcrPlanes}, which the preprocessing reads without a colour conversion of the whole
 * frame. A decoder that cannot or will not decode a frame says so with {@code null}, and ImageIO decodes it and gives
 * the verdict on a broken one, so both decoders refuse the same frames with the same messages.
 *
 * <p>One instance per thread, like {@link FrameDecoder}; it owns native memory, so close it.
 */
public interface JpegDecoder extends AutoCloseable {

    /** Names the decoder in logs and benchmarks. */
    String name();

    /**
     * Decodes a JPEG whose header gave {@code width x height} (already checked against the frame record).
     *
     * @return the frame, or null when this decoder cannot decode it exactly (an unsupported pixel format, data it
     *     finds corrupt or truncated): the caller then asks ImageIO
     */
    RgbImage decode(byte[] data, int width, int height);

    /**
     * Like {@link #decode}, but the image may hold this decoder's own arrays, which its next call overwrites: for a
     * caller done with the image before it decodes again (the segmenter reads it into the model input at once). It
     * spares allocating and clearing a frame's planes for every frame. The default decodes as {@link #decode} does.
     */
    default RgbImage decodeReusing(byte[] data, int width, int height) {
        return decode(data, width, height);
    }

    @Override
    void close();

    /** Makes decoders; found with {@link ServiceLoader} in the jars of the class path. */
    interface Provider {
        /** The short name options choose it by ({@code ffmpeg}). */
        String name();

        /**
         * A new decoder.
         *
         * @throws IllegalStateException when it cannot be opened here (its native libraries fail to load)
         */
        JpegDecoder open();
    }

    /** The providers on the class path of this class's loader, in the order {@link ServiceLoader} finds them. */
    static List<Provider> providers() {
        List<Provider> out = new ArrayList<>();
        ServiceLoader.load(Provider.class, JpegDecoder.class.getClassLoader()).forEach(out::add);
        return out;
    }
}
