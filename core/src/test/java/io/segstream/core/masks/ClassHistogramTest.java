package io.segstream.core.masks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClassHistogramTest {
    private static int[] plain(byte[] ids, int from, int to) {
        int[] counts = new int[256];
        for (int i = from; i < to; i++) {
            counts[ids[i] & 0xFF]++;
        }
        return counts;
    }

    @Test
    void countsLikeAPlainHistogramOnRunsNoiseAndTheirMix() {
        Random rnd = new Random(3);
        byte[] runs = new byte[5000];
        for (int i = 0; i < runs.length; ) {
            int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 300);
            Arrays.fill(runs, i, Math.min(runs.length, i + len), (byte) rnd.nextInt(256));
            i += len;
        }
        byte[] noise = new byte[5000];
        rnd.nextBytes(noise);
        byte[] flat = new byte[777];
        Arrays.fill(flat, (byte) 255);
        for (byte[] ids : new byte[][] {runs, noise, flat, new byte[1], new byte[0]}) {
            int[][] spans = {{0, ids.length}, {ids.length / 3, ids.length / 2}, {ids.length / 2, ids.length / 2}};
            for (int[] span : spans) {
                int[] counts = new int[256];
                ClassHistogram.add(ids, span[0], span[1], counts);
                assertArrayEquals(plain(ids, span[0], span[1]), counts, ids.length + " ids, span " + span[0] + "-"
                        + span[1]);
            }
        }
    }

    @Test
    void addsToTheCountsItIsGiven() {
        byte[] ids = {1, 1, 2};
        int[] counts = new int[256];
        counts[1] = 10;
        ClassHistogram.add(ids, 0, 3, counts);
        ClassHistogram.add(ids, 2, 3, counts);
        int[] expected = new int[256];
        expected[1] = 12;
        expected[2] = 2;
        assertArrayEquals(expected, counts);
    }

    @Test
    void rowsEqualToTheRowAboveCountAsOften() {
        Random rnd = new Random(4);
        int width = 37;
        int height = 29;
        byte[] ids = new byte[width * height];
        for (int y = 0; y < height; y++) {
            if (y > 0 && rnd.nextInt(3) > 0) {
                // a repeat of the row above, or one differing in a single pixel (not a repeat)
                System.arraycopy(ids, (y - 1) * width, ids, y * width, width);
                if (rnd.nextInt(4) == 0) {
                    ids[y * width + rnd.nextInt(width)] ^= 1;
                }
            } else {
                for (int x = 0; x < width; x++) {
                    ids[y * width + x] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt(256) : y % 5);
                }
            }
        }
        for (int w : new int[] {width, 1, width * height}) {
            int[] counts = new int[256];
            counts[7] = 3;
            ClassHistogram.addRows(ids, w, counts);
            int[] expected = plain(ids, 0, ids.length);
            expected[7] += 3;
            assertArrayEquals(expected, counts, "rows of " + w);
        }
    }
}
