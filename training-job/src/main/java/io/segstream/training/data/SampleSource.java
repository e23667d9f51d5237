package io.segstream.training.data;

import java.io.IOException;

/** An indexed collection of training samples; loading may read and decode files, so it may fail with context. */
public interface SampleSource {

    /** Number of samples. */
    int size();

    /** Name of sample {@code index} (its Cityscapes frame id), without loading it. */
    String id(int index);

    /** Loads sample {@code index}; the exception names the file. */
    TrainingSample load(int index) throws IOException;
}
