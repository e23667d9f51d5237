package io.segstream.training.data;

import io.segstream.core.labels.LabelSet;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Encodes same-size samples as the arrays the graph trains on: normalised images N×3×H×W, one-hot labels N×C×H×W
 * (ignored pixels all zero) and a label mask N×1×H×W holding {@code N / V} on the V labelled pixels, so that DL4J's
 * division by the batch size turns the losses into means over labelled pixels (see
 * {@link io.segstream.training.loss.PixelLoss}).
 */
public final class BatchEncoder {
    private final int numClasses;
    private final Normalization normalization;

    public BatchEncoder(int numClasses, Normalization normalization) {
        this.numClasses = numClasses;
        this.normalization = normalization;
    }

    /** Normalised images only, N×3×H×W. */
    public INDArray features(List<TrainingSample> samples) {
        TrainingSample first = samples.get(0);
        int hw = first.width() * first.height();
        float[] f = new float[samples.size() * 3 * hw];
        for (int n = 0; n < samples.size(); n++) {
            TrainingSample s = requireSize(samples.get(n), first);
            byte[] rgb = s.rgb();
            for (int c = 0; c < 3; c++) {
                float mean = (float) normalization.mean()[c];
                float inv = (float) (1.0 / normalization.std()[c]);
                int base = (n * 3 + c) * hw;
                for (int i = 0; i < hw; i++) {
                    f[base + i] = ((rgb[3 * i + c] & 0xFF) - mean) * inv;
                }
            }
        }
        return Nd4j.create(f, new long[] {samples.size(), 3, first.height(), first.width()}, 'c');
    }

    /** Images, one-hot labels and the label mask as one DL4J multi-data set. */
    public MultiDataSet encode(List<TrainingSample> samples) {
        TrainingSample first = samples.get(0);
        int hw = first.width() * first.height();
        int n = samples.size();
        float[] labels = new float[n * numClasses * hw];
        float[] mask = new float[n * hw];
        long labelled = 0;
        for (int b = 0; b < n; b++) {
            TrainingSample s = requireSize(samples.get(b), first);
            byte[] ids = s.classIds();
            for (int i = 0; i < hw; i++) {
                int c = ids[i] & 0xFF;
                if (c == LabelSet.IGNORE) {
                    continue;
                }
                if (c >= numClasses) {
                    throw new IllegalArgumentException(s.id() + ": pixel (" + i % s.width() + ", " + i / s.width()
                            + ") has class id " + c + " but the model has " + numClasses + " classes");
                }
                labels[(b * numClasses + c) * hw + i] = 1f;
                mask[b * hw + i] = 1f;
                labelled++;
            }
        }
        if (labelled > 0) {
            float weight = (float) ((double) n / labelled);
            for (int i = 0; i < mask.length; i++) {
                mask[i] *= weight;
            }
        }
        INDArray y = Nd4j.create(labels, new long[] {n, numClasses, first.height(), first.width()}, 'c');
        INDArray m = Nd4j.create(mask, new long[] {n, 1, first.height(), first.width()}, 'c');
        return new MultiDataSet(new INDArray[] {features(samples)}, new INDArray[] {y}, null, new INDArray[] {m});
    }

    /**
     * {@code data} for a graph with {@code outputs} loss layers that all take the same labels (a model with
     * auxiliary outputs): its labels and label masks repeated, the arrays shared. One output returns {@code data}.
     */
    public static MultiDataSet forOutputs(MultiDataSet data, int outputs) {
        if (outputs == data.numLabelsArrays()) {
            return data;
        }
        if (data.numLabelsArrays() != 1) {
            throw new IllegalArgumentException("cannot spread " + data.numLabelsArrays() + " label arrays over "
                    + outputs + " outputs");
        }
        INDArray[] labels = new INDArray[outputs];
        INDArray[] masks = new INDArray[outputs];
        Arrays.fill(labels, data.getLabels(0));
        Arrays.fill(masks, data.getLabelsMaskArray(0));
        return new MultiDataSet(data.getFeatures(), labels, data.getFeaturesMaskArrays(), masks);
    }

    private static TrainingSample requireSize(TrainingSample s, TrainingSample first) {
        if (s.width() != first.width() || s.height() != first.height()) {
            throw new IllegalArgumentException("a batch needs samples of one size: " + s.id() + " is " + s.width()
                    + "x" + s.height() + ", " + first.id() + " is " + first.width() + "x" + first.height());
        }
        return s;
    }
}
