package io.segstream.edge.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restarted agent numbers frames past every seq the run before could have used, so alert ids never repeat. */
class CameraSequencesTest {
    @TempDir
    Path dir;

    @Test
    void aRestartContinuesAfterTheReservedBlock() throws IOException {
        CameraSequences first = CameraSequences.open(dir);
        assertEquals(0, first.seq("cam1", 0));
        assertEquals(1500, first.seq("cam1", 1500));
        assertEquals(7, first.seq("cam2", 7));
        first.trustedTime("cam1", 1_780_000_000_000L);
        first.flush();
        // killed without warning: the next run starts after the blocks reserved on disk
        CameraSequences second = CameraSequences.open(dir);
        assertEquals(2500, second.seq("cam1", 0));
        assertEquals(1007, second.seq("cam2", 0));
        assertEquals(0, second.seq("cam3", 0));
        assertEquals(1_780_000_000_000L, second.lastTime("cam1"));
        assertEquals(0, second.lastTime("cam2"));
    }
}
