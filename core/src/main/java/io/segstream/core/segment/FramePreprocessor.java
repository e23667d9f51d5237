package io.segstream.core.segment;

import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.YcbcrPlanes;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.ChannelOrder;
import io.segstream.core.model.ModelManifest.Layout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Turns a frame into the model's input: bilinear resize to the input size (half-pixel centres, as OpenCV
 * and PyTorch do), the manifest's channel order, {@code (value / 255 - mean) / std}, written as float32 in
 * NCHW or NHWC at one batch position of a caller-owned (typically direct, reused) buffer.
 *
 * <p>A JPEG frame kept as 4:2:0 or grey YCbCr planes ({@link RgbImage#ycbcr()}) at twice the input size is read
 * from its planes: the mean of each 2x2 block of luma with that block's chroma as libjpeg's upsampling averages it,
 * converted to RGB once per input pixel (the RGB frame is never made). Every other frame is read as RGB.
 *
 * <p>Resize tables are kept for the last frame size, so a stream of equal-sized frames allocates nothing.
 * Not thread-safe.
 *
 * <pre>{@code
 * FramePreprocessor pre = new FramePreprocessor(manifest);
 * pre.write(frame, inputBuffer, 0);   // batch position 0
 * }</pre>
 */
public final class FramePreprocessor {
    /** Eight bytes of an array as one little-endian long (byte i in bits 8i to 8i + 7). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The low byte of each 16-bit lane of a long. */
    private static final long LANES = 0x00FF00FF00FF00FFL;
    /** Whether 4:2:0 frames are read with {@link VectorRows} unless a preprocessor is told otherwise. */
    private static final boolean VECTORS = vectorApiPresent() && VectorRows.floatLanes() >= 8
            && !"false".equals(System.getProperty("segstream.vector-api"));
    private final int width;
    private final int height;
    private final Layout layout;
    private final float[] scale = new float[3];
    private final float[] bias = new float[3];
    private final float[][] lut = new float[3][256];
    /** Channel value of a 2x2 pixel sum: the bilinear value at an exact halving, normalised (same float steps). */
    private final float[][] halfLut = new float[3][4 * 255 + 1];
    private final boolean bgr;
    private final boolean vectors;
    /** Scale and bias of the red, green and blue input channels (the model's order may be blue first). */
    private final float[] colourScale = new float[3];
    private final float[] colourBias = new float[3];
    private final float[] row;
    private final float[] rowLuma;
    private final float[] rowRed;
    private final float[] rowGreen;
    private final float[] rowBlue;
    private final float[] rowCb;
    private final float[] rowCr;
    /** Three chroma rows of a 4:2:0 frame smoothed across, per plane, cycled by row; made on the first such frame. */
    private float[][] acrossCb;
    private float[][] acrossCr;

    private int srcWidth = -1;
    private int srcHeight = -1;
    private int srcBpp = -1;
    private int[] x0;
    private int[] x1;
    private float[] fx;
    private int[] y0;
    private int[] y1;
    private float[] fy;

    /**
     * A preprocessor for the model {@code manifest} describes. It reads 4:2:0 frames with the JDK's vector API where
     * the JVM runs with {@code --add-modules jdk.incubator.vector} on a machine with 8 float lanes or more (AVX2,
     * AVX-512) and system property {@code segstream.vector-api} is not {@code false}; the same floats either way.
     */
    public FramePreprocessor(ModelManifest manifest) {
        this(manifest, VECTORS);
    }

    /** A preprocessor that reads 4:2:0 frames with {@link VectorRows} or not, as {@code vectors} says. */
    FramePreprocessor(ModelManifest manifest, boolean vectors) {
        if (vectors && !vectorApiPresent()) {
            throw new IllegalStateException("the JDK's vector API is not on: run with --add-modules "
                    + "jdk.incubator.vector");
        }
        this.vectors = vectors;
        this.width = manifest.inputWidth();
        this.height = manifest.inputHeight();
        this.layout = manifest.layout();
        this.bgr = manifest.channelOrder() == ChannelOrder.BGR;
        float[] mean = manifest.mean();
        float[] std = manifest.std();
        for (int k = 0; k < 3; k++) {
            scale[k] = 1f / (255f * std[k]);
            bias[k] = -mean[k] / std[k];
            for (int v = 0; v < 256; v++) {
                lut[k][v] = v * scale[k] + bias[k];
            }
            for (int sum = 0; sum < halfLut[k].length; sum++) {
                halfLut[k][sum] = sum / 4f * scale[k] + bias[k];
            }
        }
        int red = bgr ? 2 : 0;
        int blue = bgr ? 0 : 2;
        colourScale[0] = scale[red];
        colourScale[1] = scale[1];
        colourScale[2] = scale[blue];
        colourBias[0] = bias[red];
        colourBias[1] = bias[1];
        colourBias[2] = bias[blue];
        this.row = new float[width * 3];
        this.rowLuma = new float[width];
        this.rowRed = new float[width];
        this.rowGreen = new float[width];
        this.rowBlue = new float[width];
        this.rowCb = new float[width];
        this.rowCr = new float[width];
    }

    /** Whether this JVM resolved the JDK's incubating vector API ({@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Whether preprocessors read 4:2:0 frames with the JDK's vector API here (logged when a segmenter opens). */
    public static boolean usesVectorApiByDefault() {
        return VECTORS;
    }

    /** Whether this preprocessor reads 4:2:0 frames with the JDK's vector API. */
    public boolean usesVectorApi() {
        return vectors;
    }

    /** Floats one image takes in the input tensor: 3 x height x width. */
    public int floatsPerImage() {
        return 3 * width * height;
    }

    /**
     * Writes {@code image} at batch position {@code batchIndex} of {@code dst} (absolute indices; the buffer's
     * position is left alone).
     */
    public void write(RgbImage image, FloatBuffer dst, int batchIndex) {
        int base = batchIndex * floatsPerImage();
        if (dst.capacity() < base + floatsPerImage()) {
            throw new IllegalArgumentException("input buffer holds " + dst.capacity() + " floats, too few for batch "
                    + "position " + batchIndex + " of " + floatsPerImage() + " floats each");
        }
        YcbcrPlanes planes = image.ycbcr();
        if (planes != null && image.width() == 2 * width && image.height() == 2 * height
                && (planes.grey() || planes.chromaShiftX() == 1 && planes.chromaShiftY() == 1)) {
            if (acrossCb == null && !planes.grey()) {
                acrossCb = new float[3][width];
                acrossCr = new float[3][width];
            }
            halveYcbcr(planes, dst, base);
            return;
        }
        RgbImage.PixelLayout px = image.layout();
        int bpp = px.bytesPerPixel();
        // model channel k reads this byte offset within a source pixel
        int[] off = bgr
                ? new int[] {px.blueOffset(), px.greenOffset(), px.redOffset()}
                : new int[] {px.redOffset(), px.greenOffset(), px.blueOffset()};
        byte[] src = image.pixels();
        if (image.width() == width && image.height() == height) {
            copyRows(src, bpp, off, dst, base);
        } else if (image.width() == 2 * width && image.height() == 2 * height) {
            halveRows(src, bpp, off, dst, base);
        } else {
            plan(image.width(), image.height(), bpp);
            resizeRows(src, image.width() * bpp, off, dst, base);
        }
    }

    private void copyRows(byte[] src, int bpp, int[] off, FloatBuffer dst, int base) {
        float[] l0 = lut[0];
        float[] l1 = lut[1];
        float[] l2 = lut[2];
        int plane = width * height;
        for (int y = 0; y < height; y++) {
            int s = y * width * bpp;
            if (layout == Layout.NCHW) {
                for (int x = 0; x < width; x++, s += bpp) {
                    row[x] = l0[src[s + off[0]] & 0xFF];
                    row[width + x] = l1[src[s + off[1]] & 0xFF];
                    row[2 * width + x] = l2[src[s + off[2]] & 0xFF];
                }
                int o = base + y * width;
                dst.put(o, row, 0, width);
                dst.put(o + plane, row, width, width);
                dst.put(o + 2 * plane, row, 2 * width, width);
            } else {
                for (int x = 0, o = 0; x < width; x++, s += bpp, o += 3) {
                    row[o] = l0[src[s + off[0]] & 0xFF];
                    row[o + 1] = l1[src[s + off[1]] & 0xFF];
                    row[o + 2] = l2[src[s + off[2]] & 0xFF];
                }
                dst.put(base + y * width * 3, row, 0, width * 3);
            }
        }
    }

    /**
     * An exact halving: with half-pixel centres every output pixel lies midway between four source pixels, so the
     * bilinear value is their mean, (a + b) / 2 averaged with (c + d) / 2, which floats hold exactly; the table then
     * normalises it with the same float steps as {@link #resizeRows}, so both give the same bits.
     */
    private void halveRows(byte[] src, int bpp, int[] off, FloatBuffer dst, int base) {
        int stride = 2 * width * bpp;
        boolean nchw = layout == Layout.NCHW;
        for (int y = 0; y < height; y++) {
            int r0 = 2 * y * stride;
            int r1 = r0 + stride;
            for (int k = 0; k < 3; k++) {
                float[] l = halfLut[k];
                int s = off[k];
                for (int x = 0; x < width; x++, s += 2 * bpp) {
                    int sum = (src[r0 + s] & 0xFF) + (src[r0 + s + bpp] & 0xFF) + (src[r1 + s] & 0xFF)
                            + (src[r1 + s + bpp] & 0xFF);
                    if (nchw) {
                        row[k * width + x] = l[sum];
                    } else {
                        row[x * 3 + k] = l[sum];
                    }
                }
            }
            flushRow(dst, base, y);
        }
    }

    /**
     * A halving read from 4:2:0 (or grey) planes. Each output pixel is the mean of its 2x2 luma block with the mean
     * chroma of that block as libjpeg's "fancy" upsampling (ImageIO's) would have interpolated it: the block's chroma
     * sample smoothed by [1 6 1] / 8 across and down, edges repeated. Converted to RGB in floats, clamped to 0-255
     * and normalised. The conversion is linear, so this is the mean of the block's RGB as ImageIO decodes it, up to
     * rounding and channels that clip.
     *
     * <p>Written as passes over whole rows (luma, chroma, then each channel) that HotSpot's C2 compiler turns into
     * vector instructions; it gives up on one loop doing all of it (0.9 ms for the colour conversion of a 512x256
     * input against 0.15 ms as passes).
     */
    private void halveYcbcr(YcbcrPlanes planes, FloatBuffer dst, int base) {
        byte[] luma = planes.luma();
        byte[] cb = planes.cb();
        byte[] cr = planes.cr();
        boolean grey = planes.grey();
        int stride = 2 * width;
        // model channels 0 and 2 are red and blue, or blue and red
        int red = bgr ? 2 : 0;
        int blue = bgr ? 0 : 2;
        float[] lm = rowLuma;
        float[] rr = rowRed;
        float[] gg = rowGreen;
        float[] bl = rowBlue;
        if (!grey) {
            // chroma rows smoothed across, three at a time (the rows above, at and below the output row)
            across(cb, 0, acrossCb[0]);
            across(cr, 0, acrossCr[0]);
            if (height > 1) {
                across(cb, 1, acrossCb[1]);
                across(cr, 1, acrossCr[1]);
            }
        }
        for (int y = 0; y < height; y++) {
            int r0 = 2 * y * stride;
            int r1 = r0 + stride;
            lumaMeans(luma, r0, r1, lm, width);
            if (grey) {
                normalise(lm, scale[red], bias[red], rr, width);
                normalise(lm, scale[1], bias[1], gg, width);
                normalise(lm, scale[blue], bias[blue], bl, width);
            } else {
                if (y > 0 && y + 1 < height) {
                    across(cb, y + 1, acrossCb[(y + 1) % 3]);
                    across(cr, y + 1, acrossCr[(y + 1) % 3]);
                }
                int up = Math.max(y - 1, 0) % 3;
                int at = y % 3;
                int down = Math.min(y + 1, height - 1) % 3;
                int x = vectors ? VectorRows.colour(lm, acrossCb, acrossCr, up, at, down, colourScale, colourBias, rr,
                        gg, bl, width) : 0;
                chroma(acrossCb[up], acrossCb[at], acrossCb[down], rowCb, x, width);
                chroma(acrossCr[up], acrossCr[at], acrossCr[down], rowCr, x, width);
                channel(lm, rowCr, YcbcrPlanes.CR_TO_RED, scale[red], bias[red], rr, x, width);
                green(lm, rowCb, rowCr, scale[1], bias[1], gg, x, width);
                channel(lm, rowCb, YcbcrPlanes.CB_TO_BLUE, scale[blue], bias[blue], bl, x, width);
            }
            if (layout == Layout.NCHW) {
                int o = base + y * width;
                int plane = width * height;
                dst.put(o + red * plane, rr, 0, width);
                dst.put(o + plane, gg, 0, width);
                dst.put(o + blue * plane, bl, 0, width);
            } else {
                for (int x = 0; x < width; x++) {
                    row[x * 3 + red] = rr[x];
                    row[x * 3 + 1] = gg[x];
                    row[x * 3 + blue] = bl[x];
                }
                flushRow(dst, base, y);
            }
        }
    }

    // The passes of halveYcbcr, each a loop over a few whole rows, small enough for the JIT compiler's vectoriser.

    /** A grey channel: luma normalised. */
    private static void normalise(float[] luma, float scale, float bias, float[] out, int n) {
        for (int x = 0; x < n; x++) {
            out[x] = luma[x] * scale + bias;
        }
    }

    /** Chroma smoothed down by [1 6 1] / 8 (rows already smoothed across), less 128, columns {@code from} to n - 1. */
    private static void chroma(float[] up, float[] at, float[] down, float[] out, int from, int n) {
        for (int x = from; x < n; x++) {
            out[x] = (up[x] + 6 * at[x] + down[x]) * (1f / 64f) - 128f;
        }
    }

    /** Red (from Cr) or blue (from Cb): luma plus {@code k} times the chroma, clamped to 0-255, normalised. */
    private static void channel(float[] luma, float[] chroma, float k, float scale, float bias, float[] out, int from,
            int n) {
        for (int x = from; x < n; x++) {
            out[x] = Math.min(Math.max(luma[x] + k * chroma[x], 0f), 255f) * scale + bias;
        }
    }

    /** Green: luma plus both chroma terms, clamped to 0-255, normalised. */
    private static void green(float[] luma, float[] cb, float[] cr, float scale, float bias, float[] out, int from,
            int n) {
        for (int x = from; x < n; x++) {
            out[x] = Math.min(Math.max(luma[x] + YcbcrPlanes.CB_TO_GREEN * cb[x] + YcbcrPlanes.CR_TO_GREEN * cr[x], 0f),
                    255f) * scale + bias;
        }
    }

    /**
     * The mean of every 2x2 block of luma rows starting at {@code r0} and {@code r1}, for {@code n} output pixels.
     * Eight bytes are read at once as a long and their pairs summed in four 16-bit lanes (at most 4 x 255): a few
     * integer operations an output pixel instead of four byte loads (0.08 against 0.20 ms for a 512x256 input).
     */
    private static void lumaMeans(byte[] luma, int r0, int r1, float[] out, int n) {
        int x = 0;
        for (; x + 4 <= n; x += 4) {
            long top = (long) LONGS.get(luma, r0 + 2 * x);
            long bottom = (long) LONGS.get(luma, r1 + 2 * x);
            long sums = (top & LANES) + ((top >>> 8) & LANES) + (bottom & LANES) + ((bottom >>> 8) & LANES);
            out[x] = (int) (sums & 0xFFFF) * 0.25f;
            out[x + 1] = (int) ((sums >>> 16) & 0xFFFF) * 0.25f;
            out[x + 2] = (int) ((sums >>> 32) & 0xFFFF) * 0.25f;
            out[x + 3] = (int) (sums >>> 48) * 0.25f;
        }
        for (int s = 2 * x; x < n; x++, s += 2) {
            out[x] = ((luma[r0 + s] & 0xFF) + (luma[r0 + s + 1] & 0xFF) + (luma[r1 + s] & 0xFF)
                    + (luma[r1 + s + 1] & 0xFF)) * 0.25f;
        }
    }

    /**
     * Chroma row {@code y} of {@code plane} (the input's width) smoothed across by [1 6 1], edges repeated; integers,
     * held in floats (exactly: at most 8 x 255 across, 64 x 255 once smoothed down too) so that the colour pass
     * converts nothing.
     */
    private void across(byte[] plane, int y, float[] out) {
        int o = y * width;
        int last = width - 1;
        if (last == 0) {
            out[0] = 8 * (plane[o] & 0xFF);
            return;
        }
        out[0] = 7 * (plane[o] & 0xFF) + (plane[o + 1] & 0xFF);
        for (int x = vectors ? VectorRows.across(plane, o, 1, last, out) : 1; x < last; x++) {
            out[x] = (plane[o + x - 1] & 0xFF) + 6 * (plane[o + x] & 0xFF) + (plane[o + x + 1] & 0xFF);
        }
        out[last] = (plane[o + last - 1] & 0xFF) + 7 * (plane[o + last] & 0xFF);
    }

    private void resizeRows(byte[] src, int stride, int[] off, FloatBuffer dst, int base) {
        boolean nchw = layout == Layout.NCHW;
        for (int y = 0; y < height; y++) {
            int r0 = y0[y] * stride;
            int r1 = y1[y] * stride;
            float wy = fy[y];
            for (int k = 0; k < 3; k++) {
                int ok = off[k];
                float sk = scale[k];
                float bk = bias[k];
                for (int x = 0; x < width; x++) {
                    int a = x0[x] + ok;
                    int b = x1[x] + ok;
                    float wx = fx[x];
                    float t00 = src[r0 + a] & 0xFF;
                    float top = t00 + ((src[r0 + b] & 0xFF) - t00) * wx;
                    float b00 = src[r1 + a] & 0xFF;
                    float bottom = b00 + ((src[r1 + b] & 0xFF) - b00) * wx;
                    float v = (top + (bottom - top) * wy) * sk + bk;
                    if (nchw) {
                        row[k * width + x] = v;
                    } else {
                        row[x * 3 + k] = v;
                    }
                }
            }
            flushRow(dst, base, y);
        }
    }

    /** Writes the assembled output row {@code y} (three planes' rows, or one interleaved row) into {@code dst}. */
    private void flushRow(FloatBuffer dst, int base, int y) {
        if (layout == Layout.NCHW) {
            int o = base + y * width;
            int plane = width * height;
            dst.put(o, row, 0, width);
            dst.put(o + plane, row, width, width);
            dst.put(o + 2 * plane, row, 2 * width, width);
        } else {
            dst.put(base + y * width * 3, row, 0, width * 3);
        }
    }

    /** Source indices and weights of every output column and row, for the current source size. */
    private void plan(int sw, int sh, int bpp) {
        if (sw == srcWidth && sh == srcHeight && bpp == srcBpp) {
            return;
        }
        x0 = new int[width];
        x1 = new int[width];
        fx = new float[width];
        fill(sw, width, x0, x1, fx);
        for (int x = 0; x < width; x++) {
            x0[x] *= bpp;
            x1[x] *= bpp;
        }
        y0 = new int[height];
        y1 = new int[height];
        fy = new float[height];
        fill(sh, height, y0, y1, fy);
        srcWidth = sw;
        srcHeight = sh;
        srcBpp = bpp;
    }

    /**
     * Half-pixel bilinear sampling of {@code srcSize} cells at {@code dstSize} points, edges clamped (ONNX
     * {@code Resize} linear, OpenCV, PyTorch {@code align_corners=False}): each point's lower and upper source cell and
     * the upper one's weight.
     */
    static void fill(int srcSize, int dstSize, int[] i0, int[] i1, float[] f) {
        double ratio = (double) srcSize / dstSize;
        for (int d = 0; d < dstSize; d++) {
            double s = (d + 0.5) * ratio - 0.5;
            if (s < 0) {
                s = 0;
            }
            int lo = (int) s;
            if (lo >= srcSize - 1) {
                lo = srcSize - 1;
                s = lo;
            }
            i0[d] = lo;
            i1[d] = Math.min(lo + 1, srcSize - 1);
            f[d] = (float) (s - lo);
        }
    }
}
