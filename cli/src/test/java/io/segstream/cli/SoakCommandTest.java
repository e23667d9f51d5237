package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakCommandTest {

    /** Ten minutes sampled each minute: heap steady at 200 MB, RSS growing 1 MB a minute, fds steady. */
    private static List<SoakCommand.Sample> run() {
        List<SoakCommand.Sample> samples = new ArrayList<>();
        for (int minute = 1; minute <= 10; minute++) {
            samples.add(new SoakCommand.Sample(minute, 200, 1000 + minute, 300, 150, 10.0 * minute, minute,
                    minute == 7 ? 45 : 5, 180 + minute, 250, 8));
        }
        return samples;
    }

    @Test
    void theVerdictGivesTheGrowthPerHourOfTheSecondHalf() {
        assertEquals("soak: growth over the second half, per hour: heap after GC +0.0 MB, RSS +60.0 MB, fds +0.0,"
                + " threads +0.0", SoakCommand.verdict(run()));
    }

    @Test
    void theTableHasARowPerWindowWithItsWorstPauseAndItsGcTime() {
        String table = SoakCommand.table(run(), 2);
        List<String> rows = table.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(3, rows.size(), table);
        assertTrue(rows.get(0).startsWith("window (min)"), table);
        // first window: minutes 0..5, GC time 50 ms so far, worst pause 5; second: 50 ms more, the 45 ms pause
        assertEquals(List.of("0.0-5.0", "200.0", "1005.0", "300", "150", "50", "5", "183", "250", "8.0"),
                List.of(rows.get(1).trim().split("\\s+")), table);
        assertEquals(List.of("5.0-10.0", "200.0", "1010.0", "300", "150", "50", "45", "188", "250", "8.0"),
                List.of(rows.get(2).trim().split("\\s+")), table);
    }
}
