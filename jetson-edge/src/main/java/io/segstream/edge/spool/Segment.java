package io.segstream.edge.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file of a kind's log: records with consecutive indices from {@link #firstIndex()}, named after that
 * index. Only the newest segment of a kind is written to; the others are read and, once delivered or dropped,
 * deleted whole. Not thread-safe: {@link DiskSpool} guards it.
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    static final String SUFFIX = ".seg";

    private final RecordKind kind;
    private final Path path;
    private final long firstIndex;
    private long lastIndex;
    private long size;
    private long firstTimestamp = SpoolRecord.NO_TIMESTAMP;
    private FileChannel channel;
    private boolean writable;
    private boolean dirty;
    private boolean deleted;

    private Segment(RecordKind kind, Path path, long firstIndex, FileChannel channel, boolean writable) {
        this.kind = kind;
        this.path = path;
        this.firstIndex = firstIndex;
        this.lastIndex = firstIndex - 1;
        this.channel = channel;
        this.writable = writable;
    }

    /** The file name of the segment starting at {@code firstIndex}: fixed width, so names sort like indices. */
    static String fileName(long firstIndex) {
        return String.format("%020d%s", firstIndex, SUFFIX);
    }

    /** A new, empty segment for appending. */
    static Segment create(RecordKind kind, Path dir, long firstIndex) throws IOException {
        Path path = dir.resolve(fileName(firstIndex));
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new Segment(kind, path, firstIndex, ch, true);
    }

    /**
     * Opens a segment left by an earlier run, checks every record and cuts the file at the first one that is torn or
     * damaged (a power loss mid-write), with a warning. Never fails on damaged content.
     *
     * @return the segment, read-only; its {@link #recordCount()} is 0 when nothing in it was usable
     */
    static Segment recover(RecordKind kind, Path path, long firstIndex, SpoolDrops drops) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment s = new Segment(kind, path, firstIndex, ch, false);
        long length = ch.size();
        long pos = 0;
        String damage = null;
        while (pos < length) {
            Read r = s.readAt(pos, length);
            if (r.record == null) {
                damage = r.damage;
                break;
            }
            if (r.record.index() != s.lastIndex + 1) {
                damage = "record index " + r.record.index() + " where " + (s.lastIndex + 1) + " was expected";
                break;
            }
            if (s.lastIndex < firstIndex) {
                s.firstTimestamp = r.record.timestamp();
            }
            s.lastIndex = r.record.index();
            pos = r.next;
        }
        if (damage != null) {
            long cut = length - pos;
            LOG.warn("spool segment {}: {} at byte {}; cutting the {} bytes from there on (a write cut short by a crash"
                    + " or power loss); the {} records before it are kept", path, damage, pos, cut, s.recordCount());
            drops.corruptCut(kind, cut);
            ch.truncate(pos);
            ch.force(true);
        }
        s.size = pos;
        return s;
    }

    RecordKind kind() {
        return kind;
    }

    Path path() {
        return path;
    }

    long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record; {@code firstIndex - 1} while empty. */
    long lastIndex() {
        return lastIndex;
    }

    long recordCount() {
        return lastIndex - firstIndex + 1;
    }

    /** Bytes of records in the file. */
    long size() {
        return size;
    }

    /** Timestamp of the first record, {@link SpoolRecord#NO_TIMESTAMP} when it has none or the segment is empty. */
    long firstTimestamp() {
        return firstTimestamp;
    }

    boolean writable() {
        return writable;
    }

    boolean deleted() {
        return deleted;
    }

    /** Appends one framed record; it reaches the disk at the next {@link #force()}. */
    void append(SpoolRecord r, ByteBuffer framed) throws IOException {
        if (!writable) {
            throw new IllegalStateException("segment " + path + " is sealed");
        }
        if (r.index() != lastIndex + 1) {
            throw new IllegalArgumentException("segment " + path + " expects index " + (lastIndex + 1) + ", got "
                    + r.index());
        }
        int n = framed.remaining();
        while (framed.hasRemaining()) {
            channel.write(framed, size + (n - framed.remaining()));
        }
        if (lastIndex < firstIndex) {
            firstTimestamp = r.timestamp();
        }
        size += n;
        lastIndex = r.index();
        dirty = true;
    }

    /** Writes appended records through to the disk; a no-op when nothing changed since the last call. */
    void force() throws IOException {
        if (dirty && channel != null) {
            channel.force(false);
            dirty = false;
        }
    }

    /** Ends appending: the file is complete from now on. */
    void seal() throws IOException {
        force();
        writable = false;
    }

    /** The record at byte {@code position}, or null at the end of what was written. */
    Read read(long position) {
        try {
            return readAt(position, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool segment " + path + " at byte " + position, e);
        }
    }

    /** Cameras and counts of the records from index {@code from} on. */
    Map<String, Long> countByCamera(long from) {
        Map<String, Long> counts = new HashMap<>();
        long pos = 0;
        while (pos < size) {
            Read r = read(pos);
            if (r.record == null) {
                break;
            }
            if (r.record.index() >= from) {
                counts.merge(r.record.camera(), 1L, Long::sum);
            }
            pos = r.next;
        }
        return counts;
    }

    /** Closes and removes the file. */
    void delete() throws IOException {
        deleted = true;
        writable = false;
        close();
        Files.deleteIfExists(path);
    }

    void close() throws IOException {
        if (channel != null) {
            try {
                force();
            } finally {
                channel.close();
                channel = null;
            }
        }
    }

    private Read readAt(long pos, long end) throws IOException {
        if (end - pos < RecordFraming.HEADER_BYTES) {
            return Read.damaged("a record header cut short (" + (end - pos) + " of " + RecordFraming.HEADER_BYTES
                    + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate(RecordFraming.HEADER_BYTES);
        readFully(header, pos);
        int length = RecordFraming.payloadLength(header);
        if (length < 0) {
            return Read.damaged("an impossible record length " + header.getInt(0));
        }
        long payloadStart = pos + RecordFraming.HEADER_BYTES;
        if (end - payloadStart < length) {
            return Read.damaged("a record of " + length + " bytes with only " + (end - payloadStart)
                    + " bytes left in the file");
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(payload, payloadStart);
        SpoolRecord record = RecordFraming.decode(kind, header, payload);
        if (record == null) {
            return Read.damaged("a record whose CRC32 does not match its bytes");
        }
        return new Read(record, payloadStart + length, null);
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("spool segment " + path + " ended early at byte " + (pos + buf.position()));
            }
        }
        buf.flip();
    }

    /** A record read and the position after it, or why none could be read. */
    record Read(SpoolRecord record, long next, String damage) {
        static Read damaged(String why) {
            return new Read(null, -1, why);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
