package io.segstream.training.run;

import io.segstream.core.datasets.CityscapesDataset;
import io.segstream.core.datasets.DatasetException;
import io.segstream.core.labels.LabelSet;
import io.segstream.training.data.CachedSource;
import io.segstream.training.data.CityscapesSource;
import io.segstream.training.data.SampleSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * A training run on a Cityscapes-layout dataset: opens the train and val splits with core's reader and runs the
 * {@link Trainer}; what {@code segstream train} calls.
 *
 * <pre>{@code
 * Trainer.Outcome out = TrainingJob.run(TrainConfig.of(Map.of("model", "fastscnn", "dataPath", "/data/scenes",
 *         "width", 512, "height", 256, "epochs", 3)), null, System.err);
 * }</pre>
 */
public final class TrainingJob {
    private TrainingJob() {
    }

    /** Trains as configured; {@code resume} is a checkpoint to continue from, or null. */
    public static Trainer.Outcome run(TrainConfig config, Path resume, PrintStream console)
            throws IOException, DatasetException {
        return run(config, resume, null, console);
    }

    /**
     * Trains as configured; {@code resume} is a checkpoint to continue from, {@code init} one whose weights to
     * start from (fine-tuning), each or both null.
     */
    public static Trainer.Outcome run(TrainConfig config, Path resume, Path init, PrintStream console)
            throws IOException, DatasetException {
        Trainer.checkBackend(config);
        CityscapesDataset data = CityscapesDataset.locate(config.dataPath() == null ? null : Path.of(config.dataPath()));
        LabelSet set = LabelSet.named(config.labelSet());
        SampleSource train = CityscapesSource.open(data, "train", set, config.coarse());
        if (config.cacheBudgetBytes() > 0) {
            train = new CachedSource(train, config.cacheBudgetBytes());
        }
        CityscapesSource val = new CityscapesSource(data.split("val"), set);
        Trainer trainer = new Trainer(config, train, val, console);
        if (resume != null) {
            trainer.resumeFrom(resume);
        }
        if (init != null) {
            trainer.initFrom(init);
        }
        return trainer.run();
    }
}
