package io.segstream.training.run;

import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import io.segstream.core.metrics.CityscapesEvaluator;
import io.segstream.core.metrics.EvaluationResult;
import io.segstream.core.metrics.FrameScore;
import io.segstream.core.metrics.PredictionIds;
import io.segstream.training.data.Augmenter;
import io.segstream.training.data.BatchEncoder;
import io.segstream.training.data.SampleSource;
import io.segstream.training.data.TrainingSample;
import io.segstream.training.loss.PixelLoss;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scores a model on (a fixed, evenly spread subset of) the validation frames at the training size, with core's
 * Cityscapes-exact evaluator (class IoU over the label set's train ids) and the training loss.
 */
public final class Validator {
    private final List<TrainingSample> frames;
    private final BatchEncoder encoder;
    private final LabelSet labelSet;
    private final PixelLoss loss;
    private final int batch;

    /** Scores of one validation pass. */
    public record Result(double meanIoU, double pixelAccuracy, double loss, EvaluationResult evaluation) {
    }

    /**
     * Loads and resizes the validation frames once.
     *
     * @param maxFrames how many frames to use, spread evenly over the set (0 = all)
     */
    public Validator(SampleSource source, int maxFrames, Augmenter resize, BatchEncoder encoder, LabelSet labelSet,
            PixelLoss loss, int batch) throws IOException {
        int n = maxFrames <= 0 ? source.size() : Math.min(maxFrames, source.size());
        this.frames = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            frames.add(resize.resizeOnly(source.load((int) ((long) k * source.size() / n))));
        }
        this.encoder = encoder;
        this.labelSet = labelSet;
        this.loss = loss;
        this.batch = batch;
    }

    public int frames() {
        return frames.size();
    }

    /** Memory the loss and argmax of one batch reuse from the second batch on. */
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policySpill(SpillPolicy.REALLOCATE).build();

    /** Runs the model in inference mode over the frames. */
    public Result run(ComputationGraph graph) {
        CityscapesEvaluator eval = CityscapesEvaluator.builder().optLabelSet(labelSet)
                .optPredictionIds(PredictionIds.TRAIN).build();
        double lossSum = 0;
        long pixels = 0;
        long correct = 0;
        for (int start = 0; start < frames.size(); start += batch) {
            List<TrainingSample> chunk = frames.subList(start, Math.min(frames.size(), start + batch));
            MultiDataSet data = encoder.encode(chunk);
            INDArray logits = graph.output(false, data.getFeatures(0))[0];
            List<byte[]> ids = new ArrayList<>(chunk.size());
            // the loss's temporaries are [pixels, classes] arrays of tens of MB: in a reused workspace they are not
            // allocated afresh for every batch (20 Fast-SCNN frames at 256x128: 1.6 s became 1.4 s)
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE,
                    "segstream-validation")) {
                lossSum += lossOf(logits, data) * chunk.size();
                INDArray predicted = Nd4j.argMax(logits, 1);
                for (int i = 0; i < chunk.size(); i++) {
                    ids.add(toBytes(predicted.slice(i)));
                }
            }
            for (int i = 0; i < chunk.size(); i++) {
                TrainingSample s = chunk.get(i);
                LabelImage gt = LabelImage.of8(s.width(), s.height(), labelSet.classIdsToLabelIds(s.classIds(), s.id()));
                FrameScore f = eval.add(gt, null, LabelImage.of8(s.width(), s.height(), ids.get(i)), s.id());
                pixels += f.evaluatedPixels();
                correct += Math.round(f.pixelAccuracy() * f.evaluatedPixels());
            }
        }
        EvaluationResult r = eval.result();
        return new Result(r.meanIoU(), pixels == 0 ? Double.NaN : (double) correct / pixels,
                lossSum / frames.size(), r);
    }

    private double lossOf(INDArray logits, MultiDataSet data) {
        INDArray labels = data.getLabels(0);
        long n = labels.size(0);
        long c = labels.size(1);
        INDArray z = logits.permute(0, 2, 3, 1).dup('c').reshape('c', -1, c);
        INDArray y = labels.permute(0, 2, 3, 1).dup('c').reshape('c', -1, c);
        INDArray m = data.getLabelsMaskArray(0).dup('c').reshape('c', -1, 1);
        return loss.computeScore(y, z, new ActivationIdentity(), m, false) / n;
    }

    private static byte[] toBytes(INDArray classMap) {
        long[] v = classMap.dup('c').data().asLong();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }
}
