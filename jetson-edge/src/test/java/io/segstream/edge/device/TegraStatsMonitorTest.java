package io.segstream.edge.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding and running tegrastats: a stand-in script prints a Jetson's line, the monitor reads it. */
class TegraStatsMonitorTest {
    private static final String LINE = "RAM 1954/7620MB (lfb 4x4MB) SWAP 0/3810MB (cached 0MB) CPU [0%@883,0%@883] "
            + "EMC_FREQ 12%@2133 GR3D_FREQ 37%@[305] cpu@48.062C gpu@48.156C tj@48.218C VDD_IN 4523mW/4523mW";

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path s = Files.writeString(bin.resolve(name), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        return s;
    }

    @Test
    void autoFindsTegrastatsOnThePathAndOffOrAbsentMeansNone() throws Exception {
        Path exe = script("tegrastats", "exit 0\n");
        String path = dir.resolve("empty") + ":" + exe.getParent();
        assertEquals(Optional.of(exe), TegraStatsMonitor.locate("auto", path));
        assertEquals(Optional.empty(), TegraStatsMonitor.locate("off", path));
        assertEquals(Optional.empty(), TegraStatsMonitor.locate("auto", dir.resolve("empty").toString()));
        assertEquals(Optional.of(exe), TegraStatsMonitor.locate(exe.toString(), ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TegraStatsMonitor.locate("/nowhere/tegrastats", path));
        assertEquals("tegrastats '/nowhere/tegrastats' is not an executable file; give its path (on JetPack: "
                + "/usr/bin/tegrastats), auto or off", e.getMessage());
    }

    @Test
    void theLatestLineIsReadFromTheRunningProcess() throws Exception {
        // a stand-in that checks its arguments as tegrastats takes them, then prints a line every 100 ms
        Path exe = script("tegrastats", """
                [ "$1" = "--interval" ] && [ "$2" = "250" ] || { echo "bad arguments: $*"; exit 2; }
                while true; do echo '%s'; sleep 0.1; done
                """.formatted(LINE));
        try (TegraStatsMonitor m = TegraStatsMonitor.start(exe.toString(), Duration.ofMillis(250)).orElseThrow()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (m.latest() == null) {
                assertTrue(System.nanoTime() < deadline, "no line read from the stand-in tegrastats");
                Thread.sleep(50);
            }
            TegraStats s = m.latest();
            assertEquals(37, s.gpuLoadPercent());
            assertEquals(12, s.emcLoadPercent());
            assertEquals(1954, s.ramUsedMb());
            assertEquals(48.156, s.temperaturesC().get("gpu"));
            assertEquals(0, m.unreadableLines(), "the arguments were --interval 250");
        }
    }
}
