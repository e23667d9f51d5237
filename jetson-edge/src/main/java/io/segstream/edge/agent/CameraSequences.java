package io.segstream.edge.agent;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frame numbers (seq) and the last trusted capture time per camera across agent restarts.
 *
 * <p>Alert ids are derived from (camera, seq, rule), so a restarted agent must never number frames from 0 again: its
 * alerts would then carry ids of different alerts sent before. Ingest numbers each camera's frames from 0 in every
 * process; the agent shifts them by a base reserved here. Bases are reserved in blocks of {@link #BLOCK} and written to
 * {@code cameras.properties} before a frame of the block is used (a restart skips the rest of the block, which the alert
 * engine treats as frames without a detection). The file also keeps each camera's last trusted capture time, the floor
 * for {@link CaptureClock} after a reboot at 1970. Thread-safe.
 */
public final class CameraSequences {
    private static final Logger LOG = LoggerFactory.getLogger(CameraSequences.class);
    static final String FILE = "cameras.properties";
    /** Frames per reservation: one file write per block and camera. */
    static final long BLOCK = 1000;

    private final Path file;
    /** Per camera: the first seq of this run, before the shift. */
    private final Map<String, Long> base = new HashMap<>();
    /** Per camera: seqs below this are reserved on disk. */
    private final Map<String, Long> reserved = new HashMap<>();
    private final Map<String, Long> lastTime = new HashMap<>();

    private CameraSequences(Path file) {
        this.file = file;
    }

    /** Reads the reservations of earlier runs from {@code dir} (none when the file is missing). */
    public static CameraSequences open(Path dir) throws IOException {
        CameraSequences s = new CameraSequences(dir.resolve(FILE));
        if (Files.exists(s.file)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(s.file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String key : p.stringPropertyNames()) {
                try {
                    long v = Long.parseLong(p.getProperty(key).strip());
                    if (key.endsWith(".seq")) {
                        String camera = key.substring(0, key.length() - 4);
                        s.base.put(camera, v);
                        s.reserved.put(camera, v);
                    } else if (key.endsWith(".time")) {
                        s.lastTime.put(key.substring(0, key.length() - 5), v);
                    }
                } catch (NumberFormatException e) {
                    LOG.warn("{}: '{}' is not a number; ignored", s.file, key);
                }
            }
        }
        return s;
    }

    /**
     * The seq to publish for the {@code ingestSeq}-th frame of {@code camera} in this run, reserving a new block on
     * disk when needed.
     */
    public synchronized long seq(String camera, long ingestSeq) throws IOException {
        long shifted = base.computeIfAbsent(camera, c -> 0L) + ingestSeq;
        if (shifted >= reserved.getOrDefault(camera, 0L)) {
            reserved.put(camera, shifted + BLOCK);
            write();
        }
        return shifted;
    }

    /** The last trusted capture time of {@code camera} an earlier run recorded (epoch ms), 0 for none. */
    public synchronized long lastTime(String camera) {
        return lastTime.getOrDefault(camera, 0L);
    }

    /** Records a trusted capture time; it reaches the disk with the next reservation or {@link #flush()}. */
    public synchronized void trustedTime(String camera, long epochMillis) {
        lastTime.merge(camera, epochMillis, Math::max);
    }

    /** Writes the file now. */
    public synchronized void flush() throws IOException {
        write();
    }

    private void write() throws IOException {
        Map<String, String> entries = new TreeMap<>();
        reserved.forEach((c, v) -> entries.put(c + ".seq", Long.toString(v)));
        lastTime.forEach((c, v) -> entries.put(c + ".time", Long.toString(v)));
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("# next free seq and last trusted capture time (epoch ms) per camera; written by the edge agent\n");
            for (Map.Entry<String, String> e : entries.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
