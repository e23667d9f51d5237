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
 * <p>Work arrays are kept between calls; only the returned mask is allocated. Not thread-safe.
 *
 * <pre>{@code
 * MaskPostprocessor post = new MaskPostprocessor(20, 256, 512);   // classes, output height and width
 * ClassMask mask = post.fromLogits(logits, 0, 1024, 2048);
 * }</pre>
 */
public final class MaskPostprocessor {
    private static final int BLOCK = 2048;
    private final int numClasses;
    private final int height;
    private final int width;
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
        if (numClasses < 1 || numClasses > LabelSet.IGNORE) {
            throw new IllegalArgumentException("class count must be 1..255, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.height = height;
        this.width = width;
        this.ids = new byte[width * height];
        this.best = new float[BLOCK];
        this.plane = new float[BLOCK];
    }

    /** Floats one image's logits take: classes x height x width. */
    public int floatsPerImage() {
        return numClasses * width * height;
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
