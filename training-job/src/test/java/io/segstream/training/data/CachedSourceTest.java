package io.segstream.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link CachedSource} over a source that counts its loads: 8x4 samples of 128 bytes each (96 RGB + 32 ids). */
class CachedSourceTest {
    private static final int SAMPLE_BYTES = 8 * 4 * 4;

    private static class Counting implements SampleSource {
        final AtomicInteger loads = new AtomicInteger();

        @Override
        public int size() {
            return 3;
        }

        @Override
        public String id(int index) {
            return "s" + index;
        }

        @Override
        public TrainingSample load(int index) throws IOException {
            if (index == 9) {
                throw new IOException("s9.png is truncated");
            }
            loads.incrementAndGet();
            return new TrainingSample(id(index), 8, 4, new byte[96], new byte[32]);
        }
    }

    @Test
    void samplesAreDecodedOnceWhenTheyFit() throws IOException {
        Counting source = new Counting();
        CachedSource cache = new CachedSource(source, 3 * SAMPLE_BYTES);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 3; i++) {
                assertEquals("s" + i, cache.load(i).id());
            }
        }
        assertEquals(3, source.loads.get());
        assertEquals(3, cache.cached());
        assertEquals(0, cache.uncached());
        assertEquals(3L * SAMPLE_BYTES, cache.bytes());
        assertSame(cache.load(1), cache.load(1));
    }

    @Test
    void whatDoesNotFitIsDecodedEachTimeAndCounted() throws IOException {
        Counting source = new Counting();
        CachedSource cache = new CachedSource(source, 2 * SAMPLE_BYTES + 10);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 3; i++) {
                cache.load(i);
            }
        }
        assertEquals(2, cache.cached());
        assertEquals(3, cache.uncached(), "the third sample, once per epoch");
        assertEquals(3 + 2, source.loads.get());
        assertEquals(2L * SAMPLE_BYTES, cache.bytes());
    }

    @Test
    void aZeroBudgetKeepsNothingAndErrorsPassThrough() throws IOException {
        Counting source = new Counting();
        CachedSource cache = new CachedSource(source, 0);
        cache.load(0);
        cache.load(0);
        assertEquals(2, source.loads.get());
        assertEquals(0, cache.cached());
        IOException e = assertThrows(IOException.class, () -> new CachedSource(new Counting() {
            @Override
            public int size() {
                return 10;
            }
        }, 1000).load(9));
        assertEquals("s9.png is truncated", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CachedSource(source, -1));
    }
}
