package io.segstream.ingest.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameQueueTest {

    @Test
    void liveQueueDropsTheOldestAndCountsIt() throws Exception {
        FrameQueue<Integer> q = new FrameQueue<>(3, OverflowPolicy.DROP_OLDEST);
        int dropped = 0;
        for (int i = 0; i < 5; i++) {
            dropped += q.put(i);
        }
        assertEquals(2, dropped);
        assertEquals(2, q.poll(0, TimeUnit.MILLISECONDS), "frames 0 and 1 were dropped; the freshest stay");
        assertEquals(3, q.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(4, q.poll(0, TimeUnit.MILLISECONDS));
        assertNull(q.poll(10, TimeUnit.MILLISECONDS));
    }

    @Test
    void replayQueueBlocksUntilThereIsRoom() throws Exception {
        FrameQueue<Integer> q = new FrameQueue<>(2, OverflowPolicy.BLOCK);
        q.put(0);
        q.put(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger droppedByProducer = new AtomicInteger(-1);
        Thread producer = new Thread(() -> {
            started.countDown();
            try {
                droppedByProducer.set(q.put(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        started.await();
        awaitParked(producer);
        assertTrue(producer.isAlive(), "the third put waits while the queue is full");
        assertEquals(-1, droppedByProducer.get(), "the third put has not returned");
        assertEquals(0, q.poll(1, TimeUnit.SECONDS));
        producer.join(5000);
        assertEquals(0, droppedByProducer.get(), "nothing dropped");
        assertEquals(1, q.poll(1, TimeUnit.SECONDS));
        assertEquals(2, q.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void closingWakesBlockedProducersAndDrains() throws Exception {
        FrameQueue<Integer> q = new FrameQueue<>(1, OverflowPolicy.BLOCK);
        q.put(7);
        Thread producer = new Thread(() -> {
            try {
                q.put(8);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        producer.start();
        awaitParked(producer);
        q.close();
        producer.join(5000);
        assertTrue(!producer.isAlive(), "close released the waiting put");
        assertTrue(!q.isDrained());
        assertEquals(7, q.poll(0, TimeUnit.MILLISECONDS));
        assertNull(q.poll(0, TimeUnit.MILLISECONDS));
        assertTrue(q.isDrained());
        assertEquals(0, q.put(9), "refused after close");
    }

    /**
     * Waits until {@code t} is parked (WAITING or TIMED_WAITING), which proves a put blocks instead of relying on
     * a sleep being long enough; fails after 5 s.
     */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                fail("the producer never blocked; its state is " + t.getState());
            }
            Thread.sleep(1);
        }
    }
}
