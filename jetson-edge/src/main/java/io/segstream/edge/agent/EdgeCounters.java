package io.segstream.edge.agent;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own counts per camera: frames segmented, frames that failed (bad image, model error), masks, alerts
 * raised and cleared, frames spooled, spool writes that failed, and wall-clock jumps. Thread-safe.
 */
public final class EdgeCounters {
    /** What is counted. */
    public enum Count {
        FRAMES_SEGMENTED, FRAMES_FAILED, MASKS, ALERTS_RAISED, ALERTS_CLEARED, FRAMES_SPOOLED, SPOOL_WRITE_FAILURES,
        CLOCK_JUMPS
    }

    private final Map<String, Map<Count, AtomicLong>> byCamera = new ConcurrentHashMap<>();

    void add(String camera, Count count) {
        byCamera.computeIfAbsent(camera, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(count, c -> new AtomicLong()).incrementAndGet();
    }

    /** The count of {@code camera}. */
    public long get(String camera, Count count) {
        Map<Count, AtomicLong> m = byCamera.get(camera);
        AtomicLong n = m == null ? null : m.get(count);
        return n == null ? 0 : n.get();
    }

    /** The count over every camera. */
    public long total(Count count) {
        long sum = 0;
        for (String camera : byCamera.keySet()) {
            sum += get(camera, count);
        }
        return sum;
    }

    /** The cameras seen, sorted, with their counts. */
    public Map<String, Map<Count, Long>> snapshot() {
        Map<String, Map<Count, Long>> out = new TreeMap<>();
        byCamera.forEach((camera, counts) -> {
            Map<Count, Long> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.get()));
            out.put(camera, m);
        });
        return out;
    }
}
