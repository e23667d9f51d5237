package io.segstream.training.data;

import io.segstream.core.labels.LabelSet;
import java.io.IOException;

/**
 * Class weights from label frequencies, as ENet weighs them: {@code w_c = 1 / ln(1.02 + p_c)}, p_c the share of
 * labelled pixels of class c (rare classes get up to ~50, frequent ones ~1.5).
 */
public final class ClassWeights {
    private static final double C = 1.02;

    private ClassWeights() {
    }

    /** Weights from per-class pixel counts. */
    public static double[] fromCounts(long[] counts) {
        double[] w = shares(counts);
        for (int i = 0; i < w.length; i++) {
            w[i] = 1.0 / Math.log(C + w[i]);
        }
        return w;
    }

    /** Each class's share of the counted pixels (all 0 when nothing was counted). */
    public static double[] shares(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] p = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            p[i] = total == 0 ? 0 : (double) counts[i] / total;
        }
        return p;
    }

    /** Pixel counts per class over (at most) the first {@code maxSamples} samples, spread over the set. */
    public static long[] count(SampleSource source, int numClasses, int maxSamples) throws IOException {
        long[] counts = new long[numClasses];
        int n = Math.min(maxSamples, source.size());
        for (int k = 0; k < n; k++) {
            int index = (int) ((long) k * source.size() / n);
            for (byte b : source.load(index).classIds()) {
                int c = b & 0xFF;
                if (c != LabelSet.IGNORE && c < numClasses) {
                    counts[c]++;
                }
            }
        }
        return counts;
    }

    /** Parses {@code w0,w1,...}; the count must match the classes. */
    public static double[] parse(String csv, int numClasses) {
        String[] parts = csv.split(",");
        if (parts.length != numClasses) {
            throw new IllegalArgumentException("--class-weights has " + parts.length + " values but the label set has "
                    + numClasses + " classes");
        }
        double[] w = new double[numClasses];
        for (int i = 0; i < numClasses; i++) {
            try {
                w[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--class-weights value '" + parts[i] + "' is not a number", e);
            }
        }
        return w;
    }
}
