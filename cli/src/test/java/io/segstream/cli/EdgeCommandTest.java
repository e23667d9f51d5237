package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segstream edge} refuses bad input with one sentence and a non-zero exit, before anything starts. */
class EdgeCommandTest {
    @TempDir
    Path dir;

    @Test
    void configAndOneCameraFlagsAreAlternatives() {
        CliRun run = CliRun.of("edge", "--config", "edge.yaml", "--source", "drive.mp4");
        assertEquals(1, run.exit());
        assertEquals("segstream edge: --config and --source/--camera/--bootstrap/--spool are alternatives; put the "
                + "camera into the edge file or leave --config out", run.err().strip());
    }

    @Test
    void oneCameraNeedsAllFourFlags() {
        CliRun run = CliRun.of("edge", "--source", "drive.mp4", "--camera", "c1");
        assertEquals(1, run.exit());
        assertEquals("segstream edge: give --config FILE, or all of --source, --camera, --bootstrap and --spool",
                run.err().strip());
    }

    @Test
    void aBadSpoolSizeIsNamed() {
        CliRun run = CliRun.of("edge", "--source", "drive.mp4", "--camera", "c1", "--bootstrap", "127.0.0.1:1",
                "--spool", dir.toString(), "--spool-max-bytes", "lots");
        assertEquals(1, run.exit());
        assertEquals("segstream edge: 'lots' is not a size; use bytes or a number with k, m or g, e.g. 4g",
                run.err().strip());
    }

    @Test
    void anUnknownKeyInTheEdgeFileIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("edge.yaml"), """
                bootstrap: 127.0.0.1:9092
                spool: spool
                spol-max-bytes: 1g
                cameras:
                  - id: c1
                    path: drive.mp4
                """);
        CliRun run = CliRun.of("edge", "--config", file.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().strip().startsWith("segstream edge: " + file + ": unknown key 'spol-max-bytes'; known "
                + "keys: cameras, defaults, alert-hook, alert-hook-timeout, bootstrap"), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one sentence: " + run.err());
    }

    @Test
    void anAlertHookTimeoutWithoutAHookIsRefused() {
        CliRun run = CliRun.of("edge", "--source", "drive.mp4", "--camera", "c1", "--bootstrap", "127.0.0.1:1",
                "--spool", dir.toString(), "--alert-hook-timeout", "5");
        assertEquals(1, run.exit());
        assertEquals("segstream edge: --alert-hook-timeout goes with --alert-hook (or alert-hook: in the edge file), the "
                + "command to run", run.err().strip());
    }

    @Test
    void aTegrastatsPathThatIsNotAnExecutableIsNamed() {
        CliRun run = CliRun.of("edge", "--source", "drive.mp4", "--camera", "c1", "--bootstrap", "127.0.0.1:1",
                "--spool", dir.toString(), "--tegrastats", "/nowhere/tegrastats");
        assertEquals(1, run.exit());
        assertEquals("segstream edge: tegrastats '/nowhere/tegrastats' is not an executable file; give its path (on "
                + "JetPack: /usr/bin/tegrastats), auto or off", run.err().strip());
    }
}
