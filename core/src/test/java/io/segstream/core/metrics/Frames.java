package io.segstream.core.metrics;

import io.segstream.core.imaging.LabelImage;

/**
 * The two hand-made frames whose scores the tests work out by hand.
 *
 * <p>{@link #A}: 4x4, classes only, with ignored (unlabeled) ground truth.
 * <pre>
 *   ground truth          prediction
 *   7  7  7  7            7  7  7  8      7 road, 8 sidewalk, 23 sky, 26 car, 0 unlabeled
 *   7  7  8  8            7  8  8  8
 *   23 23 0  0            23 7  7  23
 *   26 26 26 26           26 26 0  23
 * </pre>
 * <p>{@link #B}: 5x4 with instances: person A (24000, 4 px), person B (24001, 2 px), rider R (25000, 2 px),
 * car C (26000, 3 px), a car group pixel G (plain 26) and road.
 * <pre>
 *   instance ids                          prediction
 *   24000 24000 24000 24000 24001         24 24 24 25 24
 *   24001 25000 25000 26000 26000         7  24 24 26 26
 *   26000 26    7     7     7             29 26 24 26 29      29 caravan (vehicle, ignored)
 *   7     7     7     7     7             7  7  7  7  7
 * </pre>
 */
final class Frames {
    private Frames() {}

    static final LabelImage A_GT = img(4, 4,
            7, 7, 7, 7,
            7, 7, 8, 8,
            23, 23, 0, 0,
            26, 26, 26, 26);
    static final LabelImage A_PRED = img(4, 4,
            7, 7, 7, 8,
            7, 8, 8, 8,
            23, 7, 7, 23,
            26, 26, 0, 23);
    /** {@link #A_PRED} in cityscapes-19 train ids: road 0, sidewalk 1, sky 10, car 13, unlabeled 255. */
    static final LabelImage A_PRED_TRAIN = img(4, 4,
            0, 0, 0, 1,
            0, 1, 1, 1,
            10, 0, 0, 10,
            13, 13, 255, 10);

    static final LabelImage B_INST = img(5, 4,
            24000, 24000, 24000, 24000, 24001,
            24001, 25000, 25000, 26000, 26000,
            26000, 26, 7, 7, 7,
            7, 7, 7, 7, 7);
    static final LabelImage B_GT = img(5, 4,
            24, 24, 24, 24, 24,
            24, 25, 25, 26, 26,
            26, 26, 7, 7, 7,
            7, 7, 7, 7, 7);
    static final LabelImage B_PRED = img(5, 4,
            24, 24, 24, 25, 24,
            7, 24, 24, 26, 26,
            29, 26, 24, 26, 29,
            7, 7, 7, 7, 7);

    /** Average instance sizes of Cityscapes: person, rider, car. */
    static final double PERSON = 3462.4756337644;
    static final double RIDER = 3930.4788056518;
    static final double CAR = 12794.0202738185;

    static LabelImage img(int width, int height, int... values) {
        return new LabelImage(width, height, values.clone());
    }
}
