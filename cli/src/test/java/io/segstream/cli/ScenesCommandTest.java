package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScenesCommandTest {
    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Segstream.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void writesStillScenesInTheCityscapesLayout() {
        Path root = tmp.resolve("s");
        assertEquals(0, run("scenes", "--out", root.toString(), "--count", "2", "--size", "128x64", "--threads", "2",
                "--split", "val"), err.toString());
        assertTrue(Files.isRegularFile(root.resolve("leftImg8bit/val/aldmoor/aldmoor_000000_000019_leftImg8bit.png")));
        assertTrue(Files.isRegularFile(
                root.resolve("gtFine/val/brennfeld/brennfeld_000000_000019_gtFine_instanceIds.png")));
        assertTrue(out.toString().contains("2 x 128x64 (mixed, seed 0, split val)"), out.toString());
        assertTrue(err.toString().contains("2/2 scenes"), "a progress bar on stderr: " + err);
    }

    @Test
    void writesADriveWithVideoAndEvents() {
        Path root = tmp.resolve("d");
        assertEquals(0, run("scenes", "--out", root.toString(), "--sequence", "--frames", "6", "--size", "128x64",
                "--kind", "rail", "--intrusion", "person:track:1-3"), err.toString());
        Path dir = root.resolve("drives/aldmoor_000000");
        assertTrue(Files.isRegularFile(dir.resolve("drive.mp4")));
        assertTrue(Files.isRegularFile(dir.resolve("drive.json")));
        assertTrue(Files.isRegularFile(
                root.resolve("leftImg8bit_sequence/train/aldmoor/aldmoor_000000_000005_leftImg8bit.png")));
        String text = out.toString();
        assertTrue(text.contains("(libopenh264)"), text);
        assertTrue(text.matches("(?s).*\\n\\s+1\\s+0\\.10s enter\\s+person\\s+track\\s+24000.*"), text);
        assertTrue(text.matches("(?s).*\\n\\s+4\\s+0\\.40s exit\\s+person\\s+track\\s+24000.*"), text);
    }

    @Test
    void badOptionsGiveOnePlainSentence() {
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--size", "12x"));
        assertEquals("segstream scenes: --size must look like WIDTHxHEIGHT, for example 1024x512, got '12x'",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--size", "16x16"));
        assertEquals("segstream scenes: --size 16x16 is out of range: width and height must be between 32 and 8192"
                + " pixels", err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--kind", "tram"));
        assertEquals("segstream scenes: --kind must be road, rail or mixed, got 'tram'", err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--sequence", "--size", "129x64"));
        assertEquals("segstream scenes: --size must have an even width and height for the drive video, got 129x64",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--sequence", "--size", "128x64", "--intrusion",
                "dog:track:1-2"));
        assertEquals("segstream scenes: --intrusion actor 'dog' is unknown; use one of person, cyclist, car, truck",
                err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--intruder-actors", "person,dog"));
        assertEquals("segstream scenes: --intruder-actors actor 'dog' is unknown; use one of person, cyclist, car,"
                + " truck", err.toString().strip());
        err.getBuffer().setLength(0);
        assertEquals(1, run("scenes", "--out", tmp.toString(), "--intruder-share", "1.2"));
        assertEquals("segstream scenes: --intruder-share must be between 0 and 1, got 1.2", err.toString().strip());
    }
}
