package io.segstream.inference.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects items into micro-batches of up to {@code maxSize} items or {@code maxWaitMs} of waiting, whichever
 * comes first. Pure bookkeeping: the operator asks it when to flush and drains it.
 *
 * @param <T> the buffered item
 */
public final class FrameBatcher<T> {
    private final int maxSize;
    private final long maxWaitMs;
    private final List<T> items = new ArrayList<>();
    private long firstAddedAt = -1;

    public FrameBatcher(int maxSize, long maxWaitMs) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + maxSize);
        }
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("batch wait must be >= 0 ms, got " + maxWaitMs);
        }
        this.maxSize = maxSize;
        this.maxWaitMs = maxWaitMs;
    }

    /** Adds an item; returns true when the batch is full and should be flushed now. */
    public boolean add(T item, long nowMs) {
        if (items.isEmpty()) {
            firstAddedAt = nowMs;
        }
        items.add(item);
        return items.size() >= maxSize;
    }

    /** When the current batch must be flushed at the latest; -1 when empty. */
    public long deadline() {
        return items.isEmpty() ? -1 : firstAddedAt + maxWaitMs;
    }

    /** Whether a batch waiting since its first item is due at {@code nowMs}. */
    public boolean due(long nowMs) {
        return !items.isEmpty() && nowMs >= deadline();
    }

    /** Takes the buffered items out, oldest first. */
    public List<T> drain() {
        List<T> out = new ArrayList<>(items);
        items.clear();
        firstAddedAt = -1;
        return out;
    }

    public int size() {
        return items.size();
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }
}
