package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.EmbeddedKafka;
import io.segstream.schemas.CameraFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segstream ingest} as its own process: cameras from a file, SIGTERM while frames flow, and every frame it
 * reports as sent is on the topic afterwards (the producer was flushed).
 */
class IngestCommandITCase {
    @TempDir
    Path dir;

    @Test
    void sigtermStopsCleanlyAndFlushesTheProducer() throws Exception {
        Path drive = ReplayCommandITCase.video(dir, "drive.mp4", 400);
        Path config = Files.writeString(dir.resolve("cameras.yaml"), """
                cameras:
                  - id: road-1
                    path: %s
                    pace: x4
                    attributes: {road_segment: A7-12}
                """.formatted(drive));
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.segstream.cli.Segstream", "ingest",
                    "--config", config.toString(), "--bootstrap", kafka.bootstrapServers(), "--topic", "cmd.frames",
                    "--health-interval", "1")
                    .redirectErrorStream(true)
                    .start();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> copy(p.getInputStream(), log));
            pump.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // let frames flow for a while, then stop it in the middle of the drive
            Pattern flowing = Pattern.compile("camera road-1 STREAMING: [^\\n]*sent [1-9]\\d");
            while (!flowing.matcher(log.toString(StandardCharsets.UTF_8)).find()) {
                assertTrue(System.nanoTime() < deadline && p.isAlive(), () -> "no frames flowed: " + log);
                Thread.sleep(100);
            }
            // SIGTERM through the process handle: Process.destroy() would also close the pipe the summary comes on
            assertTrue(p.toHandle().destroy(), "SIGTERM sent");
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ingest stops after SIGTERM");
            pump.join(5000);
            String text = log.toString(StandardCharsets.UTF_8);
            assertEquals(143, p.exitValue(), text);
            // camera, state, grabbed, sent, then dropped, corrupt, reconnects and gaps all 0
            Matcher last = Pattern.compile("(?m)^road-1\\s+STOPPED\\s+(\\d+)\\s+(\\d+)(\\s+0){4}$").matcher(text);
            assertTrue(last.find(), "a final summary row (exit code " + p.exitValue() + "): " + text);
            long sent = Long.parseLong(last.group(2));
            assertTrue(sent > 10 && sent < 400, "stopped mid-drive after " + sent + " frames");

            List<CameraFrame> frames;
            try (AvroTopicReader<CameraFrame> reader = AvroTopicReader.builder(CameraFrame.class)
                    .setBootstrapServers(kafka.bootstrapServers()).setTopic("cmd.frames").build()) {
                frames = reader.readToEnd(Duration.ofSeconds(30));
            }
            assertEquals(sent, frames.size(), "every frame reported as sent is on the topic");
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i, frames.get(i).getSeq());
                assertEquals("A7-12", frames.get(i).getAttributes().get("road_segment"));
            }
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(new java.io.OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (out) {
                        out.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (out) {
                        out.write(b, off, len);
                    }
                }
            });
        } catch (IOException e) {
            // the process ended
        }
    }
}
