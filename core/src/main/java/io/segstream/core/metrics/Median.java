package io.segstream.core.metrics;

import java.util.Arrays;
import java.util.Collection;

/**
 * The median of some values: the middle one, or the mean of the middle two for an even count; NaN for none. The
 * benchmarks' rounds and the alert agreement's raise offsets are summarised with it.
 *
 * <pre>{@code
 * double ms = Median.of(roundMillis);
 * }</pre>
 */
public final class Median {
    private Median() {}

    /** The median of {@code values} (not changed). */
    public static double of(double... values) {
        int n = values.length;
        if (n == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** The median of {@code values}. */
    public static double of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
