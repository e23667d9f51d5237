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
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

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
