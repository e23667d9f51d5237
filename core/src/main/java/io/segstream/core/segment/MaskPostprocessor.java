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
    private int[] candidateCount;
    private byte[] candidates;
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
        p.candidateCount = new int[cells];
        p.candidates = new byte[cells * numClasses];
        return p;
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
        float largest = 0;
        for (float v : s) {
            if (Float.isNaN(v)) {
                nanScores++;
            } else if (Float.isInfinite(v)) {
                infiniteScores++;
            } else {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        // best class of every score cell and by how much it leads the second
        for (int p = 0; p < cells; p++) {
            float first = s[p];
            float second = Float.NEGATIVE_INFINITY;
            int id = 0;
            for (int c = 1, o = cells + p; c < numClasses; c++, o += cells) {
                float v = s[o];
                if (v > first) {
                    second = first;
                    first = v;
                    id = c;
                } else if (v > second) {
                    second = v;
                }
            }
            lowTop[p] = (byte) id;
            lowMargin[p] = first - second;
        }
        float sure = ROUNDING * (1 + largest);
        planQuads(sure);
        int hard = 0;
        for (int y = 0, o = 0; y < height; y++) {
            int r0 = rowLo[y];
            int r1 = rowHi[y];
            float wy = rowW[y];
            for (int x = 0; x < width; x++, o++) {
                int q = r0 + colLo[x];
                int n = candidateCount[q];
                if (n == 0) {
                    ids[o] = lowTop[q];
                } else {
                    ids[o] = interpolatedArgmax(q, n, r0 + colHi[x], r1 + colLo[x], r1 + colHi[x], colW[x], wy);
                    hard++;
                }
            }
        }
        interpolated = hard;
        return resize(frameWidth, frameHeight);
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
                for (int k = 0, o = 0; k < numClasses; k++, o += cells) {
                    float top = Math.max(Math.max(s[o + a], s[o + b]), Math.max(s[o + c], s[o + d]));
                    if (!(top < floor - sure)) {
                        candidates[a * numClasses + n++] = (byte) k;
                    }
                }
                candidateCount[a] = n;
            }
        }
    }

    /**
     * The first candidate class of quad {@code a} with the largest bilinearly interpolated score between the cells
     * a, b (row above), c, d.
     */
    private byte interpolatedArgmax(int a, int n, int b, int c, int d, float wx, float wy) {
        int cells = scoreHeight * scoreWidth;
        float[] s = lowScores;
        float best = Float.NEGATIVE_INFINITY;
        int id = candidates[a * numClasses] & 0xFF;
        for (int i = 0; i < n; i++) {
            int k = candidates[a * numClasses + i] & 0xFF;
            int o = k * cells;
            float v = interpolate(s[o + a], s[o + b], s[o + c], s[o + d], wx, wy);
            if (v > best || i == 0) {
                best = v;
                id = k;
            }
        }
        return (byte) id;
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
        for (int y = 0, o = 0; y < fh; y++) {
            int r = ymap[y];
            for (int x = 0; x < fw; x++, o++) {
                out[o] = ids[r + xm[x]];
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
