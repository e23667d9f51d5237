package io.segstream.core.frames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.segstream.core.frames.SequenceWindow.Step;
import io.segstream.core.frames.SequenceWindow.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceWindowTest {
    /** The verdict on each seq in turn, from a fresh camera. */
    private static List<Verdict> verdicts(long... seqs) {
        List<Verdict> out = new ArrayList<>();
        SequenceWindow w = null;
        for (long s : seqs) {
            Step step = w == null ? SequenceWindow.first(s) : w.next(s);
            out.add(step.verdict());
            w = step.window();
        }
        return out;
    }

    @Test
    void inOrderAndGapsAreNext() {
        assertEquals(List.of(Verdict.NEXT, Verdict.NEXT, Verdict.NEXT, Verdict.NEXT), verdicts(0, 1, 2, 10));
    }

    @Test
    void aRepeatWithinTheWindowIsADuplicateAndALateFrameIsNot() {
        assertEquals(List.of(Verdict.NEXT, Verdict.NEXT, Verdict.DUPLICATE, Verdict.NEXT, Verdict.LATE,
                Verdict.DUPLICATE, Verdict.DUPLICATE), verdicts(5, 7, 7, 9, 6, 6, 5));
    }

    @Test
    void aSeqFurtherBackThanTheWindowIsARestartAndTheWindowStartsOver() {
        // 100 - 63 = 37 is the oldest seq the window holds; 36 is beyond it
        assertEquals(List.of(Verdict.NEXT, Verdict.LATE, Verdict.DUPLICATE), verdicts(100, 37, 37));
        assertEquals(List.of(Verdict.NEXT, Verdict.RESTART, Verdict.NEXT, Verdict.DUPLICATE, Verdict.NEXT),
                verdicts(100, 36, 37, 37, 38));
        assertEquals(List.of(Verdict.NEXT, Verdict.NEXT, Verdict.RESTART, Verdict.NEXT), verdicts(1000, 1001, 0, 1));
    }

    @Test
    void theBitmapShiftsWithTheHighestSeq() {
        SequenceWindow w = SequenceWindow.first(10).window().next(12).window().next(11).window();
        assertEquals(new SequenceWindow(12, 0b111), w);
        assertEquals(new SequenceWindow(80, 1L), w.next(80).window(), "a jump of 64 or more clears the bitmap");
        assertEquals(new SequenceWindow(75, 1L | 0b111L << 63), w.next(75).window());
        Step dup = w.next(10);
        assertEquals(Verdict.DUPLICATE, dup.verdict());
        assertSame(w, dup.window());
    }

    @Test
    void extremeSeqsDoNotOverflowIntoWrongVerdicts() {
        assertEquals(List.of(Verdict.NEXT, Verdict.NEXT, Verdict.RESTART), verdicts(-5, Long.MAX_VALUE,
                Long.MIN_VALUE));
        assertEquals(List.of(Verdict.NEXT, Verdict.NEXT, Verdict.DUPLICATE), verdicts(Long.MIN_VALUE,
                Long.MAX_VALUE, Long.MAX_VALUE));
    }
}
