package io.segstream.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Augmenter}'s rare-class crops on a 200x100 frame of class 0 with one 4x4 patch of class 1 near its top right
 * corner and a band of class 2: 64x32 crops of it at its own size hold the patch by chance about one time in 150;
 * placed crops must hold it whenever its class is drawn.
 */
class AugmenterTest {
    private static final int W = 200;
    private static final int H = 100;
    // the frame is first resized to fit the crop (x 0.32), so 3.125 brings it back to its own size
    private static final Augmentation CROP_ONLY = new Augmentation(3.125, 3.125, false, 0, 0, 0);

    private static TrainingSample frame() {
        byte[] ids = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ids[y * W + x] = (byte) (y >= 80 ? 2 : 0);
            }
        }
        for (int y = 2; y < 6; y++) {
            for (int x = 190; x < 194; x++) {
                ids[y * W + x] = 1;
            }
        }
        return new TrainingSample("f", W, H, new byte[3 * W * H], ids);
    }

    private static int cropsHolding(Augmenter augmenter, int cls, int trials) {
        TrainingSample s = frame();
        int holding = 0;
        for (int t = 0; t < trials; t++) {
            TrainingSample crop = augmenter.apply(s, new Random(t));
            for (byte b : crop.classIds()) {
                if (b == cls) {
                    holding++;
                    break;
                }
            }
        }
        return holding;
    }

    @Test
    void rareClassCropsHoldTheRareClassWhenItIsDrawn() {
        // the training set's pixel shares: class 0 most, class 2 a fifth, class 1 a few pixels
        long[] counts = {15_984, 16, 4_000};
        Augmenter uniform = new Augmenter(64, 32, CROP_ONLY);
        Augmenter placed = new Augmenter(64, 32, CROP_ONLY).withRareClassCrops(1.0, counts);
        int trials = 400;
        int byChance = cropsHolding(uniform, 1, trials);
        int byPlacing = cropsHolding(placed, 1, trials);
        // class 1 is drawn with probability (1/16e-4) / (1/16e-4 + 1/0.2 + 1/0.8) = 0.9950
        assertTrue(byChance < trials / 20, "uniform crops held the patch " + byChance + " times of " + trials);
        assertTrue(byPlacing >= trials * 0.97, "placed crops held the patch " + byPlacing + " times of " + trials);
    }

    @Test
    void aShareOfCropsIsPlaced() {
        long[] counts = {15_984, 16, 4_000};
        int trials = 600;
        int half = cropsHolding(new Augmenter(64, 32, CROP_ONLY).withRareClassCrops(0.5, counts), 1, trials);
        int chance = cropsHolding(new Augmenter(64, 32, CROP_ONLY), 1, trials);
        // about half placed on it, plus the uniform half's chance hits
        assertTrue(half > trials * 0.4 && half < trials * 0.7, "half-placed crops held the patch " + half + " times");
        assertTrue(half > chance + trials / 4, "placing added too little: " + half + " against " + chance);
    }

    @Test
    void withoutRareClassCropsTheDrawsAreUnchanged() {
        TrainingSample s = frame();
        Augmenter a = new Augmenter(64, 32, Augmentation.DEFAULT);
        Augmenter off = new Augmenter(64, 32, Augmentation.DEFAULT).withRareClassCrops(0, new long[] {1, 1, 1});
        for (int t = 0; t < 20; t++) {
            TrainingSample x = a.apply(s, new Random(t));
            TrainingSample y = off.apply(s, new Random(t));
            assertArrayEquals(x.classIds(), y.classIds());
            assertArrayEquals(x.rgb(), y.rgb());
        }
    }

    @Test
    void pickWeightsAreInverseSharesWithAFloor() {
        double[] w = Augmenter.pickWeights(new long[] {750, 250, 0});
        assertEquals(1 / 0.75, w[0], 1e-9);
        assertEquals(4.0, w[1], 1e-9);
        assertEquals(1e6, w[2], 1e-3);
    }

    @Test
    void aFrameWithoutLabelsFallsBackToAUniformCrop() {
        byte[] ids = new byte[W * H];
        Arrays.fill(ids, (byte) 255);
        TrainingSample unlabelled = new TrainingSample("u", W, H, new byte[3 * W * H], ids);
        Augmenter placed = new Augmenter(64, 32, CROP_ONLY).withRareClassCrops(1.0, new long[] {1, 1, 1});
        assertNull(placed.rarePixel(unlabelled, new Random(1)));
        assertEquals(64 * 32, placed.apply(unlabelled, new Random(1)).classIds().length);
    }

    @Test
    void aShareOutsideZeroToOneIsRefused() {
        Augmenter a = new Augmenter(64, 32, CROP_ONLY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.withRareClassCrops(1.5, new long[] {1}));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }
}
