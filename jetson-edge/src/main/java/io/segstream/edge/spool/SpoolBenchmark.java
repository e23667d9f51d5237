package io.segstream.edge.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * How fast the spool takes and gives back records on this disk: appends {@code records} masks of {@code bytes} each
 * (synced as the agent syncs them, every 200 ms), then reads them all back as the sender does, marks them delivered and
 * removes the segments.
 *
 * <pre>{@code
 * SpoolBenchmark.Result r = SpoolBenchmark.run(Path.of("/var/lib/segstream/bench"), 5000, 20_000);
 * }</pre>
 */
public final class SpoolBenchmark {
    private SpoolBenchmark() {}

    /**
     * What one run measured.
     *
     * @param records       records written and drained
     * @param recordBytes   value bytes per record
     * @param writeRecordsPerSecond appends per second, syncs included
     * @param writeMegabytesPerSecond value megabytes (10^6) appended per second
     * @param drainRecordsPerSecond records read back (CRC checked), delivered and removed per second
     * @param drainMegabytesPerSecond value megabytes drained per second
     * @param bytesLeft     segment bytes left after the drain (0 when every segment was removed)
     */
    public record Result(int records, int recordBytes, double writeRecordsPerSecond, double writeMegabytesPerSecond,
            double drainRecordsPerSecond, double drainMegabytesPerSecond, long bytesLeft) {}

    /**
     * Runs the benchmark in a spool in {@code dir} (created; must be empty or absent).
     *
     * @throws IllegalArgumentException when records or bytes is not positive
     */
    public static Result run(Path dir, int records, int bytes) throws IOException {
        if (records < 1 || bytes < 1) {
            throw new IllegalArgumentException("the spool benchmark needs at least one record of at least one byte, got "
                    + records + " records of " + bytes + " bytes");
        }
        byte[] value = new byte[bytes];
        new Random(1).nextBytes(value);
        byte[] key = "bench".getBytes(StandardCharsets.UTF_8);
        long max = Math.max(64L << 20, 2L * records * (bytes + 64));
        try (DiskSpool spool = DiskSpool.open(dir, SpoolOptions.of(max))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                spool.append(RecordKind.MASK, "bench", 1_780_000_000_000L + i, key, value);
                if (i % 64 == 0) {
                    spool.maintain();
                }
            }
            spool.sync();
            long t1 = System.nanoTime();
            long read = 0;
            while (true) {
                List<SpoolRecord> batch = spool.next(RecordKind.MASK, 256);
                if (batch.isEmpty()) {
                    break;
                }
                read += batch.size();
                spool.delivered(RecordKind.MASK, batch.get(batch.size() - 1).index() + 1);
                spool.maintain();
            }
            long t2 = System.nanoTime();
            if (read != records) {
                throw new IOException("the spool gave back " + read + " of " + records + " records in " + dir);
            }
            double mb = (double) records * bytes / 1e6;
            double write = Math.max(1e-9, (t1 - t0) / 1e9);
            double drain = Math.max(1e-9, (t2 - t1) / 1e9);
            return new Result(records, bytes, records / write, mb / write, read / drain, mb / drain, spool.bytes());
        }
    }
}
