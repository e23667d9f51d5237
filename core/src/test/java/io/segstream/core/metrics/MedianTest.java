package io.segstream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MedianTest {
    @Test
    void theMiddleValueOrTheMeanOfTheMiddleTwo() {
        assertEquals(3.0, Median.of(5, 1, 3));
        assertEquals(2.5, Median.of(4, 1, 3, 2));
        assertEquals(-1.5, Median.of(-1, -2));
        assertEquals(7.0, Median.of(7));
        assertEquals(2.0, Median.of(List.of(3.0, 1.0, 2.0)));
    }

    @Test
    void noValuesHaveNoMedianAndTheValuesAreLeftAsTheyWere() {
        assertEquals(Double.NaN, Median.of());
        assertEquals(Double.NaN, Median.of(List.of()));
        double[] v = {3, 1, 2};
        Median.of(v);
        assertArrayEquals(new double[] {3, 1, 2}, v);
    }
}
