package io.segstream.core.imaging;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit grey PNGs straight from a byte array, with one row filter for every row and a chosen deflate level:
 * for class-id masks several times faster than ImageIO's writer, which tries every filter on every row and
 * compresses harder. Any PNG reader reads the result.
 *
 * <pre>{@code
 * byte[] png = GreyPngEncoder.encode(classIds, 1024, 512, GreyPngEncoder.Filter.UP, Deflater.BEST_SPEED);
 * }</pre>
 */
public final class GreyPngEncoder {
    /** The PNG row filter applied to every row. */
    public enum Filter {
        /** Bytes as they are. */
        NONE(0),
        /** Each byte minus the one to its left: runs of one class become zeros. */
        SUB(1),
        /** Each byte minus the one above: rows like the previous one become zeros. */
        UP(2);

        private final int code;

        Filter(int code) {
            this.code = code;
        }
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private GreyPngEncoder() {}

    /**
     * Encodes {@code pixels} ({@code width * height} grey values, row-major) as an 8-bit grey PNG.
     *
     * @param level deflate level, 0 (store) to 9 (smallest)
     */
    public static byte[] encode(byte[] pixels, int width, int height, Filter filter, int level) {
        if (width <= 0 || height <= 0 || (long) width * height != pixels.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image needs " + (long) width * height
                    + " bytes, got " + pixels.length);
        }
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("deflate level must be 0..9, got " + level);
        }
        byte[] filtered = new byte[(width + 1) * height];
        for (int y = 0, s = 0, o = 0; y < height; y++, s += width) {
            filtered[o++] = (byte) filter.code;
            switch (filter) {
                case NONE -> System.arraycopy(pixels, s, filtered, o, width);
                case SUB -> {
                    filtered[o] = pixels[s];
                    for (int x = 1; x < width; x++) {
                        filtered[o + x] = (byte) (pixels[s + x] - pixels[s + x - 1]);
                    }
                }
                case UP -> {
                    if (y == 0) {
                        System.arraycopy(pixels, s, filtered, o, width);
                    } else {
                        for (int x = 0; x < width; x++) {
                            filtered[o + x] = (byte) (pixels[s + x] - pixels[s - width + x]);
                        }
                    }
                }
                default -> throw new IllegalStateException("unhandled filter " + filter);
            }
            o += width;
        }
        Deflater deflater = new Deflater(level);
        byte[] idat;
        try {
            deflater.setInput(filtered);
            deflater.finish();
            ByteArrayOutputStream z = new ByteArrayOutputStream(Math.max(64, filtered.length / 32));
            byte[] buf = new byte[16384];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                z.write(buf, 0, n);
            }
            idat = z.toByteArray();
        } finally {
            deflater.end();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(idat.length + 64);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8;    // bit depth
        ihdr[9] = 0;    // grey
        chunk(out, "IHDR", ihdr);
        chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] head = new byte[4];
        putInt(head, 0, data.length);
        out.writeBytes(head);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(name);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        putInt(head, 0, (int) crc.getValue());
        out.writeBytes(head);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
