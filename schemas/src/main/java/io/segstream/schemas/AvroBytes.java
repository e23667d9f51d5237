package io.segstream.schemas;

import java.nio.ByteBuffer;

/**
 * The contents of an Avro {@code bytes} field ({@code CameraFrame.image}, {@code SegmentationMask.mask}, ...) as
 * an array.
 *
 * <pre>{@code
 * byte[] jpeg = AvroBytes.toArray(frame.getImage());
 * }</pre>
 */
public final class AvroBytes {
    private AvroBytes() {}

    /**
     * A copy of the buffer's remaining bytes. The buffer's position is left where it was, so the record can be read
     * again (or re-encoded) afterwards.
     */
    public static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        byte[] out = new byte[view.remaining()];
        view.get(out);
        return out;
    }
}
