package io.segstream.core.metrics;

/** What the pixel values of a prediction mean. */
public enum PredictionIds {
    /** Official Cityscapes label ids, as the official evaluation expects. */
    LABEL,
    /** Class (train) ids of the evaluator's label set; {@code 255} means no prediction (scored as unlabeled). */
    TRAIN
}
