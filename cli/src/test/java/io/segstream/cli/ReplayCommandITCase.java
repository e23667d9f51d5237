package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.schemas.CameraFrame;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code segstream replay} end to end: real recordings, a real broker, the exit codes. */
class ReplayCommandITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    Path dir;

    /** A 160x120 H.264 MP4 of {@code frames} frames at 20 fps, made by Debian's ffmpeg (.ci/run installs it). */
    static Path video(Path dir, String name, int frames, String... extra) throws IOException, InterruptedException {
        Path out = dir.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=160x120:rate=20", "-frames:v", Integer.toString(frames), "-c:v", "libx264",
                "-pix_fmt", "yuv420p", "-g", "10"));
        cmd.addAll(List.of(extra));
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] log = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), () -> new String(log));
        return out;
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run replay(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Segstream.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "replay";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cmd.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private static List<CameraFrame> frames(String topic) throws IOException {
        try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topic).build()) {
            return reader.readToEnd(Duration.ofSeconds(30));
        }
    }

    @Test
    void replaysADriveAndPrintsItsFigures() throws Exception {
        Path drive = video(dir, "drive.mp4", 30);
        Run run = replay("--source", drive.toString(), "--camera", "cam-1", "--bootstrap", KAFKA.bootstrapServers(),
                "--topic", "cli1.frames", "--pace", "max", "--no-progress", "--attr", "line=L7");

        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("frames sent      30"), run.out());
        List<CameraFrame> frames = frames("cli1.frames");
        assertEquals(30, frames.size());
        assertTrue(frames.stream().allMatch(f -> f.getCameraId().equals("cam-1") && f.getDriveId().equals("drive")
                && f.getAttributes().get("line").equals("L7")));
    }

    @Test
    void aTruncatedFileDeliversItsGoodFramesAndExitsWithThree() throws Exception {
        Path drive = video(dir, "cut.mp4", 40, "-movflags", "+faststart");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(drive.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        Run run = replay("--source", drive.toString(), "--camera", "cam-cut", "--bootstrap", KAFKA.bootstrapServers(),
                "--topic", "cli2.frames", "--pace", "max", "--no-progress");

        assertEquals(ReplayCommand.EXIT_DAMAGED_SOURCE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("segstream replay: " + drive + " ends at "), run.err());
        assertTrue(run.err().contains("truncated"), run.err());
        int delivered = frames("cli2.frames").size();
        assertTrue(delivered > 5 && delivered < 40, "frames before the damage: " + delivered);
        assertTrue(run.err().contains("after " + delivered + " frames"), run.err());
    }

    @Test
    void aTextFileNamedMp4ExitsWithThreeAndSaysSo() throws Exception {
        Path fake = Files.writeString(dir.resolve("notes.mp4"), "not a video");
        Run run = replay("--source", fake.toString(), "--camera", "cam-x", "--bootstrap", KAFKA.bootstrapServers(),
                "--topic", "cli3.frames", "--pace", "max", "--no-progress");

        assertEquals(ReplayCommand.EXIT_DAMAGED_SOURCE, run.exitCode(), run.err());
        assertEquals("segstream replay: " + fake + " is not a readable video (moov atom not found); check that it is a "
                + "complete video file", run.err().strip());
        assertEquals(0, frames("cli3.frames").size());
    }

    @Test
    void badOptionsAreOnePlainSentence() {
        Run run = replay("--source", "x.mp4", "--camera", "c", "--bootstrap", KAFKA.bootstrapServers(),
                "--pace", "fast");
        assertEquals(1, run.exitCode());
        assertEquals("segstream replay: 'fast' is not a pace; use realtime, max or xN (for example x4 or x0.5)",
                run.err().strip());
    }
}
