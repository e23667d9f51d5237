package io.segstream.training.run;

/**
 * One row of a run's metrics: written after every validation (at least once an epoch).
 *
 * @param epoch            1-based epoch the row ends or falls in
 * @param iteration        optimiser steps done so far
 * @param trainLoss        mean training loss since the previous row
 * @param learningRate     learning rate of the last step
 * @param valLoss          mean validation loss
 * @param valMeanIoU       Cityscapes class mIoU on the validation frames
 * @param valPixelAccuracy share of correctly labelled validation pixels
 * @param imagesPerSecond  training throughput since the previous row
 * @param seconds          wall-clock seconds since the run started
 */
public record EpochMetrics(int epoch, long iteration, double trainLoss, double learningRate, double valLoss,
        double valMeanIoU, double valPixelAccuracy, double imagesPerSecond, double seconds) {

    /** CSV header matching {@link #csv()}. */
    public static final String CSV_HEADER =
            "epoch,iteration,train_loss,learning_rate,val_loss,val_miou,val_pixel_accuracy,images_per_second,seconds";

    /** This row as CSV. */
    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%d,%.6f,%.6g,%.6f,%.6f,%.6f,%.3f,%.1f", epoch, iteration,
                trainLoss, learningRate, valLoss, valMeanIoU, valPixelAccuracy, imagesPerSecond, seconds);
    }
}
