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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames of a Cityscapes-layout dataset (core's reader) as training samples with the class ids of a label set.
 *
 * <pre>{@code
 * CityscapesDataset data = CityscapesDataset.open(root);
 * SampleSource train = CityscapesSource.open(data, "train", LabelSet.named("rail-20"), true);  // + gtCoarse
 * }</pre>
 */
public final class CityscapesSource implements SampleSource {
    private static final Logger LOG = LoggerFactory.getLogger(CityscapesSource.class);
    private static final String TRAIN = "train";
    private static final String TRAIN_EXTRA = "train_extra";

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
     * for the train split, of {@code train_extra}, where the dataset has them. A frame that both gtFine and gtCoarse
     * label (every gtCoarse/train frame in Cityscapes) is taken once, with its fine labels: taken again it would be
     * seen twice an epoch, the second time with polygons that leave much of it unlabelled. Listed in that order: fine frames, then the
     * coarse-only frames split by split, each by city, sequence and frame.
     *
     * @throws DatasetException when a split is missing or its images and labels do not pair up, or when
     *                          {@code coarse} is asked for and the dataset has none of the gtCoarse splits
     */
    public static CityscapesSource open(CityscapesDataset data, String split, LabelSet labelSet, boolean coarse)
            throws DatasetException {
        List<CityscapesSample> fine = data.split(split);
        if (!coarse) {
            return new CityscapesSource(fine, labelSet);
        }
        List<String> wanted = split.equals(TRAIN) ? List.of(split, TRAIN_EXTRA) : List.of(split);
        List<String> present = data.splits(Annotation.COARSE.folder()).stream().filter(wanted::contains).toList();
        if (present.isEmpty()) {
            throw new DatasetException("coarse training reads " + wanted.stream()
                    .map(s -> Annotation.COARSE.folder() + "/" + s).collect(Collectors.joining(" or "))
                    + " but " + data.root() + " has none; add the gtCoarse folder or train without coarse labels");
        }
        // split() pairs every image with its labels, so each listed sample has its image
        Map<Path, CityscapesSample> byImage = new LinkedHashMap<>();
        for (CityscapesSample s : fine) {
            byImage.put(s.image().orElseThrow(), s);
        }
        int alsoFine = 0;
        for (String s : present) {
            for (CityscapesSample c : data.split(s, Annotation.COARSE)) {
                if (byImage.putIfAbsent(c.image().orElseThrow(), c) != null) {
                    alsoFine++;
                }
            }
        }
        LOG.info("{} {}: {} fine frames, {} coarse-only frames from {}; {} coarse frames also fine-labelled, taken"
                + " with their fine labels", data.root(), split, fine.size(), byImage.size() - fine.size(),
                String.join(", ", present), alsoFine);
        return new CityscapesSource(new ArrayList<>(byImage.values()), labelSet);
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
