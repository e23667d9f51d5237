package io.segstream.edge.spool;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the spool gave up, counted per kind and camera: records dropped to make room (oldest first) or refused because
 * nothing droppable was left, masks thinned out past the high-water mark (not written at all), bytes cut from damaged
 * segment tails, and alerts written beyond the byte bound (alerts are never dropped, so the bound yields to them).
 * Thread-safe; read by metrics and the health line.
 */
public final class SpoolDrops {
    private final Map<RecordKind, Map<String, AtomicLong>> dropped = new EnumMap<>(RecordKind.class);
    private final Map<RecordKind, AtomicLong> corruptBytes = new EnumMap<>(RecordKind.class);
    private final AtomicLong alertsOverBound = new AtomicLong();
    private final Map<String, AtomicLong> thinned = new ConcurrentHashMap<>();

    SpoolDrops() {
        for (RecordKind k : RecordKind.values()) {
            dropped.put(k, new ConcurrentHashMap<>());
            corruptBytes.put(k, new AtomicLong());
        }
    }

    void dropped(RecordKind kind, String camera, long count) {
        if (count > 0) {
            dropped.get(kind).computeIfAbsent(camera, c -> new AtomicLong()).addAndGet(count);
        }
    }

    void thinned(String camera, long count) {
        thinned.computeIfAbsent(camera, c -> new AtomicLong()).addAndGet(count);
    }

    /** Masks thinned out so far (not written because the spool was past its high-water mark), all cameras together. */
    public long thinned() {
        return thinned.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Masks thinned out so far by camera, sorted by camera id. */
    public Map<String, Long> thinnedByCamera() {
        Map<String, Long> out = new TreeMap<>();
        thinned.forEach((camera, n) -> out.put(camera, n.get()));
        return out;
    }

    void corruptCut(RecordKind kind, long bytes) {
        corruptBytes.get(kind).addAndGet(bytes);
    }

    void alertOverBound() {
        alertsOverBound.incrementAndGet();
    }

    /** Records of {@code kind} dropped so far, all cameras together. */
    public long dropped(RecordKind kind) {
        return dropped.get(kind).values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Records of {@code kind} dropped so far by camera, sorted by camera id. */
    public Map<String, Long> droppedByCamera(RecordKind kind) {
        Map<String, Long> out = new TreeMap<>();
        dropped.get(kind).forEach((camera, n) -> out.put(camera, n.get()));
        return out;
    }

    /** Bytes of {@code kind}'s segments cut at start-up because they were torn or damaged. */
    public long corruptBytesCut(RecordKind kind) {
        return corruptBytes.get(kind).get();
    }

    /** Alerts written while the spool was at its bound with nothing droppable left. */
    public long alertsOverBound() {
        return alertsOverBound.get();
    }
}
