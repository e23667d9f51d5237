package io.segstream.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.SegstreamTopics;
import io.segstream.edge.testing.DuplicateRecords;
import io.segstream.edge.testing.EdgeAgentProcess;
import io.segstream.edge.testing.EdgeTesting;
import io.segstream.edge.testing.RailDrives;
import io.segstream.edge.testing.RestartableBroker;
import io.segstream.edge.testing.TopicRecords;
import io.segstream.schemas.AvroCodec;
import io.segstream.schemas.SegmentationMask;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent as a real process, killed with SIGKILL while the uplink is down and started again: what it had spooled
 * is sent by the next run, nothing before the kill is missing, and a record that arrives twice (it was in flight at
 * the kill) arrives byte for byte the same, with the same key (the Kafka timestamp is each copy's send time).
 */
@Tag("slow")
class AgentKillITCase {
    private static final Logger LOG = LoggerFactory.getLogger(AgentKillITCase.class);
    private static final String CAMERA = "rail-4";
    private static final Pattern HEALTH = Pattern.compile(
            "pending alerts (\\d+), masks (\\d+), frames \\d+, oldest [^;]+; sent alerts (\\d+), masks (\\d+)");

    @TempDir
    Path dir;

    @Test
    void spooledRecordsAreSentAfterAKillAndDuplicatesAreIdentical() throws Exception {
        Path drive = RailDrives.drive(150);
        SegstreamTopics topics = EdgeTesting.topics("kill.");
        try (RestartableBroker kafka = RestartableBroker.start(dir.resolve("kafka"), topics)) {
            run(drive, topics, kafka);
        }
    }

    private void run(Path drive, SegstreamTopics topics, RestartableBroker kafka) throws Exception {
        Path spool = dir.resolve("spool");
        String bootstrap = kafka.bootstrapServers();

        Agent first = Agent.start(drive, bootstrap, spool);
        try {
            first.awaitHealth("masks on Kafka", m -> Long.parseLong(m.group(4)) >= 10);
            kafka.stop();
            first.awaitHealth("masks spooled during the outage", m -> Long.parseLong(m.group(2)) >= 30);
        } finally {
            first.process.destroyForcibly();
        }
        assertTrue(first.process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, first.process.exitValue(), "killed by SIGKILL");
        LOG.info("killed the agent during the outage; its last health line: {}", first.lastHealth());

        kafka.restart();
        Agent second = Agent.start(drive, bootstrap, spool);
        try {
            second.awaitHealth("the spool of the killed run sent and the drive finished",
                    m -> second.log().contains("camera " + CAMERA + " FINISHED") && m.group(1).equals("0")
                            && m.group(2).equals("0"));
            second.process.toHandle().destroy();
            assertTrue(second.process.waitFor(60, TimeUnit.SECONDS));
        } finally {
            second.process.destroyForcibly();
        }

        // every (kind, camera, seq / alert id) seen more than once must be the same record each time: consumers
        // drop repeats by those ids (a focused test that forces repeats: agent.ResendAfterCrashITCase)
        List<ConsumerRecord<byte[], byte[]>> masks = TopicRecords.read(kafka.bootstrapServers(), topics.masks());
        Map<String, Integer> maskCopies = DuplicateRecords.assertCopiesIdentical(masks,
                DuplicateRecords::maskIdentity);
        AvroCodec<SegmentationMask> maskCodec = AvroCodec.of(SegmentationMask.class);
        Set<Long> seqs = new HashSet<>();
        long maxFirstRun = -1;
        for (ConsumerRecord<byte[], byte[]> r : masks) {
            SegmentationMask m = maskCodec.decode(r.value());
            assertEquals(CAMERA, m.getCameraId());
            seqs.add(m.getSeq());
            if (m.getSeq() < 1000) {
                maxFirstRun = Math.max(maxFirstRun, m.getSeq());
            }
        }
        assertTrue(maxFirstRun >= 40, "the killed run's spooled masks arrived: up to seq " + maxFirstRun);
        for (long seq = 0; seq <= maxFirstRun; seq++) {
            assertTrue(seqs.contains(seq), "mask " + seq + " of the killed run is missing");
        }
        for (long seq = 1000; seq < 1150; seq++) {
            assertTrue(seqs.contains(seq), "mask " + seq + " of the second run is missing");
        }
        assertEquals(maxFirstRun + 1 + 150, seqs.size(), "no other masks");

        List<ConsumerRecord<byte[], byte[]>> alerts = TopicRecords.read(kafka.bootstrapServers(), topics.alerts());
        Map<String, Integer> alertCopies = DuplicateRecords.assertCopiesIdentical(alerts,
                DuplicateRecords::alertIdentity);
        assertFalse(alertCopies.isEmpty(), "alerts arrived");
        LOG.info("after the kill: masks {} on the topic ({} distinct, {} sent more than once, all identical), alerts {}"
                + " ({} distinct, {} sent more than once, all identical); killed run's masks 0..{}", masks.size(),
                maskCopies.size(), DuplicateRecords.repeated(maskCopies), alerts.size(), alertCopies.size(),
                DuplicateRecords.repeated(alertCopies), maxFirstRun);
    }

    /** One agent process and what it printed. */
    private record Agent(Process process, ByteArrayOutputStream out) {
        static Agent start(Path drive, String bootstrap, Path spool) throws IOException {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EdgeAgentProcess.class.getName(), CAMERA,
                    drive.toString(), bootstrap, spool.toString(), "kill.")
                    .redirectErrorStream(true)
                    .start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread pump = new Thread(() -> copy(p.getInputStream(), out), "agent-output");
            pump.setDaemon(true);
            pump.start();
            return new Agent(p, out);
        }

        String log() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        String lastHealth() {
            Matcher m = HEALTH.matcher(log());
            String last = null;
            while (m.find()) {
                last = m.group();
            }
            return last;
        }

        void awaitHealth(String what, java.util.function.Predicate<Matcher> condition) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                String line = lastHealth();
                if (line != null) {
                    Matcher m = HEALTH.matcher(line);
                    if (m.find() && condition.test(m)) {
                        return;
                    }
                }
                assertTrue(process.isAlive() && System.nanoTime() < deadline, () -> "timed out waiting for " + what
                        + "; the agent printed:\n" + log());
                Thread.sleep(200);
            }
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(new OutputStream() {
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
