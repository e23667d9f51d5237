package io.segstream.core.metrics;

import io.segstream.core.labels.LabelSet;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits one additive offset per class to a model's class scores so that the argmax of {@code scores + offset} scores
 * the highest mIoU on labelled frames. A network trained with class-weighted loss (ENet or median-frequency weights)
 * learns to favour its rare classes: it finds them, but also paints them where they are not (a truck precision of 5
 * % at a recall of 21 %, say). Its argmax is that of {@code log p(c|x) + log w(c)}; an offset per class undoes the
 * tilt, and fitting it for mIoU directly, instead of subtracting {@code log w(c)}, also settles the precision/recall
 * balance IoU rewards. An offset per class commutes with bilinear and nearest resizing and with batch position, so
 * it can be folded into the model (the bias of its last convolution, or one {@code Add}) at no cost per frame.
 *
 * <p>Frames are added with their scores at the model's output size and their ground truth at frame size; pixels map
 * to scores as {@code MaskPostprocessor} maps them (nearest centre), and are scored with the official rules (IoU =
 * TP / (TP + FP + FN) per class, classes with no TP, FP or FN left out). The fit is coordinate ascent: each class's
 * offset in turn moves by the step among ±{@link #STEPS} that raises mIoU most, until no step of any class raises
 * it by more than {@code 1e-5}, with offsets kept within ±{@link #MAX_OFFSET}. A class the frames hold no pixel of
 * keeps offset 0: suppressing it would only tidy these frames, and cameras may still show it. It holds every added
 * frame's scores (classes × output pixels floats each); a few dozen frames are enough to fit 20 numbers.
 *
 * <pre>{@code
 * ClassOffsetFit fit = new ClassOffsetFit(20);
 * fit.add(logits, 256, 512, groundTruthClassIds, 1024, 512);   // one frame: [C,256,512] scores, 1024x512 labels
 * ClassOffsetFit.Result r = fit.fit(8);                          // at most 8 sweeps
 * float[] offsets = r.offsets();
 * }</pre>
 */
public final class ClassOffsetFit {
    /** The steps tried for each class's offset in a sweep, both signs. */
    static final float[] STEPS = {0.05f, 0.1f, 0.2f, 0.4f, 0.8f, 1.6f};
    /** The largest offset, either sign: beyond it a class is as good as switched on or off. */
    public static final float MAX_OFFSET = 6f;
    private static final float MAX_STEP = STEPS[STEPS.length - 1];
    private static final double MIN_GAIN = 1e-5;

    private final int numClasses;
    private final List<Frame> frames = new ArrayList<>();

    /**
     * A frame: scores [C, h, w], and its ground truth gathered per score pixel: pixel {@code p}'s classes and counts
     * are {@code classes[first[p] .. first[p + 1])} and the same range of {@code counts}.
     */
    private record Frame(float[] scores, int plane, int[] first, byte[] classes, int[] counts) {}

    /** The fitted offsets and what they did to the frames they were fitted on. */
    public record Result(float[] offsets, double miouBefore, double miouAfter, double[] iouBefore, double[] iouAfter,
            int sweeps, int frames) {}

    /** @param numClasses classes in the scores (the label set's count), at most 255 */
    public ClassOffsetFit(int numClasses) {
        if (numClasses < 2 || numClasses > LabelSet.IGNORE) {
            throw new IllegalArgumentException("class count must be 2..255, got " + numClasses);
        }
        this.numClasses = numClasses;
    }

    /**
     * Adds one frame.
     *
     * @param scores      [C, height, width] class scores of the frame from the buffer's current position (not moved)
     * @param truth       frame-sized class ids, row by row; {@link LabelSet#IGNORE} (and any id not below the class
     *                    count) is not scored
     */
    public void add(FloatBuffer scores, int height, int width, byte[] truth, int frameWidth, int frameHeight) {
        int plane = height * width;
        if (height < 1 || width < 1 || scores.remaining() < numClasses * plane) {
            throw new IllegalArgumentException("scores hold " + scores.remaining() + " floats, fewer than " + numClasses
                    + " classes x " + height + " x " + width);
        }
        if (truth.length != frameWidth * frameHeight) {
            throw new IllegalArgumentException("ground truth holds " + truth.length + " pixels, not " + frameWidth
                    + " x " + frameHeight);
        }
        float[] s = new float[numClasses * plane];
        scores.duplicate().get(s);
        int[] xs = centres(width, frameWidth);
        int[] ys = centres(height, frameHeight);
        // (score pixel, class) of every scored frame pixel, sorted, then counted in runs
        long[] keys = new long[truth.length];
        int n = 0;
        for (int y = 0, o = 0; y < frameHeight; y++) {
            for (int x = 0; x < frameWidth; x++, o++) {
                int t = truth[o] & 0xFF;
                if (t < numClasses) {
                    keys[n++] = (long) (ys[y] * width + xs[x]) << 8 | t;
                }
            }
        }
        Arrays.sort(keys, 0, n);
        int[] first = new int[plane + 1];
        byte[] classes = new byte[n];
        int[] counts = new int[n];
        int runs = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j < n && keys[j] == keys[i]) {
                j++;
            }
            first[(int) (keys[i] >>> 8) + 1]++;
            classes[runs] = (byte) (keys[i] & 0xFF);
            counts[runs++] = j - i;
            i = j;
        }
        for (int p = 0; p < plane; p++) {
            first[p + 1] += first[p];
        }
        frames.add(new Frame(s, plane, first, Arrays.copyOf(classes, runs), Arrays.copyOf(counts, runs)));
    }

    /** Frames added so far. */
    public int frames() {
        return frames.size();
    }

    /** Fits the offsets in at most {@code maxSweeps} sweeps over the classes. */
    public Result fit(int maxSweeps) {
        if (frames.isEmpty()) {
            throw new IllegalStateException("no frame was added; add labelled frames before fitting");
        }
        float[] offsets = new float[numClasses];
        long[][] start = confusion(offsets);
        double[] iouBefore = iou(start);
        double best = mean(iouBefore);
        double before = best;
        int sweeps = 0;
        boolean moved = true;
        while (moved && sweeps < maxSweeps) {
            moved = false;
            sweeps++;
            for (int c = 0; c < numClasses; c++) {
                if (Arrays.stream(start[c]).sum() == 0) {
                    continue;   // the frames hold none of it: they cannot say how it should be weighed
                }
                Margins near = margins(c, offsets);
                float keep = offsets[c];
                float bestOffset = keep;
                for (float step : STEPS) {
                    for (float sign : new float[] {-1, 1}) {
                        float candidate = Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, keep + sign * step));
                        if (candidate == keep) {
                            continue;
                        }
                        double m = mean(iou(near.confusionAt(candidate - keep)));
                        if (m > best + MIN_GAIN) {
                            best = m;
                            bestOffset = candidate;
                        }
                    }
                }
                offsets[c] = bestOffset;
                moved |= bestOffset != keep;
            }
        }
        double[] iouAfter = iou(confusion(offsets));
        return new Result(offsets, before, mean(iouAfter), iouBefore, iouAfter, sweeps, frames.size());
    }

    /**
     * What moving class {@code c}'s offset can change: the confusion counts at {@code offsets}, and every score pixel
     * whose argmax flips between {@code c} and its best other class within the largest step.
     */
    Margins margins(int c, float[] offsets) {
        long[][] base = new long[numClasses][numClasses];
        Margins near = new Margins(c, base);
        for (Frame f : frames) {
            int plane = f.plane();
            float[] s = f.scores();
            float[] other = new float[plane];
            byte[] otherId = new byte[plane];
            Arrays.fill(other, Float.NEGATIVE_INFINITY);
            for (int k = 0; k < numClasses; k++) {
                if (k == c) {
                    continue;
                }
                float o = offsets[k];
                int at = k * plane;
                byte id = (byte) k;
                for (int p = 0; p < plane; p++) {
                    float v = s[at + p] + o;
                    if (v > other[p]) {
                        other[p] = v;
                        otherId[p] = id;
                    }
                }
            }
            float oc = offsets[c];
            int at = c * plane;
            for (int p = 0; p < plane; p++) {
                // ties go to the lower class id, as ONNX ArgMax and the masks break them; margin > 0: c wins
                float margin = s[at + p] + oc - other[p];
                int o = otherId[p] & 0xFF;
                boolean wins = margin > 0 || (margin == 0 && c < o);
                int pred = wins ? c : o;
                for (int e = f.first()[p]; e < f.first()[p + 1]; e++) {
                    base[f.classes()[e] & 0xFF][pred] += f.counts()[e];
                }
                if (Math.abs(margin) <= MAX_STEP) {
                    near.add(margin, o, f, p);
                }
            }
        }
        return near;
    }

    /** The pixels near class {@code c}'s decision boundary, and the confusion counts they start from. */
    final class Margins {
        private final int c;
        private final long[][] base;
        private float[] margin = new float[1024];
        private byte[] other = new byte[1024];
        private int[][] truthClasses = new int[1024][];
        private int size;

        Margins(int c, long[][] base) {
            this.c = c;
            this.base = base;
        }

        void add(float m, int o, Frame f, int p) {
            if (size == margin.length) {
                margin = Arrays.copyOf(margin, size * 2);
                other = Arrays.copyOf(other, size * 2);
                truthClasses = Arrays.copyOf(truthClasses, size * 2);
            }
            int from = f.first()[p];
            int to = f.first()[p + 1];
            int[] truth = new int[2 * (to - from)];
            for (int e = from; e < to; e++) {
                truth[2 * (e - from)] = f.classes()[e] & 0xFF;
                truth[2 * (e - from) + 1] = f.counts()[e];
            }
            margin[size] = m;
            other[size] = (byte) o;
            truthClasses[size++] = truth;
        }

        /** The confusion counts with class c's offset moved by {@code delta}. */
        long[][] confusionAt(float delta) {
            long[][] m = new long[numClasses][];
            for (int t = 0; t < numClasses; t++) {
                m[t] = base[t].clone();
            }
            for (int i = 0; i < size; i++) {
                int o = other[i] & 0xFF;
                float before = margin[i];
                float after = before + delta;
                int was = before > 0 || (before == 0 && c < o) ? c : o;
                int now = after > 0 || (after == 0 && c < o) ? c : o;
                if (was != now) {
                    int[] truth = truthClasses[i];
                    for (int e = 0; e < truth.length; e += 2) {
                        m[truth[e]][was] -= truth[e + 1];
                        m[truth[e]][now] += truth[e + 1];
                    }
                }
            }
            return m;
        }
    }

    /** Per class IoU over every added frame with {@code offsets} added to the scores (NaN: absent, unpredicted). */
    public double[] iou(float[] offsets) {
        if (offsets.length != numClasses) {
            throw new IllegalArgumentException(offsets.length + " offsets for " + numClasses + " classes");
        }
        return iou(confusion(offsets));
    }

    /** Confusion counts [truth][prediction] over every added frame with {@code offsets} added to the scores. */
    long[][] confusion(float[] offsets) {
        long[][] m = new long[numClasses][numClasses];
        for (Frame f : frames) {
            int plane = f.plane();
            float[] s = f.scores();
            byte[] ids = new byte[plane];
            float[] best = new float[plane];
            float o0 = offsets[0];
            for (int p = 0; p < plane; p++) {
                best[p] = s[p] + o0;
            }
            for (int c = 1; c < numClasses; c++) {
                float o = offsets[c];
                int base = c * plane;
                byte id = (byte) c;
                for (int p = 0; p < plane; p++) {
                    float v = s[base + p] + o;
                    if (v > best[p]) {
                        best[p] = v;
                        ids[p] = id;
                    }
                }
            }
            for (int p = 0; p < plane; p++) {
                int pred = ids[p];
                for (int e = f.first()[p]; e < f.first()[p + 1]; e++) {
                    m[f.classes()[e] & 0xFF][pred] += f.counts()[e];
                }
            }
        }
        return m;
    }

    /** Per class TP / (TP + FP + FN) of confusion counts [truth][prediction]; NaN where all three are 0. */
    static double[] iou(long[][] m) {
        int n = m.length;
        double[] iou = new double[n];
        for (int c = 0; c < n; c++) {
            long tp = m[c][c];
            long fn = 0;
            long fp = 0;
            for (int k = 0; k < n; k++) {
                if (k != c) {
                    fn += m[c][k];
                    fp += m[k][c];
                }
            }
            long denominator = tp + fp + fn;
            iou[c] = denominator == 0 ? Double.NaN : (double) tp / denominator;
        }
        return iou;
    }

    /** The mean of the values that are not NaN (NaN when all are). */
    public static double mean(double[] values) {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
    }

    /** For each of {@code dstSize} cells, the source cell whose centre is nearest its centre (as the masks map). */
    private static int[] centres(int srcSize, int dstSize) {
        int[] map = new int[dstSize];
        for (int d = 0; d < dstSize; d++) {
            map[d] = (int) Math.min(srcSize - 1, Math.floor((d + 0.5) * srcSize / dstSize));
        }
        return map;
    }
}
