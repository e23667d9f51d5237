package io.segstream.training.data;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@link SampleSource} that keeps the samples it decoded, up to a byte budget, so that the second and later epochs
 * read them from memory instead of decoding the files again: for frames on slow storage. (Decoding a 1024x512 PNG
 * frame and its labels takes 25–55 ms of CPU here, but on local disk the loader threads did not hold training back.)
 *
 * <p>The first samples loaded fill the budget; a sample that does not fit is decoded every time it is asked for, and
 * counted ({@link #uncached()}). Samples are shared, never copied: their arrays must not be written (the augmenter
 * and the encoder only read them). Thread-safe; the loader threads ask for different indices.
 *
 * <pre>{@code
 * CachedSource train = new CachedSource(CityscapesSource.open(data, "train", set, false), 2L << 30);
 * }</pre>
 */
public final class CachedSource implements SampleSource {
    private final SampleSource source;
    private final long budgetBytes;
    private final AtomicReferenceArray<TrainingSample> samples;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger cached = new AtomicInteger();
    private final AtomicInteger uncached = new AtomicInteger();

    /**
     * @param source      the samples
     * @param budgetBytes the most bytes of pixels and class ids kept (0 keeps none)
     */
    public CachedSource(SampleSource source, long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("the sample cache budget must be >= 0 bytes, got " + budgetBytes);
        }
        this.source = source;
        this.budgetBytes = budgetBytes;
        this.samples = new AtomicReferenceArray<>(source.size());
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public String id(int index) {
        return source.id(index);
    }

    @Override
    public TrainingSample load(int index) throws IOException {
        TrainingSample s = samples.get(index);
        if (s != null) {
            return s;
        }
        s = source.load(index);
        long size = (long) s.rgb().length + s.classIds().length;
        if (bytes.addAndGet(size) <= budgetBytes && samples.compareAndSet(index, null, s)) {
            cached.incrementAndGet();
        } else {
            bytes.addAndGet(-size);
            if (samples.get(index) == null) {
                uncached.incrementAndGet();
            }
        }
        return s;
    }

    /** Samples held in memory. */
    public int cached() {
        return cached.get();
    }

    /** Loads of samples that did not fit the budget (each decoded again next time). */
    public int uncached() {
        return uncached.get();
    }

    /** Bytes of pixels and class ids held. */
    public long bytes() {
        return bytes.get();
    }

    /** The budget in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }
}
