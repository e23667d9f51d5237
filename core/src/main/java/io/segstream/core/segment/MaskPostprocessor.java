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
    /** Every low-resolution score as a {@link #sortable} integer, and each cell's best and second best of them. */
    private int[] lowKeys;
    private int[] lowFirst;
    private int[] lowSecondKeys;
    private int[] candidateCount;
    /** Where quad {@code a}'s candidates start in {@link #candidates} and (times 4) in {@link #corners}. */
    private int[] candidateStart;
    /** The candidate classes of every quad that needs interpolation, packed quad after quad. */
    private byte[] candidates;
    /** Each packed candidate's four corner scores (cells a, b, c, d), so that its pixels read them side by side. */
    private float[] corners;
    private int interpolated;
    /** The rounding margin of the current scores ({@link #ROUNDING} of the largest magnitude). */
    private float sure;
    /** A boundary span's candidates still in the running (packed indices) and their scores at its two ends. */
    private int[] spanCandidates;
    private float[] spanLeft;
    private float[] spanRight;
    private final byte[] ids;
    private final float[] best;
    private final float[] plane;
    private static final int EXPONENT = 0x7F800000;
    private static final int NEGATIVE_INFINITY_KEY = sortable(Float.floatToRawIntBits(Float.NEGATIVE_INFINITY));
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
    /** The spans of the current quad row that lie in quads near a class boundary (indices into quadSpans). */
    private int[] quadHardSpans;

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
        p.lowKeys = new int[numClasses * cells];
        p.lowFirst = new int[cells];
        p.lowSecondKeys = new int[cells];
        p.candidateCount = new int[cells];
        p.candidateStart = new int[cells];
        p.candidates = new byte[cells * numClasses];
        p.corners = new float[4 * cells * numClasses];
        p.spanCandidates = new int[numClasses];
        p.spanLeft = new float[numClasses];
        p.spanRight = new float[numClasses];
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
        // the largest magnitude: as integers, the bits of |v| order as the magnitudes do, with NaN and infinity above
        // every finite value (an int max over all scores, which the JIT compiler vectorises)
        int magnitude = 0;
        for (float v : s) {
            magnitude = Math.max(magnitude, Float.floatToRawIntBits(v) & 0x7FFFFFFF);
        }
        float largest = Float.intBitsToFloat(magnitude);
        if (magnitude >= EXPONENT) {
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
        // best score of every cell and the second best, a class at a time over all cells, then the first class with
        // the best score. Compared as ordered integers (sortable(), the same order as the floats but -0 below 0),
        // which the JIT compiler vectorises where float max and min stay scalar calls; NaN scores give garbage here,
        // and such a frame is refused.
        int[] key = lowKeys;
        for (int i = 0; i < s.length; i++) {
            key[i] = sortable(Float.floatToRawIntBits(s[i]));
        }
        int[] first = lowFirst;
        int[] second = lowSecondKeys;
        System.arraycopy(key, 0, first, 0, cells);
        Arrays.fill(second, NEGATIVE_INFINITY_KEY);
        for (int o = cells; o < key.length; o += cells) {
            for (int p = 0; p < cells; p++) {
                int v = key[o + p];
                int f = first[p];
                second[p] = Math.max(second[p], Math.min(f, v));
                first[p] = Math.max(f, v);
            }
        }
        Arrays.fill(lowTop, (byte) 0);
        for (int c = numClasses - 1, o = c * cells; c > 0; c--, o -= cells) {
            byte id = (byte) c;
            for (int p = 0; p < cells; p++) {
                if (key[o + p] == first[p]) {
                    lowTop[p] = id;
                }
            }
        }
        for (int p = 0; p < cells; p++) {
            if (key[p] == first[p]) {
                lowTop[p] = 0;
            }
            lowMargin[p] = Float.intBitsToFloat(sortable(first[p])) - Float.intBitsToFloat(sortable(second[p]));
        }
        sure = ROUNDING * (1 + largest);
        planQuads();
        return upsampledMask(frameWidth, frameHeight);
    }

    /**
     * The frame-sized mask of the fused argmax, the same as the argmax at the output size resized to the frame
     * (nearest pixel centres), made at the frame size directly: a frame row that samples the same output row as the
     * row above is a copy of it; the first row of a quad row fills the frame pixels that fall in quads whose classes
     * all agree (neighbouring quads of one class at once), and the rows after it copy that row and redo only the
     * quads near a class boundary. There, a run of output columns whose two ends have the same best class, leading
     * every other candidate by more than the rounding, takes that class (along a row each score is linear in the
     * column weight, so a lead at both ends is a lead between them); elsewhere each output pixel is interpolated once
     * and repeated where the frame samples it again.
     */
    private ClassMask upsampledMask(int fw, int fh) {
        mapFrame(fw, fh);
        byte[] out = new byte[fw * fh];
        int[] spans = quadSpans;
        int[] hardSpans = quadHardSpans;
        int hardCount = 0;
        int hard = 0;
        int previous = -1;
        int previousQuadRow = -1;
        for (int y = 0; y < fh; y++) {
            int my = ymapRow[y];
            int o = y * fw;
            if (my == previous) {
                System.arraycopy(out, o - fw, out, o, fw);
                continue;
            }
            previous = my;
            int r0 = rowLo[my];
            if (r0 == previousQuadRow) {
                // the quads whose classes agree give this row what they gave the row above
                System.arraycopy(out, o - fw, out, o, fw);
            } else {
                previousQuadRow = r0;
                hardCount = fillAgreeingQuads(out, o, fw, r0);
            }
            float wy = rowW[my];
            for (int h = 0; h < hardCount; h++) {
                int k = hardSpans[h];
                int q = r0 + colLo[spanXmap[spans[k]]];
                hard += boundarySpan(out, o, spans[k], spans[k + 1], q, wy);
            }
        }
        interpolated = hard;
        return new ClassMask(fw, fh, out);
    }

    /**
     * Fills frame row {@code o} where it falls in quads of quad row {@code r0} whose classes all agree, and lists the
     * other spans in {@link #quadHardSpans}; returns how many.
     */
    private int fillAgreeingQuads(byte[] out, int o, int fw, int r0) {
        int[] spans = quadSpans;
        int hardCount = 0;
        int fillFrom = -1;
        byte fillId = 0;
        for (int k = 0; k < quadSpanCount; k++) {
            int from = spans[k];
            int q = r0 + colLo[spanXmap[from]];
            if (candidateCount[q] == 0) {
                byte id = lowTop[q];
                if (fillFrom >= 0 && id == fillId) {
                    continue;
                }
                if (fillFrom >= 0) {
                    Arrays.fill(out, o + fillFrom, o + from, fillId);
                }
                fillFrom = from;
                fillId = id;
            } else {
                if (fillFrom >= 0) {
                    Arrays.fill(out, o + fillFrom, o + from, fillId);
                    fillFrom = -1;
                }
                quadHardSpans[hardCount++] = k;
            }
        }
        if (fillFrom >= 0) {
            Arrays.fill(out, o + fillFrom, o + fw, fillId);
        }
        return hardCount;
    }

    /**
     * Frame columns {@code from} to {@code to} of row {@code o}, in quad {@code q} near a class boundary, at row
     * weight {@code wy}; returns how many output pixels were interpolated. Along the row every candidate's score is
     * linear in the column weight, so a candidate that the best class at either end of the span beats at both ends,
     * by more than the rounding, is beaten everywhere between them: only the others are interpolated per pixel, and
     * when one is left the span takes its class.
     */
    private int boundarySpan(byte[] out, int o, int from, int to, int q, float wy) {
        int[] xm = spanXmap;
        int n = candidateCount[q];
        int start = candidateStart[q];
        int first = xm[from];
        int last = xm[to - 1];
        int[] kept = spanCandidates;
        int m = n;
        int hard = 0;
        if (last > first + 1) {
            float[] left = spanLeft;
            float[] right = spanRight;
            float wl = colW[first];
            float wr = colW[last];
            float[] c = corners;
            int a = 0;
            int b = 0;
            for (int i = 0; i < n; i++) {
                int k = 4 * (start + i);
                left[i] = interpolate(c[k], c[k + 1], c[k + 2], c[k + 3], wl, wy);
                right[i] = interpolate(c[k], c[k + 1], c[k + 2], c[k + 3], wr, wy);
                if (left[i] > left[a]) {
                    a = i;
                }
                if (right[i] > right[b]) {
                    b = i;
                }
            }
            hard = 2;
            m = 0;
            for (int i = 0; i < n; i++) {
                boolean beaten = left[a] - left[i] > sure && right[a] - right[i] > sure
                        || left[b] - left[i] > sure && right[b] - right[i] > sure;
                if (!beaten) {
                    kept[m++] = start + i;
                }
            }
            if (m == 1) {
                Arrays.fill(out, o + from, o + to, candidates[kept[0]]);
                return hard;
            }
            if (m == 2 && wr > wl) {
                return twoCandidates(out, o, from, to, wl, wr, wy, kept[0] - start, kept[1] - start, start) + hard;
            }
        } else {
            for (int i = 0; i < n; i++) {
                kept[i] = start + i;
            }
        }
        int previous = -1;
        byte id = 0;
        for (int x = from; x < to; x++) {
            int mx = xm[x];
            if (mx != previous) {
                id = interpolatedArgmax(kept, m, colW[mx], wy);
                previous = mx;
                hard++;
            }
            out[o + x] = id;
        }
        return hard;
    }

    /**
     * A boundary span where two candidates are left, {@code i0} before {@code i1} in class order: their difference is
     * linear along the row, known at its ends, so a column takes the class it favours by more than the rounding, and
     * only columns where they are closer are interpolated; returns how many were.
     */
    private int twoCandidates(byte[] out, int o, int from, int to, float wl, float wr, float wy, int i0, int i1,
            int start) {
        int[] xm = spanXmap;
        float dl = spanLeft[i0] - spanLeft[i1];
        float slope = (spanRight[i0] - spanRight[i1] - dl) / (wr - wl);
        byte first = candidates[start + i0];
        byte second = candidates[start + i1];
        int[] kept = spanCandidates;
        int hard = 0;
        int previous = -1;
        byte id = 0;
        for (int x = from; x < to; x++) {
            int mx = xm[x];
            if (mx != previous) {
                float wx = colW[mx];
                float d = dl + slope * (wx - wl);
                if (d > sure) {
                    id = first;
                } else if (d < -sure) {
                    id = second;
                } else {
                    id = interpolatedArgmax(kept, 2, wx, wy);
                    hard++;
                }
                previous = mx;
            }
            out[o + x] = id;
        }
        return hard;
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
        quadHardSpans = new int[n];
        spanFrameWidth = fw;
        spanFrameHeight = fh;
    }

    /**
     * For every quad of score cells (a cell, its right, lower and lower-right neighbours, clamped at the edges), the
     * classes that can be best anywhere between them: none where all four agree by more than {@link #sure} (the
     * quad's pixels take that class), else every class that none of the corners' best classes beats at all four
     * corners by more than {@code sure}.
     */
    private void planQuads() {
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
                // the classes that no corner's best class beats at all four corners by more than sure: the difference
                // of two classes' interpolated scores is a convex combination of its corner values, so a class beaten
                // at every corner is beaten everywhere in the quad
                int ta = (lowTop[a] & 0xFF) * cells;
                int tb = (lowTop[b] & 0xFF) * cells;
                int tc = (lowTop[c] & 0xFF) * cells;
                int td = (lowTop[d] & 0xFF) * cells;
                int n = 0;
                candidateStart[a] = packed;
                for (int k = 0, o = 0; k < numClasses; k++, o += cells) {
                    float sa = s[o + a];
                    float sb = s[o + b];
                    float sc = s[o + c];
                    float sd = s[o + d];
                    if (beats(s, ta, a, b, c, d, sa, sb, sc, sd, sure) || beats(s, tb, a, b, c, d, sa, sb, sc, sd, sure)
                            || beats(s, tc, a, b, c, d, sa, sb, sc, sd, sure)
                            || beats(s, td, a, b, c, d, sa, sb, sc, sd, sure)) {
                        continue;
                    }
                    int j = packed + n++;
                    candidates[j] = (byte) k;
                    corners[4 * j] = sa;
                    corners[4 * j + 1] = sb;
                    corners[4 * j + 2] = sc;
                    corners[4 * j + 3] = sd;
                }
                packed += n;
                candidateCount[a] = n;
            }
        }
    }

    /**
     * A float's bits as an int that orders as the floats do (negative values have their magnitude bits flipped); its
     * own inverse.
     */
    private static int sortable(int bits) {
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    /** Whether the class at score offset {@code j} beats scores {@code sa..sd} at cells a..d by more than sure. */
    private static boolean beats(float[] s, int j, int a, int b, int c, int d, float sa, float sb, float sc, float sd,
            float sure) {
        return s[j + a] - sa > sure && s[j + b] - sb > sure && s[j + c] - sc > sure && s[j + d] - sd > sure;
    }

    /**
     * The first of the {@code n} packed candidates listed in {@code kept} (in class order) with the largest bilinearly
     * interpolated score between its corner cells at weights {@code wx}, {@code wy}.
     */
    private byte interpolatedArgmax(int[] kept, int n, float wx, float wy) {
        float[] q = corners;
        int j = 4 * kept[0];
        float best = interpolate(q[j], q[j + 1], q[j + 2], q[j + 3], wx, wy);
        int winner = kept[0];
        for (int i = 1; i < n; i++) {
            int k = 4 * kept[i];
            float v = interpolate(q[k], q[k + 1], q[k + 2], q[k + 3], wx, wy);
            if (v > best) {
                best = v;
                winner = kept[i];
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
