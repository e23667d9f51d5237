package io.segstream.core.segment;

import io.segstream.core.labels.LabelSet;
import io.segstream.core.masks.ClassMask;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * Turns one image's model output into a frame-sized {@link ClassMask}: argmax over class scores (the first
 * class wins ties) or pass-through of class ids, then nearest-neighbour resize to the frame (pixel centres
 * mapped, so the mask lines up with the bilinear input resize).
 *
 * <p>Made with {@link #upsampling}, it takes the scores before the model's final bilinear upsampling (see
 * {@link io.segstream.core.onnx.UpsamplingTail}) and gives the argmax of the upsampled scores without upsampling them
 * all: where the four score cells around an output pixel agree on their best class, each by more than the rounding of
 * the interpolation, a convex combination of them has that best class too, so only pixels near a class boundary are
 * interpolated (every class, half-pixel centres and clamped edges as ONNX {@code Resize} linear) and compared.
 *
 * <p>Work arrays are kept between calls; only the returned mask is allocated. Not thread-safe.
 *
 * <pre>{@code
 * MaskPostprocessor post = new MaskPostprocessor(20, 256, 512);   // classes, output height and width
 * ClassMask mask = post.fromLogits(logits, 0, 1024, 2048);
 * }</pre>
 */
public final class MaskPostprocessor {
    private static final int BLOCK = 2048;
    /** Rounding an interpolated score may carry, relative to the largest score magnitude (about 80 ulps). */
    private static final float ROUNDING = 1e-5f;
    private final int numClasses;
    private final int height;
    private final int width;
    private final int scoreHeight;
    private final int scoreWidth;
    private int[] rowLo;
    private int[] rowHi;
    private float[] rowW;
    private int[] colLo;
    private int[] colHi;
    private float[] colW;
    private float[] lowScores;
    private byte[] lowTop;
    private float[] lowMargin;
    private float[] lowSecond;
    private int[] candidateCount;
    /** Where quad {@code a}'s candidates start in {@link #candidates} and (times 4) in {@link #corners}. */
    private int[] candidateStart;
    /** The candidate classes of every quad that needs interpolation, packed quad after quad. */
    private byte[] candidates;
    /** Each packed candidate's four corner scores (cells a, b, c, d), so that its pixels read them side by side. */
    private float[] corners;
    private int interpolated;
    private final byte[] ids;
    private final float[] best;
    private final float[] plane;
    private static final int EXPONENT = 0x7F800000;
    private long[] longScratch;
    private int nanScores;
    private int infiniteScores;
    private int[] intScratch;

    private int frameWidth = -1;
    private int frameHeight = -1;
    private int[] xmap;
    private int[] ymap;

    private int spanFrameWidth = -1;
    private int spanFrameHeight = -1;
    /** Output column and row each frame column and row samples, for the fused argmax. */
    private int[] spanXmap;
    private int[] ymapRow;
    /** Frame columns where a span in one quad column of the scores starts, then the frame width. */
    private int[] quadSpans;
    private int quadSpanCount;

    /**
     * @param numClasses classes in the logits (the label set's count); at most 255, since 255 marks ignored
     * @param height     rows of the model output
     * @param width      columns of the model output
     */
    public MaskPostprocessor(int numClasses, int height, int width) {
        this(numClasses, height, width, height, width);
    }

