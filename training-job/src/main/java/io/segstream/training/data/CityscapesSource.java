package io.segstream.training.data;

import io.segstream.core.datasets.Annotation;
import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.CityscapesSample;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.imaging.RgbImage;
import io.segstream.core.imaging.ImageFormatException;
import io.segstream.core.imaging.LabelImage;
import io.segstream.core.labels.LabelSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames of a Cityscapes-layout dataset (core's reader) as training samples with the class ids of a label set.
 *
 * <pre>{@code
 * SampleSource train = CityscapesSource.open(root, "train", LabelSet.named("rail-20"), true);  // + gtCoarse
 * }</pre>
 */
public final class CityscapesSource implements SampleSource {
    private final List<CityscapesSample> samples;
    private final LabelSet labelSet;

    public CityscapesSource(List<CityscapesSample> samples, LabelSet labelSet) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("the dataset split has no labelled frames");
        }
        this.samples = List.copyOf(samples);
        this.labelSet = labelSet;
    }

    /**
     * The fine-annotated frames of {@code split}, plus with {@code coarse} the gtCoarse frames of {@code split} and,
     * for the train split, of {@code train_extra} where the dataset has them.
     */
    public static CityscapesSource open(CityscapesDataset data, String split, LabelSet labelSet, boolean coarse)
            throws DatasetException {
        List<CityscapesSample> all = new ArrayList<>(data.split(split));
        if (coarse) {
            List<String> coarseSplits = data.splits(Annotation.COARSE.folder());
            for (String s : coarseSplits) {
                if (s.equals(split) || (split.equals("train") && s.equals("train_extra"))) {
                    all.addAll(data.split(s, Annotation.COARSE));
                }
            }
        }
        return new CityscapesSource(all, labelSet);
    }

    /** The underlying frames. */
    public List<CityscapesSample> samples() {
        return samples;
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public String id(int index) {
        return samples.get(index).id();
    }

    @Override
    public TrainingSample load(int index) throws IOException {
        CityscapesSample s = samples.get(index);
        try {
            RgbImage rgb = s.loadRgb();
            LabelImage classes = s.loadClassIds(labelSet);
            if (rgb.width() != classes.width() || rgb.height() != classes.height()) {
                throw new IOException(s.id() + ": image " + rgb.width() + "x" + rgb.height() + " and labels "
                        + classes.size() + " differ in size");
            }
            return new TrainingSample(s.id(), rgb.width(), rgb.height(), rgb.toRgbBytes(), classes.toBytes());
        } catch (ImageFormatException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
