package io.segstream.training.data;

import java.util.List;

/** Samples already in memory (tests, generated data handed over directly). */
public final class InMemorySource implements SampleSource {
    private final List<TrainingSample> samples;

    public InMemorySource(List<TrainingSample> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("an in-memory sample source needs at least one sample");
        }
        this.samples = List.copyOf(samples);
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
    public TrainingSample load(int index) {
        return samples.get(index);
    }
}
