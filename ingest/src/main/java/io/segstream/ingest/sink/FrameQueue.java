package io.segstream.ingest.sink;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over between a camera's grab thread and its send thread, with an {@link OverflowPolicy}.
 *
 * <p>The bound keeps the memory a camera holds in flight to {@code capacity} frames however slow Kafka is.
 *
 * @param <T> the queued item
 */
public final class FrameQueue<T> {
    private final int capacity;
    private final OverflowPolicy policy;
    private final ArrayDeque<T> items;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private boolean closed;

    public FrameQueue(int capacity, OverflowPolicy policy) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a frame queue needs room for at least one frame, got " + capacity);
        }
        this.capacity = capacity;
        this.policy = policy;
        this.items = new ArrayDeque<>(capacity);
    }

    /**
     * Adds an item; under {@link OverflowPolicy#DROP_OLDEST} a full queue drops its oldest item, under
     * {@link OverflowPolicy#BLOCK} this waits for room.
     *
     * @return how many items were dropped to make room (0 or 1); 0 also when the queue is closed and the item refused
     */
    public int put(T item) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            int dropped = 0;
            while (!closed && items.size() >= capacity) {
                if (policy == OverflowPolicy.DROP_OLDEST) {
                    items.pollFirst();
                    dropped++;
                } else {
                    notFull.await();
                }
            }
            if (closed) {
                return 0;
            }
            items.addLast(item);
            notEmpty.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest item, waiting up to the timeout; null on timeout or when the queue is closed and empty. */
    public T poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (items.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            T item = items.pollFirst();
            notFull.signal();
            return item;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further items; queued items can still be polled. Wakes every waiting thread. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close} was called and every item has been taken. */
    public boolean isDrained() {
        lock.lock();
        try {
            return closed && items.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }
}
