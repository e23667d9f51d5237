package io.segstream.edge.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How fast the spool takes and gives back records on this machine (a measurement, not a test): {@code SpoolThroughput
 * [RECORDS [BYTES]]} appends RECORDS masks of BYTES each (syncing every 200 ms as the agent does), then reads them all
 * back, marks them delivered and removes the segments. Prints records/s and MB/s of both.
 */
public final class SpoolThroughput {
    private SpoolThroughput() {}

    public static void main(String[] args) throws IOException {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path dir = Files.createTempDirectory("spool-throughput");
        byte[] value = new byte[bytes];
        new Random(1).nextBytes(value);
        byte[] key = "cam-1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (DiskSpool spool = DiskSpool.open(dir, SpoolOptions.of(4L << 30))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                spool.append(RecordKind.MASK, "cam-1", 1_780_000_000_000L + i, key, value);
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
            double mb = (double) records * bytes / 1e6;
            double write = (t1 - t0) / 1e9;
            double drain = (t2 - t1) / 1e9;
            System.out.printf(Locale.ROOT, "write: %d records of %d bytes in %.2f s: %.0f records/s, %.1f MB/s%n",
                    records, bytes, write, records / write, mb / write);
            System.out.printf(Locale.ROOT, "drain: %d records in %.2f s: %.0f records/s, %.1f MB/s; %d bytes left%n",
                    read, drain, read / drain, mb / drain, spool.bytes());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
