package io.segstream.edge.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent's store and forward: every record is written here before it is sent, and removed once Kafka has
 * acknowledged it, so that an uplink outage or an agent restart loses nothing while the spool has room.
 *
 * <pre>
 *   spool/alerts/00000000000000000000.seg ...   one log per kind, cut into segment files named by first index
 *   spool/alerts/delivered                      index of the first record not yet acknowledged by Kafka
 *   spool/masks/...  spool/frames/...
 * </pre>
 *
 * <p><b>Durability.</b> Records are framed with their length and a CRC32 ({@link RecordFraming}). Alerts are synced
 * to the disk as they are appended; masks and frames in batches, at the latest {@link SpoolOptions#maxSyncDelay}
 * after they were appended ({@link #maintain}). At start-up every segment is read and checked; a torn or damaged tail
 * (a power loss mid-write) is cut with a warning, never fatal, and counted in {@link SpoolDrops#corruptBytesCut}.
 * The delivered index is written to a temporary file and renamed over the old one; a crash between a delivery and that
 * write means those records are sent again, byte for byte the same.
 *
 * <p><b>Bound.</b> All segments together stay within {@link SpoolOptions#maxBytes}. Frames go first of all, masks are
 * thinned before any is dropped, alerts are never dropped:
 * <ol>
 *   <li>Past the high-water mark ({@link SpoolOptions#highWaterBytes}, 3/4 of the bound), a new mask first makes the
 *       oldest frame segments go until the spool is below the mark again.</li>
 *   <li>With no frames left and the spool still past the mark, masks are <em>thinned</em>: of each camera's new masks
 *       only every {@value #THIN_EVERY}nd is written (the first, the third, ...), the others are not spooled. Thinning
 *       keeps the newest masks of every camera at half the rate instead of a gap, and ends when the sender drains the
 *       spool below the mark.</li>
 *   <li>At the bound, the oldest frame segment goes, then the oldest mask segment (masks are dropped oldest first, a
 *       segment at a time); when only alerts are left, an alert is written beyond the bound and counted. A frame or
 *       mask that still finds no room is refused.</li>
 * </ol>
 * Every drop and every thinned mask is counted per kind and camera in {@link #drops()} and logged with its count and
 * reason (thinning once as it starts, every 10 s while it lasts, and once as it ends).
 *
 * <p><b>Reading.</b> The sender takes records of a kind in index order with {@link #next}, which hands each record out
 * once (records handed out and not acknowledged are the sender's to retry), and reports the first record not yet
 * delivered with {@link #delivered}. Thread-safe: cameras append while the sender reads.
 */
public final class DiskSpool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpool.class);
    static final String DELIVERED_FILE = "delivered";
    /** Refused and thinned records are summarised in the log at most this often. */
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Past the high-water mark, one mask in this many of each camera is written. */
    public static final int THIN_EVERY = 2;

    private final Path dir;
    private final SpoolOptions options;
    private final LongSupplier nanoClock;
    private final Map<RecordKind, KindLog> logs = new EnumMap<>(RecordKind.class);
    private final SpoolDrops drops = new SpoolDrops();
    private final Map<RecordKind, Long> refusedSinceLog = new EnumMap<>(RecordKind.class);
    private long lastRefusalLog = Long.MIN_VALUE;
    /** Per camera: masks that arrived past the high-water mark since thinning began; decides which are kept. */
    private final Map<String, Long> pastMark = new java.util.HashMap<>();
    private final Map<String, Long> thinnedSinceLog = new TreeMap<>();
    private boolean thinning;
    private long thinnedThisEpisode;
    private long lastThinLog = Long.MIN_VALUE;
    private long totalBytes;
    private long oldestUnsyncedNanos = -1;
    private boolean closed;

    private DiskSpool(Path dir, SpoolOptions options, LongSupplier nanoClock) {
        this.dir = dir;
        this.options = options;
        this.nanoClock = nanoClock;
    }

    /**
     * Opens the spool in {@code dir} (created when missing), recovering what an earlier run left.
     *
     * @throws IOException when the folder cannot be created, read or written
     */
    public static DiskSpool open(Path dir, SpoolOptions options) throws IOException {
        return open(dir, options, System::nanoTime);
    }

    /** As {@link #open(Path, SpoolOptions)}, with the monotonic clock that times batched syncs. */
    public static DiskSpool open(Path dir, SpoolOptions options, LongSupplier nanoClock) throws IOException {
        DiskSpool spool = new DiskSpool(dir, options, nanoClock);
        try {
            for (RecordKind kind : RecordKind.values()) {
                spool.logs.put(kind, spool.recover(kind));
            }
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        LOG.info("spool {}: {} of {} bytes in use; pending alerts {}, masks {}, frames {}", dir, spool.totalBytes,
                options.maxBytes(), spool.pending(RecordKind.ALERT), spool.pending(RecordKind.MASK),
                spool.pending(RecordKind.FRAME));
        return spool;
    }

    private KindLog recover(RecordKind kind) throws IOException {
        Path kindDir = dir.resolve(kind.folderName());
        Files.createDirectories(kindDir);
        KindLog log = new KindLog(kind, kindDir);
        log.delivered = readDelivered(kindDir.resolve(DELIVERED_FILE));
        log.persistedDelivered = log.delivered;
        List<Path> files;
        try (Stream<Path> s = Files.list(kindDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
        }
        long next = log.delivered;
        for (Path file : files) {
            String name = file.getFileName().toString();
            long first;
            try {
                first = Long.parseLong(name.substring(0, name.length() - Segment.SUFFIX.length()));
            } catch (NumberFormatException e) {
                LOG.warn("spool: {} is not a segment name; leaving that file alone", file);
                continue;
            }
            Segment s = Segment.recover(kind, file, first, drops);
            if (s.recordCount() == 0 || s.lastIndex() < log.delivered) {
                s.delete();
                continue;
            }
            log.segments.put(first, s);
            totalBytes += s.size();
            next = Math.max(next, s.lastIndex() + 1);
        }
        log.nextIndex = next;
        log.handed = log.delivered;
        return log;
    }

    private static long readDelivered(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            // the rename is atomic, so this is outside damage: resending everything is the safe side
            LOG.warn("spool: {} holds '{}', not an index; every spooled record is sent again", file, text);
            return 0;
        }
    }

    /**
     * Writes one record to the end of its kind's log, making room first when the spool is full.
     *
     * @param timestamp the Kafka record timestamp, or {@link SpoolRecord#NO_TIMESTAMP}
     * @return the record as spooled, or null when it was refused for lack of room (counted and logged)
     * @throws IOException when the disk write fails
     */
    public synchronized SpoolRecord append(RecordKind kind, String camera, long timestamp, byte[] key, byte[] value)
            throws IOException {
        requireOpen();
        KindLog log = logs.get(kind);
        SpoolRecord record = new SpoolRecord(kind, log.nextIndex, timestamp, camera, key, value);
        ByteBuffer framed = RecordFraming.encode(record);
        long needed = framed.remaining();
        if (kind == RecordKind.MASK && thinOut(camera, needed)) {
            return null;
        }
        if (!makeRoom(kind, needed)) {
            if (kind.droppable()) {
                refused(kind, camera);
                return null;
            }
            drops.alertOverBound();
            LOG.warn("spool full ({} of {} bytes) with nothing left to drop but alerts; alert {} of camera {} is kept "
                    + "beyond the bound ({} such alerts so far)", totalBytes, options.maxBytes(), record.index(),
                    camera, drops.alertsOverBound());
        }
        Segment active = log.active;
        if (active != null && active.size() + needed > options.segmentBytes() && active.size() > 0) {
            active.seal();
            active = null;
        }
        if (active == null) {
            active = Segment.create(kind, log.dir, record.index());
            syncDirectory(log.dir);
            log.segments.put(record.index(), active);
            log.active = active;
        }
        active.append(record, framed);
        log.nextIndex++;
        totalBytes += needed;
        if (kind == RecordKind.ALERT) {
            active.force();
        } else if (oldestUnsyncedNanos < 0) {
            oldestUnsyncedNanos = nanoClock.getAsLong();
        }
        return record;
    }

    /**
     * Past the high-water mark: frames give way first; with none left, whether this camera's new mask is one of those
     * thinned out (counted and logged). Below the mark, ends a thinning episode.
     */
    private boolean thinOut(String camera, long needed) throws IOException {
        long mark = options.highWaterBytes();
        KindLog frames = logs.get(RecordKind.FRAME);
        while (totalBytes + needed > mark && !frames.segments.isEmpty()) {
            dropOldest(frames, RecordKind.MASK);
        }
        if (totalBytes + needed <= mark) {
            endThinning();
            return false;
        }
        if (!thinning) {
            thinning = true;
            thinnedThisEpisode = 0;
            lastThinLog = nanoClock.getAsLong();
            LOG.warn("spool past its high-water mark ({} of {} bytes, mark {}) with no frames left: of each camera's "
                    + "new masks only every {}nd is written until the uplink drains it below the mark; masks thinned "
                    + "so far {}", totalBytes, options.maxBytes(), mark, THIN_EVERY, drops.thinned());
        }
        long n = pastMark.merge(camera, 1L, Long::sum) - 1;
        if (n % THIN_EVERY == 0) {
            return false;
        }
        drops.thinned(camera, 1);
        thinnedThisEpisode++;
        thinnedSinceLog.merge(camera, 1L, Long::sum);
        long now = nanoClock.getAsLong();
        if (now - lastThinLog >= REFUSAL_LOG_INTERVAL_NANOS) {
            LOG.warn("spool past its high-water mark ({} of {} bytes): thinned {} mask(s) since the last such line (by "
                    + "camera {}); thinned so far {}", totalBytes, options.maxBytes(), sum(thinnedSinceLog),
                    thinnedSinceLog, drops.thinned());
            thinnedSinceLog.clear();
            lastThinLog = now;
        }
        return true;
    }

    private void endThinning() {
        if (thinning) {
            thinning = false;
            LOG.info("spool below its high-water mark again ({} of {} bytes): every mask is written again; {} mask(s) "
                    + "thinned in this episode (by camera, since the last line: {}), {} so far", totalBytes,
                    options.maxBytes(), thinnedThisEpisode, thinnedSinceLog, drops.thinned());
            thinnedSinceLog.clear();
            pastMark.clear();
        }
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether new masks are being thinned now (the spool is past its high-water mark with no frames left). */
    public synchronized boolean thinning() {
        return thinning;
    }

    /** Drops whole segments, frames first, then masks (never for a frame), until {@code needed} bytes fit. */
    private boolean makeRoom(RecordKind incoming, long needed) throws IOException {
        while (totalBytes + needed > options.maxBytes()) {
            KindLog victim = logs.get(RecordKind.FRAME).segments.isEmpty() ? null : logs.get(RecordKind.FRAME);
            if (victim == null && incoming != RecordKind.FRAME && !logs.get(RecordKind.MASK).segments.isEmpty()) {
                victim = logs.get(RecordKind.MASK);
            }
            if (victim == null) {
                return false;
            }
            dropOldest(victim, incoming);
        }
        return true;
    }

    private void dropOldest(KindLog log, RecordKind incoming) throws IOException {
        Segment oldest = log.segments.firstEntry().getValue();
        // records handed to the sender and not yet acknowledged are its to finish; only the rest are lost
        long from = Math.max(log.delivered, log.handed);
        Map<String, Long> lost = oldest.countByCamera(from);
        long count = lost.values().stream().mapToLong(Long::longValue).sum();
        removeSegment(log, oldest);
        log.handed = Math.max(log.handed, oldest.lastIndex() + 1);
        lost.forEach((camera, n) -> drops.dropped(log.kind, camera, n));
        LOG.warn("spool full ({} of {} bytes): dropped {} {} record(s), oldest first, to make room for a new {} "
                + "(by camera {}; dropped {}s so far: {})", totalBytes, options.maxBytes(), count, log.kind.label(),
                incoming.label(), new TreeMap<>(lost), log.kind.label(), drops.dropped(log.kind));
    }

    private void refused(RecordKind kind, String camera) {
        drops.dropped(kind, camera, 1);
        refusedSinceLog.merge(kind, 1L, Long::sum);
        long now = nanoClock.getAsLong();
        if (lastRefusalLog == Long.MIN_VALUE || now - lastRefusalLog >= REFUSAL_LOG_INTERVAL_NANOS) {
            LOG.warn("spool full ({} of {} bytes) and nothing of lower priority left to drop: refused new records {} "
                    + "(by kind, since the last such line); dropped so far: frames {}, masks {}", totalBytes,
                    options.maxBytes(), refusedSummary(), drops.dropped(RecordKind.FRAME),
                    drops.dropped(RecordKind.MASK));
            refusedSinceLog.clear();
            lastRefusalLog = now;
        }
    }

    private String refusedSummary() {
        StringBuilder sb = new StringBuilder();
        refusedSinceLog.forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(k.label()).append('=')
                .append(n));
        return sb.toString();
    }

    /**
     * Up to {@code maxRecords} records of {@code kind} not handed out before, in index order; fewer, or none, when no
     * more are spooled.
     */
    public synchronized List<SpoolRecord> next(RecordKind kind, int maxRecords) {
        requireOpen();
        KindLog log = logs.get(kind);
        List<SpoolRecord> out = new ArrayList<>();
        while (out.size() < maxRecords) {
            SpoolRecord r = log.nextRecord();
            if (r == null) {
                break;
            }
            out.add(r);
        }
        return out;
    }

    /** Whether {@code kind} holds records not handed out yet. */
    public synchronized boolean hasNext(RecordKind kind) {
        KindLog log = logs.get(kind);
        return log.handed < log.nextIndex;
    }

    /** Index of the next record of {@code kind} to be handed out. */
    public synchronized long handedUpTo(RecordKind kind) {
        return logs.get(kind).handed;
    }

    /**
     * Records that every record of {@code kind} below {@code firstUndelivered} is delivered (or was dropped); their
     * segments are removed by the next {@link #maintain}.
     */
    public synchronized void delivered(RecordKind kind, long firstUndelivered) {
        KindLog log = logs.get(kind);
        log.delivered = Math.max(log.delivered, Math.min(firstUndelivered, log.nextIndex));
    }

    /**
     * Housekeeping, called every few hundred ms: syncs masks and frames appended longer than the sync delay ago,
     * writes the delivered indices and removes delivered segments.
     */
    public synchronized void maintain() throws IOException {
        if (closed) {
            return;
        }
        if (oldestUnsyncedNanos >= 0
                && nanoClock.getAsLong() - oldestUnsyncedNanos >= options.maxSyncDelay().toNanos()) {
            sync();
        }
        for (KindLog log : logs.values()) {
            if (log.delivered != log.persistedDelivered) {
                writeDelivered(log);
            }
            while (!log.segments.isEmpty()) {
                Segment oldest = log.segments.firstEntry().getValue();
                if (oldest.lastIndex() >= log.delivered || oldest.recordCount() == 0) {
                    break;
                }
                removeSegment(log, oldest);
            }
        }
        if (thinning && totalBytes <= options.highWaterBytes()) {
            endThinning();
        }
    }

    /** Forces every appended record to the disk. */
    public synchronized void sync() throws IOException {
        for (KindLog log : logs.values()) {
            if (log.active != null) {
                log.active.force();
            }
        }
        oldestUnsyncedNanos = -1;
    }

    private void writeDelivered(KindLog log) throws IOException {
        // delivered records are sent again if this index is lost, so the index reaches the disk only after the
        // segments it covers do not matter any more: write, sync, rename
        Path tmp = log.dir.resolve(DELIVERED_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(Long.toString(log.delivered).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, log.dir.resolve(DELIVERED_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        log.persistedDelivered = log.delivered;
    }

    private void removeSegment(KindLog log, Segment s) throws IOException {
        log.segments.remove(s.firstIndex());
        if (log.active == s) {
            log.active = null;
        }
        totalBytes -= s.size();
        s.delete();
    }

    private static void syncDirectory(Path dir) {
        // a new segment file survives a power loss only once its directory entry is on the disk
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot sync directory {}: {}", dir, e.toString());
        }
    }

    /** Bytes of all segment files. */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** Records of {@code kind} not yet delivered. */
    public synchronized long pending(RecordKind kind) {
        KindLog log = logs.get(kind);
        long n = 0;
        for (Segment s : log.segments.values()) {
            n += Math.max(0, s.lastIndex() - Math.max(s.firstIndex(), log.delivered) + 1);
        }
        return n;
    }

    /** Records not yet delivered, all kinds together. */
    public synchronized long pending() {
        long n = 0;
        for (RecordKind k : RecordKind.values()) {
            n += pending(k);
        }
        return n;
    }

    /**
     * Timestamp (epoch ms) of the oldest record not yet delivered, to the precision of a segment; -1 when none is
     * pending or it has no timestamp.
     */
    public synchronized long oldestPendingTimestamp() {
        long oldest = -1;
        for (KindLog log : logs.values()) {
            for (Segment s : log.segments.values()) {
                if (s.lastIndex() >= log.delivered && s.firstTimestamp() > 0) {
                    oldest = oldest < 0 ? s.firstTimestamp() : Math.min(oldest, s.firstTimestamp());
                    break;
                }
            }
        }
        return oldest;
    }

    /** The drop counters. */
    public SpoolDrops drops() {
        return drops;
    }

    public SpoolOptions options() {
        return options;
    }

    public Path dir() {
        return dir;
    }

    /** Syncs, writes the delivered indices and closes every file. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            if (logs.size() == RecordKind.values().length) {
                maintain();
                sync();
            }
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        for (KindLog log : logs.values()) {
            for (Segment s : log.segments.values()) {
                try {
                    s.close();
                } catch (IOException e) {
                    failure = failure == null ? e : failure;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the spool in " + dir + " is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return String.format(Locale.ROOT, "spool %s: %d/%d bytes, pending alerts %d, masks %d, frames %d", dir,
                totalBytes, options.maxBytes(), pending(RecordKind.ALERT), pending(RecordKind.MASK),
                pending(RecordKind.FRAME));
    }

    /** One kind's segments, the next index to append, and where the sender stands. */
    private static final class KindLog {
        final RecordKind kind;
        final Path dir;
        final TreeMap<Long, Segment> segments = new TreeMap<>();
        Segment active;
        long nextIndex;
        /** First record not yet acknowledged by Kafka. */
        long delivered;
        long persistedDelivered;
        /** Next record to hand to the sender. */
        long handed;
        /** Where the reader stands: a segment and a byte position in it. */
        Segment readSegment;
        long readPosition;

        KindLog(RecordKind kind, Path dir) {
            this.kind = kind;
            this.dir = dir;
        }

        SpoolRecord nextRecord() {
            while (true) {
                if (readSegment == null || readSegment.deleted()) {
                    readSegment = null;
                    for (Segment s : segments.values()) {
                        if (s.lastIndex() >= handed) {
                            readSegment = s;
                            break;
                        }
                    }
                    readPosition = 0;
                    if (readSegment == null) {
                        return null;
                    }
                }
                if (readPosition >= readSegment.size()) {
                    if (readSegment.writable()) {
                        return null;
                    }
                    Map.Entry<Long, Segment> after = segments.higherEntry(readSegment.firstIndex());
                    if (after == null) {
                        return null;
                    }
                    readSegment = after.getValue();
                    readPosition = 0;
                    continue;
                }
                Segment.Read r = readSegment.read(readPosition);
                if (r.record() == null) {
                    // written by this process and read back damaged: the disk itself fails; skip the rest of it
                    LOG.error("spool segment {}: {} at byte {} while sending; skipping the rest of that segment",
                            readSegment, r.damage(), readPosition);
                    readPosition = readSegment.size();
                    handed = Math.max(handed, readSegment.lastIndex() + 1);
                    continue;
                }
                readPosition = r.next();
                if (r.record().index() < handed) {
                    continue;
                }
                handed = r.record().index() + 1;
                return r.record();
            }
        }
    }
}
