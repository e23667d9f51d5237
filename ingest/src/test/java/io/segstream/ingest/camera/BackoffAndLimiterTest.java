package io.segstream.ingest.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffAndLimiterTest {

    @Test
    void backoffDoublesUpToItsCapWithoutJitter() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(4), 2.0, 0.0, new Random(1));
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            millis.add(b.next().toMillis());
        }
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 4000L, 4000L), millis);
        assertEquals(6, b.attempts());
        b.reset();
        assertEquals(500, b.next().toMillis());
    }

    @Test
    void jitterSpreadsDelaysWithinItsBounds() {
        Backoff a = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, 0.2, new Random(1));
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, 0.2, new Random(2));
        boolean differ = false;
        for (int i = 0; i < 8; i++) {
            long base = Math.min(30_000, 1000L << i);
            long da = a.next().toMillis();
            long db = b.next().toMillis();
            assertTrue(da >= base * 0.8 - 1 && da <= base * 1.2 + 1, "attempt " + i + ": " + da + " ms around " + base);
            differ |= da != db;
        }
        assertTrue(differ, "two cameras do not reconnect in lock-step");
    }

    @Test
    void backoffRejectsNonsense() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 0.1, new Random()));
        assertEquals("back-off needs 0 < initial <= max, got initial PT5S, max PT1S", e.getMessage());
    }

    @Test
    void fpsCapPassesEveryThirdFrameOfThirtyFpsAtTen() {
        FpsLimiter limiter = new FpsLimiter(10);
        int passed = 0;
        List<Integer> passedIndexes = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            if (limiter.admit(Math.round(i * 1_000_000.0 / 30))) {
                passed++;
                passedIndexes.add(i);
            }
        }
        assertEquals(30, passed);
        assertEquals(List.of(0, 3, 6, 9), passedIndexes.subList(0, 4));
    }

    @Test
    void fpsCapPassesEverythingOfASlowerSourceAndNoBurstAfterAPause() {
        FpsLimiter limiter = new FpsLimiter(10);
        for (int i = 0; i < 20; i++) {
            assertTrue(limiter.admit(i * 200_000L), "5 fps under a 10 fps cap");
        }
        FpsLimiter paused = new FpsLimiter(10);
        assertTrue(paused.admit(0));
        assertTrue(paused.admit(5_000_000), "first frame after a pause");
        assertTrue(!paused.admit(5_033_000), "no burst right after it");
        assertTrue(new FpsLimiter(0).admit(1) && new FpsLimiter(0).admit(1), "0 means no cap");
        assertNotEquals(0, passedOf(new FpsLimiter(25), 25));
    }

    private static int passedOf(FpsLimiter l, int fps) {
        int n = 0;
        for (int i = 0; i < fps; i++) {
            n += l.admit(i * 1_000_000L / fps) ? 1 : 0;
        }
        return n;
    }
}
