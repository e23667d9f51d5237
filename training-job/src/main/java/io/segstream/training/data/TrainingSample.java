package io.segstream.training.data;

import java.util.Objects;

/**
 * One image with its class ids (train ids of the run's label set, 255 = ignore), as training and validation use it.
 *
 * @param id       the Cityscapes frame id ({@code city_seq_frame}) or another name for messages and outputs
 * @param width    pixels per row
 * @param height   rows
 * @param rgb      interleaved 8-bit RGB, {@code 3 * width * height} bytes
 * @param classIds one class id a pixel, {@code width * height} bytes (read as unsigned)
 */
public record TrainingSample(String id, int width, int height, byte[] rgb, byte[] classIds) {
    public TrainingSample {
        Objects.requireNonNull(id, "id");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(id + ": image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != 3 * width * height || classIds.length != width * height) {
            throw new IllegalArgumentException(id + ": a " + width + "x" + height + " sample needs "
                    + 3 * width * height + " RGB bytes and " + width * height + " class ids, got " + rgb.length
                    + " and " + classIds.length);
        }
    }
}
