package io.segstream.core.metrics;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.LabelPng;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a folder of prediction PNGs against the {@code gtFine} ground truth of a Cityscapes-layout dataset,
 * as the official script does: the prediction of frame {@code {city}_{seq}_{frame}} is the one PNG anywhere
 * under the prediction folder whose name starts with that id.
 *
 * <pre>{@code
 * EvaluationResult result = FolderEvaluator.builder()
 *         .setGroundTruth(CityscapesDataset.open(Path.of("/data/cityscapes")))
 *         .setPredictions(Path.of("/tmp/predictions"))
 *         .optSplit("val")
 *         .build()
 *         .run();
 * }</pre>
 */
public final class FolderEvaluator {
    private static final Logger LOG = LoggerFactory.getLogger(FolderEvaluator.class);

    /** Told after every frame, for progress displays. */
    @FunctionalInterface
    public interface Progress {
        void frameDone(int done, int total, CityscapesSample sample);
    }

    /** Told every scored frame's ground truth and prediction, both as official label ids (e.g. to run alert rules). */
    @FunctionalInterface
    public interface FrameListener {
        /** Does nothing. */
        FrameListener NONE = (sample, groundTruth, prediction) -> { };

        void frameScored(CityscapesSample sample, LabelImage groundTruth, LabelImage prediction);
    }

    private final CityscapesDataset dataset;
    private final Path predictions;
    private final String split;
    private final LabelSet labelSet;
    private final PredictionIds predictionIds;
    private final Progress progress;
    private final FrameListener frames;

