package io.segstream.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressFormatTest {
    @Test
    void ratesKeepThreeSignificantPlacesOrWholeNumbers() {
        assertEquals("1234", ProgressFormat.rate(1234.4));
        assertEquals("45.2", ProgressFormat.rate(45.24));
        assertEquals("3.14", ProgressFormat.rate(3.14159));
        // one step every eight seconds must not read 0.00
        assertEquals("0.125", ProgressFormat.rate(0.125));
        assertEquals("0.000", ProgressFormat.rate(0));
    }

    @Test
    void durationsReadAsClockTime() {
        assertEquals("0:00", ProgressFormat.duration(0));
        assertEquals("0:59", ProgressFormat.duration(59.4));
        assertEquals("1:00", ProgressFormat.duration(59.5));
        assertEquals("1:01:05", ProgressFormat.duration(3665));
        assertEquals("10:00:00", ProgressFormat.duration(36_000));
        assertEquals("0:00", ProgressFormat.duration(-3));
    }

    @Test
    void barFillsACellOnlyWhenItsShareIsDone() {
        assertEquals("[--------]", ProgressFormat.bar(0, 4, 8));
        assertEquals("[##------]", ProgressFormat.bar(1, 4, 8));
        assertEquals("[######--]", ProgressFormat.bar(3, 4, 8));
        // 7/8 of 4 cells is 3.5: the fourth cell waits for the end
        assertEquals("[###-]", ProgressFormat.bar(7, 8, 4));
        assertEquals("[####]", ProgressFormat.bar(5, 4, 4), "an overrun total stays full");
        assertEquals("[####]", ProgressFormat.bar(0, 0, 4), "nothing to do is done");
    }

    @Test
    void percentRoundsDownInWholeNumbers() {
        assertEquals("  0%", ProgressFormat.percent(0, 10));
        assertEquals(" 66%", ProgressFormat.percent(2, 3));
        // 0.29 * 100 is 28.999... in doubles
        assertEquals(" 29%", ProgressFormat.percent(29, 100));
        assertEquals(" 99%", ProgressFormat.percent(999, 1000));
        assertEquals("100%", ProgressFormat.percent(1, 1));
    }
}
