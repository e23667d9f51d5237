package io.segstream.edge.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The catch-up bound: a second's worth of bytes at most, one overdraft, refilled at the rate. */
class TokenBucketTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void aBacklogGoesOutAtTheRate() {
        TokenBucket bucket = new TokenBucket(1000, now::get);
        assertTrue(bucket.ready());
        bucket.take(1500);
        assertFalse(bucket.ready(), "one record may overdraw the budget, the next waits");
        assertEquals(501e6, bucket.nanosUntilReady(), 2, "500 bytes owed, then one more, at 1000 bytes/s");
        now.addAndGet(501_000_000L);
        assertTrue(bucket.ready());
        now.addAndGet(10_000_000_000L);
        bucket.take(1000);
        assertFalse(bucket.ready(), "an idle link saves up one second's worth, no more");
    }

    @Test
    void zeroMeansNoBound() {
        TokenBucket bucket = new TokenBucket(0, now::get);
        bucket.take(Long.MAX_VALUE / 2);
        assertTrue(bucket.ready());
        assertEquals(0, bucket.nanosUntilReady());
    }
}
