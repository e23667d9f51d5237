package io.segstream.core.metrics;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.JpegEncoder;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.Segmentation;
import io.segstream.schemas.ImageEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Scores an ONNX model directly on the {@code gtFine} frames of a Cityscapes-layout dataset split: every image
 * goes through the same {@link OnnxSegmenter} that serves cameras, and its frame-sized mask (train ids of the
 * model's label set) is scored with the official rules. The figures are those a user would get from writing
 * predictions and running {@link FolderEvaluator} on them, without the PNGs in between.
 *
 * <pre>{@code
 * try (OnnxSegmenter seg = OnnxSegmenter.open(Path.of("models/rail-7"), SegmenterOptions.defaults())) {
 *     EvaluationResult r = ModelEvaluator.builder().setSegmenter(seg)
 *             .setGroundTruth(CityscapesDataset.open(Path.of("/data/cityscapes"))).optSplit("val").build().run();
 *     System.out.println(EvaluationReport.tables(r));
 * }
 * }</pre>
 */
public final class ModelEvaluator {
    private final OnnxSegmenter segmenter;
    private final CityscapesDataset dataset;
    private final String split;
    private final int limit;
    private final FolderEvaluator.Progress progress;
    private final FolderEvaluator.FrameListener frames;
    private final int jpegQuality;

    private ModelEvaluator(Builder b) {
        this.segmenter = b.segmenter;
        this.dataset = b.dataset;
        this.split = b.split;
        this.limit = b.limit;
        this.progress = b.progress;
        this.frames = b.frames;
        this.jpegQuality = b.jpegQuality;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Segments and scores the split's frames in dataset order (the first {@code limit} of them, if set). */
    public EvaluationResult run() throws EvaluationException {
        List<CityscapesSample> samples = FolderEvaluator.frames(dataset, split, true);
        if (limit > 0 && samples.size() > limit) {
            samples = samples.subList(0, limit);
        }
        String model = segmenter.manifest().id();
        return FolderEvaluator.score(samples, segmenter.labelSet(), PredictionIds.TRAIN, (i, sample) -> {
            Segmentation s = segment(sample);
            return new FolderEvaluator.Prediction(LabelImage.of8(s.width(), s.height(), s.classIds()),
                    "of " + model + " for " + sample.image().orElseThrow());
        }, progress, frames);
    }

    private Segmentation segment(CityscapesSample sample) throws ImageFormatException {
        RgbImage rgb = sample.loadRgb();
        if (jpegQuality == 0) {
            return segmenter.segment(rgb);
        }
        byte[] jpeg;
        try {
            jpeg = JpegEncoder.encode(rgb.toBufferedImage(), jpegQuality);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + sample.image().orElseThrow() + " as JPEG", e);
        }
        return segmenter.segment(ImageEncoding.JPEG, jpeg, rgb.width(), rgb.height(),
                sample.image().orElseThrow().toString());
    }

    /** Configures a {@link ModelEvaluator}. */
    public static final class Builder {
        private OnnxSegmenter segmenter;
        private CityscapesDataset dataset;
        private String split = "val";
        private int limit;
        private FolderEvaluator.Progress progress = (done, total, sample) -> { };
        private FolderEvaluator.FrameListener frames = FolderEvaluator.FrameListener.NONE;
        private int jpegQuality;

        private Builder() {}

        /** The open model to score; its label set decides the scored classes. The caller closes it. */
        public Builder setSegmenter(OnnxSegmenter segmenter) {
            this.segmenter = segmenter;
            return this;
        }

        /** The dataset whose {@code leftImg8bit/{split}} and {@code gtFine/{split}} are scored. */
        public Builder setGroundTruth(CityscapesDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /** The split to evaluate; default {@code val}. */
        public Builder optSplit(String split) {
            this.split = split;
            return this;
        }

        /** Scores only the first {@code frames} frames in dataset order; 0 (default) scores all. */
        public Builder optLimit(int frames) {
            this.limit = frames;
            return this;
        }

        /** Told after every frame. */
        public Builder optProgress(FolderEvaluator.Progress progress) {
            this.progress = progress;
            return this;
        }

        /** Told every scored frame's ground truth and prediction (label ids). */
        public Builder optFrameListener(FolderEvaluator.FrameListener listener) {
            this.frames = listener;
            return this;
        }

        /**
         * Sends every frame through JPEG at {@code quality} (1..100) and the segmenter's JPEG decoder, as camera
         * frames reach a running job; 0 (default) hands the decoded image to the model.
         */
        public Builder optJpegQuality(int quality) {
            this.jpegQuality = quality;
            return this;
        }

        public ModelEvaluator build() {
            if (segmenter == null) {
                throw new IllegalArgumentException("model is not set; call setSegmenter(OnnxSegmenter)");
            }
            if (dataset == null) {
                throw new IllegalArgumentException("ground truth is not set; call setGroundTruth(CityscapesDataset)");
            }
            if (split == null || split.isBlank()) {
                throw new IllegalArgumentException("split must be a name such as val");
            }
            if (limit < 0) {
                throw new IllegalArgumentException("frame limit must be 0 (all) or more, got " + limit);
            }
            if (jpegQuality < 0 || jpegQuality > 100) {
                throw new IllegalArgumentException("JPEG quality must be 1..100, or 0 for none, got " + jpegQuality);
            }
            if (progress == null || frames == null) {
                throw new IllegalArgumentException("progress and frame listener must not be null");
            }
            return new ModelEvaluator(this);
        }
    }
}
