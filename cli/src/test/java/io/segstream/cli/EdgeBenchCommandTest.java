package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segstream edge bench} prints the agent's table and the spool's on a few frames and records (the figures
 * themselves are this machine's, so only their presence is checked), and leaves nothing behind.
 */
class EdgeBenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsStagesFramesPerSecondAndSpoolRates() throws Exception {
        CliRun run = CliRun.of("edge", "bench", "--frames", "2", "--size", "512x256", "--provider", "cpu",
                "--records", "200", "--record-bytes", "2000", "--work-dir", dir.toString());
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        assertTrue(out.contains("agent pipeline: 512x256, 2 frames (after 2 warm-up), model rail-fastscnn:2 on CPU"),
                out);
        for (String row : new String[] {"| JPEG decode and resize", "| inference", "| rules, Avro and spool",
                "| frames/s", "| write (synced every 200 ms)", "| drain (read, CRC, delivered, removed)"}) {
            assertTrue(out.contains(row), row + " in\n" + out);
        }
        assertTrue(out.contains("spool: 200 records of 2000 bytes"), out);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the work folder is emptied");
        }
    }

    @Test
    void aBadSizeIsNamed() {
        CliRun run = CliRun.of("edge", "bench", "--size", "big");
        assertEquals(1, run.exit());
        assertEquals("segstream edge bench: --size must look like WIDTHxHEIGHT, for example 1024x512, got 'big'",
                run.err().strip());
    }
}
