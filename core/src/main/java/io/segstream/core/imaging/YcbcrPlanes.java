package io.segstream.core.imaging;

import java.util.Objects;

/**
 * A JPEG frame as its decoder leaves it: full-range YCbCr (JFIF, BT.601 coefficients) in planes, the chroma planes
 * subsampled by {@code 1 << chromaShiftX} across and {@code 1 << chromaShiftY} down (4:2:0 is 1 and 1), or a grey
 * frame with luma alone.
 *
 * <p>Keeping the planes lets the preprocessing read them directly: a 1024x512 4:2:0 frame for a 512x256 model has
 * its chroma at the model's size already, so only the luma is averaged and one colour conversion runs per input
 * pixel, not per frame pixel ({@code FramePreprocessor}). {@link #toRgb()} gives interleaved RGB for everything
 * else, with the chroma of the covering sample (no interpolation).
 *
 * @param luma   {@code width * height} bytes, row-major
 * @param cb     chroma blue, {@link #chromaWidth()} x {@link #chromaHeight()} bytes; null for a grey frame
 * @param cr     chroma red, like {@code cb}; null for a grey frame
 */
public record YcbcrPlanes(int width, int height, byte[] luma, byte[] cb, byte[] cr, int chromaShiftX,
        int chromaShiftY) {

    /** Red from Cr, green from Cb and Cr (negated), blue from Cb, in 1/65536 (JFIF's coefficients). */
    private static final int[] CR_R = new int[256];
    private static final int[] CB_G = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int ONE_HALF = 1 << 15;

    static {
        for (int v = 0; v < 256; v++) {
            int c = v - 128;
            CR_R[v] = (int) Math.round(1.40200 * 65536 * c);
            CB_G[v] = (int) Math.round(-0.344136 * 65536 * c);
            CR_G[v] = (int) Math.round(-0.714136 * 65536 * c);
            CB_B[v] = (int) Math.round(1.77200 * 65536 * c);
        }
    }

    public YcbcrPlanes {
        Objects.requireNonNull(luma, "luma");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (luma.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " luma plane needs " + (width * height)
                    + " bytes, got " + luma.length);
        }
        if ((cb == null) != (cr == null)) {
            throw new IllegalArgumentException("give both chroma planes or neither (a grey frame)");
        }
        if (chromaShiftX < 0 || chromaShiftX > 1 || chromaShiftY < 0 || chromaShiftY > 1) {
            throw new IllegalArgumentException("chroma subsampling of 1 or 2 each way is supported, got shifts "
                    + chromaShiftX + " and " + chromaShiftY);
        }
        int chroma = ((width + (1 << chromaShiftX) - 1) >> chromaShiftX)
                * ((height + (1 << chromaShiftY) - 1) >> chromaShiftY);
        if (cb != null && (cb.length != chroma || cr.length != chroma)) {
            throw new IllegalArgumentException("chroma planes of a " + width + "x" + height + " frame with shifts "
                    + chromaShiftX + "," + chromaShiftY + " need " + chroma + " bytes each, got " + cb.length + " and "
                    + cr.length);
        }
    }

    /** Whether the frame has luma only. */
    public boolean grey() {
        return cb == null;
    }

    /** Width of the chroma planes (rounded up). */
    public int chromaWidth() {
        return (width + (1 << chromaShiftX) - 1) >> chromaShiftX;
    }

    /** Height of the chroma planes (rounded up). */
    public int chromaHeight() {
        return (height + (1 << chromaShiftY) - 1) >> chromaShiftY;
    }

    /** Interleaved RGB bytes, each pixel with the chroma of the sample covering it; rounded and clamped. */
    public byte[] toRgb() {
        byte[] out = new byte[width * height * 3];
        int cw = chromaWidth();
        for (int y = 0, o = 0; y < height; y++) {
            int crow = (y >> chromaShiftY) * cw;
            for (int x = 0; x < width; x++, o += 3) {
                int l = luma[y * width + x] & 0xFF;
                if (cb == null) {
                    out[o] = out[o + 1] = out[o + 2] = (byte) l;
                    continue;
                }
                int c = crow + (x >> chromaShiftX);
                int b = cb[c] & 0xFF;
                int r = cr[c] & 0xFF;
                int l16 = (l << 16) + ONE_HALF;
                out[o] = clamp((l16 + CR_R[r]) >> 16);
                out[o + 1] = clamp((l16 + CB_G[b] + CR_G[r]) >> 16);
                out[o + 2] = clamp((l16 + CB_B[b]) >> 16);
            }
        }
        return out;
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
