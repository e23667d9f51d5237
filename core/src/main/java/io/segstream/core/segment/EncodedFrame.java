package io.segstream.core.segment;

import io.segstream.schemas.ImageEncoding;
import java.util.Objects;

/**
 * A camera frame as it travels: encoded bytes and the size its header claims.
 *
 * @param encoding how {@code data} is encoded
 * @param data     the encoded image; not copied
 * @param width    width the header claims
 * @param height   height the header claims
 */
public record EncodedFrame(ImageEncoding encoding, byte[] data, int width, int height) {
    public EncodedFrame {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(data, "data");
    }
}
