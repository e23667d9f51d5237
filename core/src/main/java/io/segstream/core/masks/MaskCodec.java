package io.segstream.core.masks;

import io.segstream.core.imaging.GreyPngEncoder;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.schemas.MaskEncoding;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Encodes class masks for the masks topic, as an 8-bit grey PNG of class ids or as run-length code.
 *
 * <p>The run-length code ({@link MaskEncoding#RLE}) is, byte by byte:
 * <ol>
 *   <li>format version, {@code 0x01};</li>
 *   <li>width, then height, each an unsigned LEB128 varint (7 bits a byte, low bits first, high bit set on
 *       every byte but the last);</li>
 *   <li>runs until {@code width * height} pixels are covered, row-major, runs crossing row ends: one byte of
 *       class id, then the run length (at least 1) as an unsigned LEB128 varint.</li>
 * </ol>
 * A 1024x512 mask of 20 classes with large regions codes to a few kilobytes.
 *
 * <pre>{@code
 * byte[] png = MaskCodec.encode(mask, MaskEncoding.PNG_CLASS_IDS);
 * ClassMask back = MaskCodec.decode(png, MaskEncoding.PNG_CLASS_IDS, "cam-1 seq 7");
 * }</pre>
 */
public final class MaskCodec {
    /** The version byte that starts run-length code. */
    public static final int RLE_VERSION = 1;

    private MaskCodec() {}

    /** Encodes {@code mask} in {@code encoding}. */
    public static byte[] encode(ClassMask mask, MaskEncoding encoding) {
        return switch (encoding) {
            case PNG_CLASS_IDS -> encodePng(mask);
            case RLE -> encodeRle(mask);
            case UNKNOWN -> throw new IllegalArgumentException("mask encoding UNKNOWN cannot be written; use PNG_CLASS_IDS or RLE");
        };
    }

    /**
     * Decodes a mask written by {@link #encode}.
     *
     * @param source names the mask in errors (camera id and seq)
     * @throws ImageFormatException when the bytes are not a mask of that encoding
     */
    public static ClassMask decode(byte[] data, MaskEncoding encoding, String source) throws ImageFormatException {
        return switch (encoding) {
            case PNG_CLASS_IDS -> decodePng(data, source);
            case RLE -> decodeRle(data, source);
            case UNKNOWN -> throw new ImageFormatException(source
                    + ": the mask's encoding is unknown to this reader (written by a newer producer)");
        };
    }

    /**
     * An 8-bit grey PNG whose pixel values are the class ids, written with no row filter at the fastest deflate level:
     * on 1024x512 masks of the bundled model about a third larger than ImageIO's writer makes them and several times
     * cheaper (README, Performance).
     */
    public static byte[] encodePng(ClassMask mask) {
        return GreyPngEncoder.encode(mask.classIds(), mask.width(), mask.height(), GreyPngEncoder.Filter.NONE,
                Deflater.BEST_SPEED);
    }

    /** Reads an 8-bit grey PNG of class ids. */
    public static ClassMask decodePng(byte[] png, String source) throws ImageFormatException {
        LabelImage img = LabelPng.read8(png, source);
        return new ClassMask(img.width(), img.height(), img.toBytes());
    }

    /** Run-length code as the class documentation describes. */
    public static byte[] encodeRle(ClassMask mask) {
        byte[] ids = mask.classIds();
        byte[] out = new byte[64 + ids.length / 64];
        int n = 0;
        out[n++] = RLE_VERSION;
        n = putVarint(out, n, mask.width());
        n = putVarint(out, n, mask.height());
        int i = 0;
        while (i < ids.length) {
            int j = ClassHistogram.runEnd(ids, i, ids.length);
            if (out.length - n < 6) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = ids[i];
            n = putVarint(out, n, j - i);
            i = j;
        }
        return Arrays.copyOf(out, n);
    }

    /** Writes {@code value} as an unsigned LEB128 varint at {@code at} (room for 5 bytes assumed); the next index. */
    private static int putVarint(byte[] out, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            out[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    /** Reads run-length code. */
    public static ClassMask decodeRle(byte[] data, String source) throws ImageFormatException {
        if (data.length == 0) {
            throw new ImageFormatException(source + ": the run-length mask is empty");
        }
        if ((data[0] & 0xFF) != RLE_VERSION) {
            throw new ImageFormatException(source + ": run-length mask version " + (data[0] & 0xFF)
                    + " is not supported (expected " + RLE_VERSION + ")");
        }
        int[] pos = {1};
        long width = readVarint(data, pos, source);
        long height = readVarint(data, pos, source);
        if (width <= 0 || height <= 0 || width * height > Integer.MAX_VALUE - 8) {
            throw new ImageFormatException(source + ": run-length mask size " + width + "x" + height + " is not valid");
        }
        byte[] ids = new byte[(int) (width * height)];
        int filled = 0;
        while (pos[0] < data.length) {
            byte id = data[pos[0]++];
            long run = readVarint(data, pos, source);
            if (run < 1 || run > ids.length - filled) {
                throw new ImageFormatException(source + ": run of " + run + " pixels at byte " + pos[0]
                        + " does not fit the " + width + "x" + height + " mask (" + (ids.length - filled) + " left)");
            }
            Arrays.fill(ids, filled, filled + (int) run, id);
            filled += (int) run;
        }
        if (filled != ids.length) {
            throw new ImageFormatException(source + ": run-length mask covers " + filled + " of " + ids.length
                    + " pixels; the data is truncated");
        }
        return new ClassMask((int) width, (int) height, ids);
    }

    private static long readVarint(byte[] data, int[] pos, String source) throws ImageFormatException {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos[0] >= data.length) {
                throw new ImageFormatException(source + ": run-length mask ends inside a number at byte " + pos[0]);
            }
            int b = data[pos[0]++] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new ImageFormatException(source + ": run-length mask holds a number longer than 5 bytes at byte "
                + pos[0]);
    }
}
