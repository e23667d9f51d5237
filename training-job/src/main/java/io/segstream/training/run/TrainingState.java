package io.segstream.training.run;

import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved next to every checkpoint ({@code <checkpoint>.json}) so that {@code --resume} continues
 * exactly: the configuration, the position in the data (epoch and batch), the optimiser step, the best score and the
 * metrics so far. Weights and optimiser state live in the checkpoint zip itself.
 *
 * @param config          the run's configuration as an option map
 * @param epoch           0-based epoch to continue in
 * @param batchInEpoch    first batch of that epoch still to train
 * @param iteration       optimiser steps done
 * @param bestMeanIoU     best validation mIoU so far (NaN before the first validation)
 * @param bestCheckpoint  file name of the best checkpoint
 * @param history         metrics rows so far
 * @param steps           per-step training loss and learning rate so far: {iteration, loss, lr}
 */
public record TrainingState(Map<String, Object> config, int epoch, int batchInEpoch, long iteration,
        double bestMeanIoU, String bestCheckpoint, List<EpochMetrics> history, List<double[]> steps) {
}
