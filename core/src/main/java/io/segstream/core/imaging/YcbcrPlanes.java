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
 * else, with the chroma interpolated as ImageIO's decoder does.
 *
 * @param luma   {@code width * height} bytes, row-major
 * @param cb     chroma blue, {@link #chromaWidth()} x {@link #chromaHeight()} bytes; null for a grey frame
 * @param cr     chroma red, like {@code cb}; null for a grey frame
 */
public record YcbcrPlanes(int width, int height, byte[] luma, byte[] cb, byte[] cr, int chromaShiftX,
        int chromaShiftY) {

    /** JFIF's YCbCr to RGB coefficients, applied to chroma less 128: red from Cr, green from Cb and Cr, blue from Cb. */
    public static final float CR_TO_RED = 1.402f;
    public static final float CB_TO_GREEN = -0.344136f;
    public static final float CR_TO_GREEN = -0.714136f;
    public static final float CB_TO_BLUE = 1.772f;

    /** Red from Cr, green from Cb and Cr, blue from Cb, in 1/65536 (libjpeg's tables of JFIF's coefficients). */
    private static final int[] CR_R = new int[256];
    private static final int[] CB_G = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int ONE_HALF = 1 << 15;

    static {
        // libjpeg's jdcolor.c tables: FIX(x) = x * 65536 rounded; red and blue offsets rounded to whole levels, the
        // green ones summed in 1/65536 with one half added once
        for (int v = 0; v < 256; v++) {
            int c = v - 128;
            CR_R[v] = ((91881 * c + ONE_HALF) >> 16) << 16;
            CB_B[v] = ((116130 * c + ONE_HALF) >> 16) << 16;
            CB_G[v] = -22554 * c + ONE_HALF;
            CR_G[v] = -46802 * c;
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

    /**
     * Interleaved RGB bytes, rounded and clamped. Chroma subsampled 2x across (4:2:0, 4:2:2) is interpolated as
     * libjpeg's "fancy" upsampling does (ImageIO's decoder): weights 3/4 and 1/4 between neighbouring samples across,
     * and for 4:2:0 also down, with libjpeg's rounding, so the pixels match ImageIO's decode of the same planes.
     * 4:4:0 takes the chroma of the sample covering each pixel, as libjpeg 6b does.
     */
    public byte[] toRgb() {
        byte[] out = new byte[width * height * 3];
        if (cb == null) {
            for (int i = 0, o = 0; i < luma.length; i++, o += 3) {
                out[o] = out[o + 1] = out[o + 2] = luma[i];
            }
            return out;
        }
        int[] rowCb = new int[width];
        int[] rowCr = new int[width];
        for (int y = 0; y < height; y++) {
            chromaRow(cb, y, rowCb);
            chromaRow(cr, y, rowCr);
            for (int x = 0, o = y * width * 3; x < width; x++, o += 3) {
                int l16 = (luma[y * width + x] & 0xFF) << 16;
                int b = rowCb[x];
                int r = rowCr[x];
                out[o] = clamp((l16 + CR_R[r]) >> 16);
                out[o + 1] = clamp((l16 + CB_G[b] + CR_G[r]) >> 16);
                out[o + 2] = clamp((l16 + CB_B[b]) >> 16);
            }
        }
        return out;
    }

    /** The chroma of output row {@code y} of {@code plane}, one value per pixel (see {@link #toRgb()}). */
    void chromaRow(byte[] plane, int y, int[] out) {
        int cw = chromaWidth();
        int ch = chromaHeight();
        int row = y >> chromaShiftY;
        if (chromaShiftX == 0) {
            for (int x = 0; x < width; x++) {
                out[x] = plane[row * cw + x] & 0xFF;
            }
            return;
        }
        if (chromaShiftY == 0) {
            // h2v1: (3 * nearer + farther + 1 or 2) / 4, the first and last pixel take their sample
            int o = row * cw;
            for (int c = 0; c < cw; c++) {
                int here = plane[o + c] & 0xFF;
                if (2 * c < width) {
                    out[2 * c] = c == 0 ? here : (3 * here + (plane[o + c - 1] & 0xFF) + 1) >> 2;
                }
                if (2 * c + 1 < width) {
                    out[2 * c + 1] = c == cw - 1 ? here : (3 * here + (plane[o + c + 1] & 0xFF) + 2) >> 2;
                }
            }
            return;
        }
        // h2v2: a column sum of 3 * this row + the nearer row (above for the upper output row, below for the lower),
        // then (3 * this + neighbour column + 8 or 7) / 16; the edges repeat their sample
        int nearer = (y & 1) == 0 ? Math.max(row - 1, 0) : Math.min(row + 1, ch - 1);
        int o = row * cw;
        int n = nearer * cw;
        int last = cw - 1;
        for (int c = 0; c < cw; c++) {
            int here = 3 * (plane[o + c] & 0xFF) + (plane[n + c] & 0xFF);
            if (2 * c < width) {
                int left = c == 0 ? here : 3 * (plane[o + c - 1] & 0xFF) + (plane[n + c - 1] & 0xFF);
                out[2 * c] = (3 * here + left + 8) >> 4;
            }
            if (2 * c + 1 < width) {
                int right = c == last ? here : 3 * (plane[o + c + 1] & 0xFF) + (plane[n + c + 1] & 0xFF);
                out[2 * c + 1] = (3 * here + right + 7) >> 4;
            }
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}