    private FolderEvaluator(Builder b) {
        this.dataset = b.dataset;
        this.predictions = b.predictions;
        this.split = b.split;
        this.labelSet = b.labelSet;
        this.predictionIds = b.predictionIds;
        this.progress = b.progress;
        this.frames = b.frames;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Finds every frame's prediction, then scores the frames in dataset order. */
    public EvaluationResult run() throws EvaluationException {
        List<CityscapesSample> samples = frames(dataset, split, false);
        List<Path> matched = matchPredictions(samples);
        return score(samples, labelSet, predictionIds, (i, sample) -> {
            Path file = matched.get(i);
            return new Prediction(LabelPng.read8(file), file.toString());
        }, progress, frames);
    }

    /**
     * The annotated frames of {@code split}; with {@code withImages} only frames with their image, which must then
     * exist for every label.
     *
     * @throws EvaluationException when the split cannot be read or holds no ground truth
     */
    static List<CityscapesSample> frames(CityscapesDataset dataset, String split, boolean withImages)
            throws EvaluationException {
        List<CityscapesSample> samples;
        try {
            samples = withImages ? dataset.split(split) : dataset.annotations(split);
        } catch (DatasetException e) {
            throw new EvaluationException(e.getMessage(), e);
        }
        if (samples.isEmpty()) {
            throw new EvaluationException("no ground truth to evaluate: " + dataset.root().resolve("gtFine").resolve(split)
                    + " holds no *_gtFine_labelIds.png");
        }
        return samples;
    }

    /** One frame's prediction and what to call it in errors. */
    record Prediction(LabelImage image, String source) {}

    /** Reads or makes the prediction of the {@code index}-th frame. */
    @FunctionalInterface
    interface Predictions {
        Prediction of(int index, CityscapesSample sample) throws ImageFormatException;
    }

    /**
     * Scores {@code samples} in order against what {@code predictions} gives for each: the loop that prediction
     * folders and models share.
     */
    static EvaluationResult score(List<CityscapesSample> samples, LabelSet labelSet, PredictionIds predictionIds,
            Predictions predictions, Progress progress, FrameListener frames) throws EvaluationException {
        boolean withInstances = checkInstances(samples);
        CityscapesEvaluator evaluator = CityscapesEvaluator.builder()
                .optLabelSet(labelSet)
                .optPredictionIds(predictionIds)
                .build();
        for (int i = 0; i < samples.size(); i++) {
            CityscapesSample sample = samples.get(i);
            LabelImage gt;
            LabelImage instances;
            Prediction prediction;
            try {
                gt = sample.loadLabelIds();
                instances = withInstances ? sample.loadInstanceIds() : null;
                prediction = predictions.of(i, sample);
            } catch (ImageFormatException e) {
                throw new EvaluationException(e.getMessage(), e);
            }
            LabelImage p = prediction.image();
            if (p.width() != gt.width() || p.height() != gt.height()) {
                throw new EvaluationException("size mismatch: prediction " + prediction.source() + " is " + p.size()
                        + " but its ground truth " + sample.labelIds().orElseThrow() + " is " + gt.size());
            }
            try {
                evaluator.add(gt, instances, p, prediction.source());
            } catch (IllegalArgumentException e) {
                throw new EvaluationException(e.getMessage(), e);
            }
            if (frames != FrameListener.NONE) {
                // the evaluator accepted the prediction, so its train ids all map to label ids
                frames.frameScored(sample, gt, predictionIds == PredictionIds.TRAIN
                        ? LabelImage.of8(p.width(), p.height(), labelSet.classIdsToLabelIds(p.toBytes(),
                                prediction.source()))
                        : p);
            }
            progress.frameDone(i + 1, samples.size(), sample);
        }
        return evaluator.result();
    }

    /** The one prediction per frame; none or several is an error that names the frame. */
    private List<Path> matchPredictions(List<CityscapesSample> samples) throws EvaluationException {
        if (!Files.isDirectory(predictions)) {
            throw new EvaluationException("prediction folder " + predictions + " does not exist or is not a folder");
        }
        NavigableMap<String, List<Path>> byName = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(predictions)) {
            for (Path p : walk.filter(f -> f.getFileName().toString().endsWith(".png") && Files.isRegularFile(f))
                    .sorted().toList()) {
                byName.computeIfAbsent(p.getFileName().toString(), k -> new ArrayList<>()).add(p);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new EvaluationException("cannot list prediction folder " + predictions + ": " + e.getMessage(), e);
        }
        List<Path> out = new ArrayList<>(samples.size());
        for (CityscapesSample s : samples) {
            String id = s.id();
            List<Path> found = new ArrayList<>();
            for (Map.Entry<String, List<Path>> e : byName.tailMap(id, true).entrySet()) {
                if (!e.getKey().startsWith(id)) {
                    break;
                }
                found.addAll(e.getValue());
            }
            found.sort(null);
            if (found.isEmpty()) {
                throw new EvaluationException("no prediction for " + id + " (ground truth " + s.labelIds().orElseThrow()
                        + "): expected one PNG under " + predictions + " whose name starts with " + id);
            }
            if (found.size() > 1) {
                throw new EvaluationException(found.size() + " predictions for " + id + " under " + predictions + " ("
                        + found.stream().map(Path::toString).collect(Collectors.joining(", "))
                        + "); keep exactly one PNG whose name starts with " + id);
            }
            out.add(found.get(0));
        }
        return out;
    }

    /** Instance scores need instanceIds for every frame or for none: a partial set would skew nIoU silently. */
    private static boolean checkInstances(List<CityscapesSample> samples) throws EvaluationException {
        CityscapesSample without = null;
        int with = 0;
        for (CityscapesSample s : samples) {
            if (s.instanceIds().isPresent()) {
                with++;
            } else if (without == null) {
                without = s;
            }
        }
        if (with > 0 && without != null) {
            throw new EvaluationException(without.labelIds().orElseThrow() + " has no _instanceIds.png beside it while "
                    + with + " other frame(s) have one; instance scores (nIoU) need it for every frame");
        }
        if (with == 0) {
            LOG.warn("no *_instanceIds.png in the ground truth; instance-level scores (nIoU) will be nan");
        }
        return with > 0;
    }

    /** Configures a {@link FolderEvaluator}. */
    public static final class Builder {
        private CityscapesDataset dataset;
        private Path predictions;
        private String split = "val";
        private LabelSet labelSet = LabelSet.defaultSet();
        private PredictionIds predictionIds = PredictionIds.LABEL;
        private Progress progress = (done, total, sample) -> { };
        private FrameListener frames = FrameListener.NONE;

        private Builder() {}

        /** The dataset whose {@code gtFine/{split}} is the ground truth. */
        public Builder setGroundTruth(CityscapesDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /** The folder searched (recursively) for prediction PNGs. */
        public Builder setPredictions(Path folder) {
            this.predictions = folder;
            return this;
        }

        /** The split to evaluate; default {@code val}. */
        public Builder optSplit(String split) {
            this.split = split;
            return this;
        }

        /** The label set whose ignore flags and train ids apply; default {@code cityscapes-19}. */
        public Builder optLabelSet(LabelSet set) {
            this.labelSet = set;
            return this;
        }

        /** What prediction pixels hold; default label ids. */
        public Builder optPredictionIds(PredictionIds ids) {
            this.predictionIds = ids;
            return this;
        }

        /** Told after every frame. */
        public Builder optProgress(Progress progress) {
            this.progress = progress;
            return this;
        }

        /** Told every scored frame's ground truth and prediction. */
        public Builder optFrameListener(FrameListener listener) {
            this.frames = listener;
            return this;
        }

        public FolderEvaluator build() {
            sanityCheck();
            return new FolderEvaluator(this);
        }

        private void sanityCheck() {
            if (dataset == null) {
                throw new IllegalArgumentException("ground truth is not set; call setGroundTruth(CityscapesDataset)");
            }
            if (predictions == null) {
                throw new IllegalArgumentException("prediction folder is not set; call setPredictions(Path)");
            }
            if (split == null || split.isBlank()) {
                throw new IllegalArgumentException("split must be a name such as val");
            }
            if (labelSet == null || predictionIds == null || progress == null || frames == null) {
                throw new IllegalArgumentException("label set, prediction ids, progress and frame listener must not be"
                        + " null");
            }
        }
    }
}
