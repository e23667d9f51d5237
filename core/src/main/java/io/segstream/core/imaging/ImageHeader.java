package io.segstream.core.imaging;

import io.segstream.schemas.ImageEncoding;

/**
 * Pixel size of an encoded JPEG or PNG frame, read from its header (JPEG: the SOF segment, PNG: the IHDR chunk)
 * without decoding: a frame whose header announces another size than the frame record is refused before any decoder
 * allocates for it, so a tiny payload that claims 60000x60000 pixels costs nothing.
 *
 * <pre>{@code
 * ImageHeader h = ImageHeader.read(ImageEncoding.JPEG, bytes, "camera cam-1 seq 42");
 * }</pre>
 *
 * @param width  pixels per row
 * @param height rows
 */
public record ImageHeader(int width, int height) {
    /** How far from its end a complete JPEG's end-of-image marker may stand (some encoders pad after it). */
    private static final int JPEG_TAIL = 64;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D'};

    /**
     * Reads the size of a JPEG or PNG frame.
     *
     * @param source names the frame in errors (camera id and seq)
     * @throws ImageFormatException when the data does not start like the format or its header is cut off
     */
    public static ImageHeader read(ImageEncoding encoding, byte[] data, String source) throws ImageFormatException {
        return switch (encoding) {
            case JPEG -> jpeg(data, source);
            case PNG -> png(data, source);
            default -> throw new IllegalArgumentException("only JPEG and PNG have a header to read, not " + encoding);
        };
    }

    /**
     * Refuses a frame whose end is missing: a JPEG without its end-of-image marker, a PNG without its IEND chunk.
     * Native decoders fill the missing rows of a truncated JPEG with grey and only warn; such a frame must count as
     * broken.
     *
     * @throws ImageFormatException when the frame is truncated
     */
    public static void checkComplete(ImageEncoding encoding, byte[] data, String source) throws ImageFormatException {
        if (encoding == ImageEncoding.JPEG) {
            for (int i = data.length - 2; i >= Math.max(0, data.length - JPEG_TAIL); i--) {
                if (data[i] == (byte) 0xFF && data[i + 1] == (byte) 0xD9) {
                    return;
                }
            }
            throw new ImageFormatException(source + ": the JPEG image is truncated (it has no end-of-image marker)");
        }
        if (encoding == ImageEncoding.PNG) {
            // IEND: length 0, type, then its 4-byte CRC
            int at = data.length - 4 - PNG_IEND.length;
            if (at < PNG_SIGNATURE.length || !java.util.Arrays.equals(data, at, at + PNG_IEND.length, PNG_IEND, 0,
                    PNG_IEND.length)) {
                throw new ImageFormatException(source + ": the PNG image is truncated (it does not end with IEND)");
            }
        }
    }

    private static ImageHeader png(byte[] data, String source) throws ImageFormatException {
        if (data.length < 24 || !java.util.Arrays.equals(data, 0, 8, PNG_SIGNATURE, 0, 8)
                || data[12] != 'I' || data[13] != 'H' || data[14] != 'D' || data[15] != 'R') {
            throw new ImageFormatException(source + ": not a readable PNG image (no PNG header)");
        }
        return checked(u32(data, 16), u32(data, 20), "PNG", source);
    }

    private static ImageHeader jpeg(byte[] data, String source) throws ImageFormatException {
        if (data.length < 4 || data[0] != (byte) 0xFF || data[1] != (byte) 0xD8) {
            throw new ImageFormatException(source + ": not a readable JPEG image (no start-of-image marker)");
        }
        int i = 2;
        while (i + 3 < data.length) {
            if (data[i] != (byte) 0xFF) {
                throw new ImageFormatException(source + ": not a readable JPEG image (no marker at byte " + i + ")");
            }
            int marker = data[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;    // fill byte before a marker
                continue;
            }
            if (marker == 0x01 || marker >= 0xD0 && marker <= 0xD8) {
                i += 2;   // markers without a segment
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break;    // end of image or start of scan before any frame header
            }
            if (isStartOfFrame(marker)) {
                if (i + 9 > data.length) {
                    break;
                }
                return checked(u16(data, i + 7), u16(data, i + 5), "JPEG", source);
            }
            i += 2 + u16(data, i + 2);
        }
        throw new ImageFormatException(source + ": not a readable JPEG image (no frame header before the image data)");
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static ImageHeader checked(long width, long height, String format, String source)
            throws ImageFormatException {
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageFormatException(source + ": not a readable " + format + " image (its header gives size "
                    + width + "x" + height + ")");
        }
        return new ImageHeader((int) width, (int) height);
    }

    private static int u16(byte[] d, int at) {
        return (d[at] & 0xFF) << 8 | d[at + 1] & 0xFF;
    }

    private static long u32(byte[] d, int at) {
        return (long) (d[at] & 0xFF) << 24 | (d[at + 1] & 0xFF) << 16 | (d[at + 2] & 0xFF) << 8 | d[at + 3] & 0xFF;
    }

    /** The size as {@code WIDTHxHEIGHT}. */
    public String size() {
        return width + "x" + height;
    }
}
