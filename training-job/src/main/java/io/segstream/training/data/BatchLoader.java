package io.segstream.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Loads, augments and encodes the batches of one epoch on background threads, a few batches ahead of training.
 *
 * <p>Deterministic: the epoch's sample order is a shuffle seeded by (seed, epoch), and each sample's augmentation
 * draws from a {@link Random} seeded by (seed, epoch, position), whatever thread runs it. Starting at a batch other
 * than the first (resuming) therefore produces exactly the batches a straight run would.
 *
 * <pre>{@code
 * try (BatchLoader loader = new BatchLoader(source, augmenter, encoder, 4, 2, 3, seed)) {
 *     for (BatchLoader.Batch b : loader.epoch(epoch, 0)) { ... }
 * }
 * }</pre>
 */
public final class BatchLoader implements AutoCloseable {
    private final SampleSource source;
    private final Augmenter augmenter;
    private final BatchEncoder encoder;
    private final int batchSize;
    private final int prefetch;
    private final long seed;
    private final ExecutorService pool;

    /** One encoded batch and the ids of its samples. */
    public record Batch(int index, List<String> ids, MultiDataSet data) {
    }

    public BatchLoader(SampleSource source, Augmenter augmenter, BatchEncoder encoder, int batchSize, int threads,
            int prefetch, long seed) {
        if (batchSize < 1 || threads < 1 || prefetch < 1) {
            throw new IllegalArgumentException("batch size, loader threads and prefetch must be >= 1");
        }
        if (source.size() < batchSize) {
            throw new IllegalArgumentException("the training set has " + source.size() + " samples, fewer than one"
                    + " batch of " + batchSize + "; lower -b/--batch");
        }
        this.source = source;
        this.augmenter = augmenter;
        this.encoder = encoder;
        this.batchSize = batchSize;
        this.prefetch = prefetch;
        this.seed = seed;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "segstream-batch-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /** Full batches per epoch (a last partial batch is dropped so that every step sees the same batch size). */
    public int batchesPerEpoch() {
        return source.size() / batchSize;
    }

    /** The sample order of {@code epoch}. */
    public int[] order(int epoch) {
        int[] order = new int[source.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random r = new Random(mix(seed, epoch, -1));
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The batches of {@code epoch} from batch {@code firstBatch} on, loaded ahead in the background. */
    public Iterable<Batch> epoch(int epoch, int firstBatch) {
        int[] order = order(epoch);
        int count = batchesPerEpoch();
        return () -> new java.util.Iterator<>() {
            private final Deque<Future<Batch>> ahead = new ArrayDeque<>();
            private int nextToSubmit = firstBatch;

            private void fill() {
                while (ahead.size() < prefetch && nextToSubmit < count) {
                    int b = nextToSubmit++;
                    ahead.add(pool.submit(() -> load(epoch, order, b)));
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return !ahead.isEmpty();
            }

            @Override
            public Batch next() {
                fill();
                Future<Batch> f = ahead.poll();
                if (f == null) {
                    throw new java.util.NoSuchElementException("epoch " + epoch + " has no more batches");
                }
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading a batch", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof UncheckedIOException u) {
                        throw u;
                    }
                    throw new IllegalStateException("loading a batch of epoch " + epoch + " failed: " + c.getMessage(), c);
                }
            }
        };
    }

    private Batch load(int epoch, int[] order, int batch) {
        List<TrainingSample> samples = new ArrayList<>(batchSize);
        List<String> ids = new ArrayList<>(batchSize);
        for (int k = 0; k < batchSize; k++) {
            int position = batch * batchSize + k;
            int index = order[position];
            TrainingSample s;
            try {
                s = source.load(index);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load training sample " + source.id(index) + ": "
                        + e.getMessage(), e);
            }
            samples.add(augmenter.apply(s, new Random(mix(seed, epoch, position))));
            ids.add(s.id());
        }
        return new Batch(batch, ids, encoder.encode(samples));
    }

    static long mix(long seed, long epoch, long position) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + position * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        return h * 0xBF58476D1CE4E5B9L;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