    private MaskPostprocessor(int numClasses, int height, int width, int scoreHeight, int scoreWidth) {
        if (numClasses < 1 || numClasses > LabelSet.IGNORE) {
            throw new IllegalArgumentException("class count must be 1..255, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.height = height;
        this.width = width;
        this.scoreHeight = scoreHeight;
        this.scoreWidth = scoreWidth;
        this.ids = new byte[width * height];
        this.best = new float[BLOCK];
        this.plane = new float[BLOCK];
    }

    /**
     * A postprocessor for scores of {@code scoreHeight x scoreWidth} that the model would upsample bilinearly
     * (half-pixel centres) to {@code height x width}; {@link #fromLogits} then takes those low-resolution scores.
     *
     * @throws IllegalArgumentException when the output is not at least as large as the scores in both directions
     */
    public static MaskPostprocessor upsampling(int numClasses, int height, int width, int scoreHeight,
            int scoreWidth) {
        if (scoreHeight < 1 || scoreWidth < 1 || scoreHeight > height || scoreWidth > width) {
            throw new IllegalArgumentException("cannot upsample " + scoreWidth + "x" + scoreHeight + " scores to "
                    + width + "x" + height);
        }
        MaskPostprocessor p = new MaskPostprocessor(numClasses, height, width, scoreHeight, scoreWidth);
        int cells = scoreHeight * scoreWidth;
        p.rowLo = new int[height];
        p.rowHi = new int[height];
        p.rowW = new float[height];
        FramePreprocessor.fill(scoreHeight, height, p.rowLo, p.rowHi, p.rowW);
        for (int y = 0; y < height; y++) {
            p.rowLo[y] *= scoreWidth;
            p.rowHi[y] *= scoreWidth;
        }
        p.colLo = new int[width];
        p.colHi = new int[width];
        p.colW = new float[width];
        FramePreprocessor.fill(scoreWidth, width, p.colLo, p.colHi, p.colW);
        p.lowScores = new float[numClasses * cells];
        p.lowTop = new byte[cells];
        p.lowMargin = new float[cells];
        p.lowSecond = new float[cells];
        p.candidateCount = new int[cells];
        p.candidateStart = new int[cells];
        p.candidates = new byte[cells * numClasses];
        p.corners = new float[4 * cells * numClasses];
        return p;
    }

    /** A postprocessor set up as this one, with its own buffers: for another thread. */
    public MaskPostprocessor copy() {
        return lowScores == null ? new MaskPostprocessor(numClasses, height, width)
                : upsampling(numClasses, height, width, scoreHeight, scoreWidth);
    }

    /** Whether this postprocessor takes scores before the model's upsampling ({@link #upsampling}). */
    public boolean upsamples() {
        return lowScores != null;
    }

    /** Floats one image's logits take: classes x height x width of the scores it is given. */
    public int floatsPerImage() {
        return numClasses * scoreWidth * scoreHeight;
    }

    /** Output pixels of the last {@link #fromLogits} call whose scores were interpolated (0 unless upsampling). */
    public int interpolatedPixels() {
        return interpolated;
    }

    /** Values one image's class-id output takes: height x width. */
    public int idsPerImage() {
        return width * height;
    }

    /**
     * Argmax of the NCHW logits of batch position {@code batchIndex}, resized to {@code frameWidth x frameHeight}.
     * NaN and infinite scores are counted ({@link #nanScores()}, {@link #infiniteScores()}): a mask made from them
     * is garbage, and the caller decides what to do with it.
     */
    public ClassMask fromLogits(FloatBuffer logits, int batchIndex, int frameWidth, int frameHeight) {
        if (upsamples()) {
            return fromLowResolution(logits, batchIndex, frameWidth, frameHeight);
        }
        int hw = width * height;
        int base = batchIndex * floatsPerImage();
        nanScores = 0;
        infiniteScores = 0;
        // pixel blocks small enough that scores, running maxima and ids stay in the first-level cache
        for (int start = 0; start < hw; start += BLOCK) {
            int len = Math.min(BLOCK, hw - start);
            logits.get(base + start, best, 0, len);
            Arrays.fill(ids, start, start + len, (byte) 0);
            // the largest exponent field seen: all ones only for NaN and infinity (an int max, cheap in the loop)
            int exponent = 0;
            for (int p = 0; p < len; p++) {
                exponent = Math.max(exponent, Float.floatToRawIntBits(best[p]) & EXPONENT);
            }
            for (int c = 1; c < numClasses; c++) {
                logits.get(base + c * hw + start, plane, 0, len);
                byte id = (byte) c;
                for (int p = 0; p < len; p++) {
                    float v = plane[p];
                    exponent = Math.max(exponent, Float.floatToRawIntBits(v) & EXPONENT);
                    if (v > best[p]) {
                        best[p] = v;
                        ids[start + p] = id;
                    }
                }
            }
            if (exponent == EXPONENT) {
                countNonFinite(logits, base, hw, start, len);
            }
        }
        return resize(frameWidth, frameHeight);
    }

    private void countNonFinite(FloatBuffer logits, int base, int hw, int start, int len) {
        for (int c = 0; c < numClasses; c++) {
            for (int p = 0; p < len; p++) {
                float v = logits.get(base + c * hw + start + p);
                if (Float.isNaN(v)) {
                    nanScores++;
                } else if (Float.isInfinite(v)) {
                    infiniteScores++;
                }
            }
        }
    }

    private ClassMask fromLowResolution(FloatBuffer logits, int batchIndex, int frameWidth, int frameHeight) {
        int cells = scoreHeight * scoreWidth;
        float[] s = lowScores;
        logits.get(batchIndex * floatsPerImage(), s, 0, s.length);
        nanScores = 0;
        infiniteScores = 0;
        // the largest magnitude; NaN or infinite when there are such scores, which are then counted
        float largest = 0;
        for (float v : s) {
            largest = Math.max(largest, Math.abs(v));
        }
        if (!Float.isFinite(largest)) {
            largest = 0;
            for (float v : s) {
                if (Float.isNaN(v)) {
                    nanScores++;
                } else if (Float.isInfinite(v)) {
                    infiniteScores++;
                } else {
                    largest = Math.max(largest, Math.abs(v));
                }
            }
        }
        // best class of every score cell and by how much it leads the second, a class at a time over all cells
        float[] first = lowMargin;
        float[] second = lowSecond;
        System.arraycopy(s, 0, first, 0, cells);
        Arrays.fill(second, Float.NEGATIVE_INFINITY);
        Arrays.fill(lowTop, (byte) 0);
        for (int c = 1, o = cells; c < numClasses; c++, o += cells) {
            byte id = (byte) c;
            for (int p = 0; p < cells; p++) {
                float v = s[o + p];
                if (v > first[p]) {
                    second[p] = first[p];
                    first[p] = v;
                    lowTop[p] = id;
                } else if (v > second[p]) {
                    second[p] = v;
                }
            }
        }
        for (int p = 0; p < cells; p++) {
            first[p] -= second[p];
        }
        float sure = ROUNDING * (1 + largest);
        planQuads(sure);
        return upsampledMask(frameWidth, frameHeight);
    }

    /**
     * The frame-sized mask of the fused argmax, the same as the argmax at the output size resized to the frame
     * (nearest pixel centres), made at the frame size directly: a frame row that samples the same output row as the
     * row above is a copy of it; along a row, the frame pixels that fall in one quad of score cells whose classes all
     * agree are filled at once; elsewhere each output pixel is interpolated once and repeated where the frame samples
     * it again.
     */
    private ClassMask upsampledMask(int fw, int fh) {
        mapFrame(fw, fh);
        byte[] out = new byte[fw * fh];
        int[] xm = spanXmap;
        int[] spans = quadSpans;
        int spanCount = quadSpanCount;
        int hard = 0;
        int previous = -1;
        for (int y = 0; y < fh; y++) {
            int my = ymapRow[y];
            int o = y * fw;
            if (my == previous) {
                System.arraycopy(out, o - fw, out, o, fw);
                continue;
            }
            previous = my;
            int r0 = rowLo[my];
            int r1 = rowHi[my];
            float wy = rowW[my];
            for (int k = 0; k < spanCount; k++) {
                int from = spans[k];
                int to = spans[k + 1];
                int q = r0 + colLo[xm[from]];
                int n = candidateCount[q];
                if (n == 0) {
                    Arrays.fill(out, o + from, o + to, lowTop[q]);
                    continue;
                }
                int last = -1;
                byte id = 0;
                for (int x = from; x < to; x++) {
                    int mx = xm[x];
                    if (mx != last) {
                        id = interpolatedArgmax(q, n, colW[mx], wy);
                        last = mx;
                        hard++;
                    }
                    out[o + x] = id;
                }
            }
        }
        interpolated = hard;
        return new ClassMask(fw, fh, out);
    }

    /**
     * The output column and row every frame column and row samples (nearest centres), and the frame columns split
     * into spans that lie in one quad column of the scores; kept for the last frame size.
     */
    private void mapFrame(int fw, int fh) {
        if (fw == spanFrameWidth && fh == spanFrameHeight) {
            return;
        }
        spanXmap = centres(width, fw);
        ymapRow = centres(height, fh);
        int[] xmap = spanXmap;
        int[] spans = new int[fw + 1];
        int n = 0;
        for (int x = 0; x < fw; x++) {
            if (x == 0 || colLo[xmap[x]] != colLo[xmap[x - 1]]) {
                spans[n++] = x;
            }
        }
        spans[n] = fw;
        quadSpans = spans;
        quadSpanCount = n;
        spanFrameWidth = fw;
        spanFrameHeight = fh;
    }

    /**
     * For every quad of score cells (a cell, its right, lower and lower-right neighbours, clamped at the edges), the
     * classes that can be best anywhere between them: none where all four agree by more than {@code sure} (the
     * quad's pixels take that class), else every class whose largest corner score reaches the largest of the
     * classes' smallest corner scores (an interpolated score lies between its corners' smallest and largest).
     */
    private void planQuads(float sure) {
        int cells = scoreHeight * scoreWidth;
        float[] s = lowScores;
        int packed = 0;
        for (int ly = 0; ly < scoreHeight; ly++) {
            int hy = Math.min(ly + 1, scoreHeight - 1);
            for (int lx = 0; lx < scoreWidth; lx++) {
                int hx = Math.min(lx + 1, scoreWidth - 1);
                int a = ly * scoreWidth + lx;
                int b = ly * scoreWidth + hx;
                int c = hy * scoreWidth + lx;
                int d = hy * scoreWidth + hx;
                byte id = lowTop[a];
                // NaN margins fail the comparisons, so such quads are interpolated (and the frame is refused)
                if (lowTop[b] == id && lowTop[c] == id && lowTop[d] == id && lowMargin[a] > sure
                        && lowMargin[b] > sure && lowMargin[c] > sure && lowMargin[d] > sure) {
                    candidateCount[a] = 0;
                    continue;
                }
                float floor = Float.NEGATIVE_INFINITY;
                for (int k = 0, o = 0; k < numClasses; k++, o += cells) {
                    floor = Math.max(floor, Math.min(Math.min(s[o + a], s[o + b]), Math.min(s[o + c], s[o + d])));
                }
                int n = 0;
                candidateStart[a] = packed;
                for (int k = 0, o = 0; k < numClasses; k++, o += cells) {
                    float top = Math.max(Math.max(s[o + a], s[o + b]), Math.max(s[o + c], s[o + d]));
                    if (!(top < floor - sure)) {
                        int j = packed + n++;
                        candidates[j] = (byte) k;
                        corners[4 * j] = s[o + a];
                        corners[4 * j + 1] = s[o + b];
                        corners[4 * j + 2] = s[o + c];
                        corners[4 * j + 3] = s[o + d];
                    }
                }
                packed += n;
                candidateCount[a] = n;
            }
        }
    }

    /**
     * The first candidate class of quad {@code a} with the largest bilinearly interpolated score between its corner
     * cells at weights {@code wx}, {@code wy}.
     */
    private byte interpolatedArgmax(int a, int n, float wx, float wy) {
        float[] q = corners;
        int j = candidateStart[a];
        float best = interpolate(q[4 * j], q[4 * j + 1], q[4 * j + 2], q[4 * j + 3], wx, wy);
        int winner = j;
        for (int i = j + 1, end = j + n; i < end; i++) {
            float v = interpolate(q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3], wx, wy);
            if (v > best) {
                best = v;
                winner = i;
            }
        }
        return candidates[winner];
    }

    private static float interpolate(float a, float b, float c, float d, float wx, float wy) {
        float top = a + (b - a) * wx;
        float bottom = c + (d - c) * wx;
        return top + (bottom - top) * wy;
    }

    /**
     * The scores of batch position {@code batchIndex} upsampled as this postprocessor assumes the model would
     * ({@code classes x height x width}); for checking that assumption against the model's own upsampling.
     *
     * @throws IllegalStateException unless made with {@link #upsampling}
     */
    public float[] upsampledScores(FloatBuffer logits, int batchIndex) {
        if (!upsamples()) {
            throw new IllegalStateException("this postprocessor does not upsample");
        }
        int cells = scoreHeight * scoreWidth;
        float[] out = new float[numClasses * height * width];
        for (int k = 0; k < numClasses; k++) {
            int in = batchIndex * floatsPerImage() + k * cells;
            for (int y = 0, o = k * height * width; y < height; y++) {
                for (int x = 0; x < width; x++, o++) {
                    out[o] = interpolate(logits.get(in + rowLo[y] + colLo[x]), logits.get(in + rowLo[y] + colHi[x]),
                            logits.get(in + rowHi[y] + colLo[x]), logits.get(in + rowHi[y] + colHi[x]), colW[x],
                            rowW[y]);
                }
            }
        }
        return out;
    }


    /** NaN scores in the logits of the last {@link #fromLogits} call. */
    public int nanScores() {
        return nanScores;
    }

    /** Infinite scores in the logits of the last {@link #fromLogits} call. */
    public int infiniteScores() {
        return infiniteScores;
    }

    /** Int64 class ids of batch position {@code batchIndex}, resized; ids outside the label set become 255. */
    public ClassMask fromClassIds(LongBuffer classIds, int batchIndex, int frameWidth, int frameHeight) {
        int hw = width * height;
        if (longScratch == null) {
            longScratch = new long[hw];
        }
        classIds.get(batchIndex * hw, longScratch, 0, hw);
        for (int p = 0; p < hw; p++) {
            long v = longScratch[p];
            ids[p] = v >= 0 && v < numClasses ? (byte) v : (byte) LabelSet.IGNORE;
        }
        return resize(frameWidth, frameHeight);
    }

    /** Int32 class ids; see {@link #fromClassIds(LongBuffer, int, int, int)}. */
    public ClassMask fromClassIds(IntBuffer classIds, int batchIndex, int frameWidth, int frameHeight) {
        int hw = width * height;
        if (intScratch == null) {
            intScratch = new int[hw];
        }
        classIds.get(batchIndex * hw, intScratch, 0, hw);
        for (int p = 0; p < hw; p++) {
            int v = intScratch[p];
            ids[p] = v >= 0 && v < numClasses ? (byte) v : (byte) LabelSet.IGNORE;
        }
        return resize(frameWidth, frameHeight);
    }

    /** Uint8 class ids; see {@link #fromClassIds(LongBuffer, int, int, int)}. */
    public ClassMask fromClassIds(ByteBuffer classIds, int batchIndex, int frameWidth, int frameHeight) {
        int hw = width * height;
        classIds.get(batchIndex * hw, ids, 0, hw);
        for (int p = 0; p < hw; p++) {
            if ((ids[p] & 0xFF) >= numClasses) {
                ids[p] = (byte) LabelSet.IGNORE;
            }
        }
        return resize(frameWidth, frameHeight);
    }

    private ClassMask resize(int fw, int fh) {
        if (fw == width && fh == height) {
            return new ClassMask(fw, fh, ids.clone());
        }
        if (fw != frameWidth || fh != frameHeight) {
            xmap = centres(width, fw);
            ymap = centres(height, fh);
            for (int y = 0; y < fh; y++) {
                ymap[y] *= width;
            }
            frameWidth = fw;
            frameHeight = fh;
        }
        byte[] out = new byte[fw * fh];
        int[] xm = xmap;
        for (int y = 0, o = 0; y < fh; y++, o += fw) {
            int r = ymap[y];
            if (y > 0 && r == ymap[y - 1]) {
                System.arraycopy(out, o - fw, out, o, fw);
                continue;
            }
            for (int x = 0; x < fw; x++) {
                out[o + x] = ids[r + xm[x]];
            }
        }
        return new ClassMask(fw, fh, out);
    }

    /** For each of {@code dstSize} cells, the source cell whose centre is nearest its centre. */
    private static int[] centres(int srcSize, int dstSize) {
        int[] map = new int[dstSize];
        for (int d = 0; d < dstSize; d++) {
            map[d] = (int) Math.min(srcSize - 1, Math.floor((d + 0.5) * srcSize / dstSize));
        }
        return map;
    }
}
