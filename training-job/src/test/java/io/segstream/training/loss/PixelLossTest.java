package io.segstream.training.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every loss against values worked out by hand on three pixels of two classes:
 * pixel 1 logits (0, ln 3) so p = (¼, ¾), true class 1, CE = -ln ¾ = 0.287682;
 * pixel 2 logits (0, 0) so p = (½, ½), true class 0, CE = ln 2 = 0.693147;
 * pixel 3 ignored (label 255: an all-zero row). One image, two labelled pixels: mask weights N/V = ½.
 */
class PixelLossTest {
    private static final double CE1 = -Math.log(0.75);
    private static final double CE2 = Math.log(2);

    private static INDArray logits() {
        return Nd4j.createFromArray(new double[][] {{0, Math.log(3)}, {0, 0}, {5, -5}});
    }

    private static INDArray labels() {
        return Nd4j.createFromArray(new double[][] {{0, 1}, {1, 0}, {0, 0}});
    }

    private static INDArray mask() {
        return Nd4j.createFromArray(new double[][] {{0.5}, {0.5}, {0}});
    }

    private static double score(PixelLoss loss) {
        return loss.computeScore(labels(), logits(), new ActivationIdentity(), mask(), false);
    }

    @Test
    void crossEntropyIsTheMeanOverLabelledPixels() {
        assertEquals((CE1 + CE2) / 2, score(new WeightedCrossEntropy(null)), 1e-6);
        assertEquals(0.490415, score(new WeightedCrossEntropy(null)), 1e-6);
    }

    @Test
    void classWeightsScaleEachPixelByItsTrueClass() {
        assertEquals((1 * CE1 + 2 * CE2) / 2, score(new WeightedCrossEntropy(new double[] {2, 1})), 1e-6);
    }

    @Test
    void crossEntropyGradientIsWeightedSoftmaxMinusOneHot() {
        INDArray g = new WeightedCrossEntropy(null).computeGradient(labels(), logits(), new ActivationIdentity(), mask());
        assertEquals(0.125, g.getDouble(0, 0), 1e-6);
        assertEquals(-0.125, g.getDouble(0, 1), 1e-6);
        assertEquals(-0.25, g.getDouble(1, 0), 1e-6);
        assertEquals(0.0, g.getDouble(2, 0), 0.0);
    }

    @Test
    void focalLossDownWeightsEasyPixels() {
        double expected = 0.5 * (0.25 * 0.25 * CE1 + 0.5 * 0.5 * CE2);
        assertEquals(expected, score(new FocalLoss(2, null)), 1e-6);
        assertEquals(0.0956336, score(new FocalLoss(2, null)), 1e-6);
        assertEquals(score(new WeightedCrossEntropy(null)), score(new FocalLoss(0, null)), 1e-9);
    }

    @Test
    void diceAddsOneMinusMeanSoftDice() {
        // class 0: I = 0.5, S = 1.75 -> 2/2.75; class 1: I = 0.75, S = 2.25 -> 2.5/3.25; smoothing 1
        double dice = 1 - (2 / 2.75 + 2.5 / 3.25) / 2;
        assertEquals(0.251748, dice, 1e-6);
        assertEquals((CE1 + CE2) / 2 + dice, score(new CrossEntropyDice(1, 1, null)), 1e-6);
    }

    @Test
    void hardPixelMiningKeepsTheHardestFraction() {
        HardPixelCrossEntropy ohem = new HardPixelCrossEntropy(0.5, 0, null);
        assertEquals(CE2, score(ohem), 1e-6);
        HardPixelCrossEntropy scheduled = new HardPixelCrossEntropy(0.5, 10, null);
        scheduled.setStep(0);
        assertEquals(1.0, scheduled.fractionAt(0), 1e-12);
        assertEquals((CE1 + CE2) / 2, score(scheduled), 1e-6);
        assertEquals(0.75, scheduled.fractionAt(5), 1e-12);
        scheduled.setStep(10);
        assertEquals(0.5, scheduled.fractionAt(10), 1e-12);
        assertEquals(CE2, score(scheduled), 1e-6);
    }

    @Test
    void everyGradientMatchesFiniteDifferences() {
        INDArray z0 = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5).muli(4);
        INDArray y = Nd4j.createFromArray(new double[][] {
            {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {0, 1, 0}, {1, 0, 0}});
        INDArray m = Nd4j.createFromArray(new double[][] {{0.4}, {0.4}, {0.4}, {0}, {0.4}, {0.4}});
        double[] w = {1.5, 0.5, 2};
        for (PixelLoss loss : List.of(new WeightedCrossEntropy(w), new FocalLoss(2, w), new CrossEntropyDice(1, 1, w),
                new HardPixelCrossEntropy(0.6, 0, w))) {
            INDArray g = loss.computeGradient(y, z0, new ActivationIdentity(), m);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 3; j++) {
                    double h = 1e-5;
                    INDArray zp = z0.dup();
                    zp.putScalar(i, j, z0.getDouble(i, j) + h);
                    INDArray zm = z0.dup();
                    zm.putScalar(i, j, z0.getDouble(i, j) - h);
                    double numeric = (loss.computeScore(y, zp, new ActivationIdentity(), m, false)
                            - loss.computeScore(y, zm, new ActivationIdentity(), m, false)) / (2 * h);
                    assertEquals(numeric, g.getDouble(i, j), 1e-5, loss.name() + " d/dz[" + i + "," + j + "]");
                }
            }
        }
    }

    /** Float logits (training) are worked on in float: the scores and gradients of double, to float's precision. */
    @Test
    void floatLogitsGiveTheDoubleResults() {
        INDArray z = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5).muli(8);
        INDArray y = Nd4j.createFromArray(new double[][] {
            {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0}, {0, 1, 0}, {1, 0, 0}});
        INDArray m = Nd4j.createFromArray(new double[][] {{0.4}, {0.4}, {0.4}, {0}, {0.4}, {0.4}});
        double[] w = {1.5, 0.5, 2};
        for (PixelLoss loss : List.of(new WeightedCrossEntropy(w), new FocalLoss(2, w), new CrossEntropyDice(1, 1, w),
                new HardPixelCrossEntropy(0.6, 0, w))) {
            INDArray zf = z.castTo(DataType.FLOAT);
            INDArray yf = y.castTo(DataType.FLOAT);
            INDArray mf = m.castTo(DataType.FLOAT);
            double inDouble = loss.computeScore(y, z, new ActivationIdentity(), m, false);
            double inFloat = loss.computeScore(yf, zf, new ActivationIdentity(), mf, false);
            assertEquals(inDouble, inFloat, 1e-5 * Math.max(1, Math.abs(inDouble)), loss.name() + " score");
            INDArray g = loss.computeGradient(yf, zf, new ActivationIdentity(), mf);
            assertEquals(DataType.FLOAT, g.dataType(), loss.name());
            INDArray expected = loss.computeGradient(y, z, new ActivationIdentity(), m);
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(expected.getDouble(i, j), g.getDouble(i, j), 1e-5,
                            loss.name() + " [" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void refusesSoftmaxActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightedCrossEntropy(null).computeScore(labels(), logits(), new ActivationSoftmax(), mask(),
                        false));
        assertEquals(true, e.getMessage().contains("identity activation"));
    }
}
