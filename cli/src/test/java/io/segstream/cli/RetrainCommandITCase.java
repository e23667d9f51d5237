package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.scenes.ProgressListener;
import io.segstream.core.scenes.SceneGenerator;
import io.segstream.core.scenes.SceneKind;
import io.segstream.core.scenes.SceneWriter;
import io.segstream.schemas.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code segstream retrain} end to end: real training on generated rail scenes, export with parity, scoring with
 * ONNX Runtime, a folder model store and a real embedded broker.
 */
@Tag("slow")
class RetrainCommandITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(128, 64).optKind(SceneKind.RAIL).optSeed(1).build(),
                data, "train", 8, 2, ProgressListener.none());
        SceneWriter.writeScenes(SceneGenerator.builder().setSize(128, 64).optKind(SceneKind.RAIL).optSeed(2).build(),
                data, "val", 3, 2, ProgressListener.none());
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A one-epoch retrain of a small FCN on the generated scenes, with the given extra options. */
    private static CliRun retrain(String runs, String... extra) {
        List<String> args = new ArrayList<>(List.of("retrain", "-m", "fcn", "--fcn-stride", "32", "--encoder",
                "mobilenetv2", "--width-multiplier", "0.25", "-p", tmp.resolve("data").toString(), "-t", "128x64",
                "-b", "4", "-e", "1", "--no-augment", "--label-set", "rail-20", "--runs-dir",
                tmp.resolve(runs).toString(), "--to", tmp.resolve("store").toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--topic-prefix", "rt.", "--target", "datacenter", "--name", "rail-fcn"));
        // an option given in extra replaces its default above (picocli takes each option once)
        for (String option : extra) {
            int at = args.indexOf(option);
            if (option.startsWith("--") && at >= 0 && at + 1 < args.size() && !args.get(at + 1).startsWith("-")) {
                args.remove(at + 1);
                args.remove(at);
            }
        }
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private static List<ModelRelease> releases() throws Exception {
        try (AvroTopicReader<ModelRelease> r = AvroTopicReader.builder(ModelRelease.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic("rt.models").build()) {
            List<ModelRelease> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < deadline) {
                r.poll(Duration.ofMillis(200)).forEach(rec -> out.add(rec.value()));
            }
            return out;
        }
    }

    private static JsonNode report(String runs) throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve(runs))) {
            Path run = s.filter(Files::isDirectory).findFirst().orElseThrow();
            return JSON.readTree(run.resolve("retrain.json").toFile());
        }
    }

    @Test
    void releasesAFirstModelThenKeepsItUnlessTheNextOneIsBetter() throws Exception {
        // 1. nothing serves datacenter yet (the models topic does not even exist): released as version 1
        CliRun first = retrain("runs-1", "--allow-new-topic");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("released rail-fcn:1 for target datacenter: "
                + tmp.resolve("store/rail-fcn/1").toUri()), first.out());
        assertTrue(first.out().contains("| rail track "), first.out());
        List<ModelRelease> afterFirst = releases();
        assertEquals(1, afterFirst.size());
        assertEquals("1", afterFirst.get(0).getVersion());
        assertEquals("datacenter", afterFirst.get(0).getTarget());
        JsonNode r1 = report("runs-1");
        assertTrue(r1.get("release").asBoolean());
        assertTrue(r1.get("serving").isNull());
        assertEquals(3, r1.get("candidate").get("frames").asInt(), "all validation frames are scored");
        double firstMiou = r1.get("candidate").get("meanIoU").asDouble();
        assertEquals(firstMiou, afterFirst.get(0).getMetrics().get("miou"), 1e-9,
                "the release carries the training run's validation mIoU, the same frames and rules");

        // 2. fine-tuned from the first run's weights, an unreachable margin keeps version 1 serving: exit 3, one
        //    sentence, nothing published
        CliRun second = retrain("runs-2", "--margin", "0.99", "--init", r1.get("checkpoint").asText());
        assertEquals(RetrainCommand.NOT_RELEASED, second.exit(), second.err());
        assertEquals(1, second.err().strip().lines().count(), second.err());
        assertTrue(second.err().startsWith("segstream retrain: not released: candidate rail-fcn:2 (validation mIoU "),
                second.err());
        assertTrue(second.err().contains("does not beat the serving rail-fcn:1 ("), second.err());
        assertTrue(second.out().contains("serving rail-fcn:1") && second.out().contains("candidate rail-fcn:2"),
                second.out());
        assertEquals(1, releases().size(), "nothing new on the models topic");
        JsonNode r2 = report("runs-2");
        assertFalse(r2.get("release").asBoolean());
        assertEquals(firstMiou, r2.get("serving").get("meanIoU").asDouble(), 1e-9,
                "the serving model scores on the validation frames as it did when it was released");
        assertTrue(Files.notExists(tmp.resolve("store/rail-fcn/2")), "a refused candidate is not stored");
        assertTrue(Files.isRegularFile(Path.of(r2.get("run").asText()).resolve("retrain-iou.png")),
                "both models' IoU per class as a chart");

        // 3. the stored v1 is damaged: it is passed over as a job would pass it over, and the model the jobs were
        //    started with (here the bundled one) is the one to beat; a dry run stores and publishes nothing
        Files.write(tmp.resolve("store/rail-fcn/1/model.onnx"), new byte[] {1, 2, 3});
        CliRun third = retrain("runs-3", "--dry-run", "--baseline", "bundled", "--margin", "-0.99");
        assertEquals(0, third.exit(), third.err());
        assertTrue(third.out().contains("dry run: would release, candidate rail-fcn:2 (validation mIoU ")
                && third.out().contains("the serving rail-fastscnn:2 ("), third.out());
        assertTrue(third.out().contains("baseline rail-fastscnn:2"), "the table compares with it: " + third.out());
        JsonNode r3 = report("runs-3");
        assertEquals(1, r3.get("passedOver").size());
        assertTrue(r3.get("passedOver").get(0).asText().startsWith("rail-fcn:1 is passed over: "),
                r3.get("passedOver").toString());
        assertEquals("rail-fastscnn:2", r3.get("baseline").get("model").asText());
        assertEquals(3, r3.get("baseline").get("frames").asInt());
        assertEquals(1, releases().size(), "a dry run publishes nothing");
        assertTrue(Files.notExists(tmp.resolve("store/rail-fcn/2")), "a dry run stores nothing");

        // 4. a store that cannot be written fails after training: exit 1, and retrain.json says how far it got
        Path notAFolder = Files.writeString(tmp.resolve("not-a-folder"), "x");
        CliRun fourth = retrain("runs-4", "--margin", "-0.99", "--to", notAFolder.resolve("store").toString());
        assertEquals(1, fourth.exit(), fourth.err());
        assertEquals(1, fourth.err().strip().lines().count(), fourth.err());
        JsonNode r4 = report("runs-4");
        assertTrue(r4.get("failed").asText().contains(notAFolder.toString()), r4.toString());
        assertTrue(r4.get("release").asBoolean(), "the gate had passed");
        assertEquals(3, r4.get("candidate").get("frames").asInt());

        // 5. a run that would train another label set than the serving model's stops before training
        CliRun other = run("retrain", "-m", "fcn", "-p", tmp.resolve("data").toString(), "-t", "128x64",
                "--label-set", "cityscapes-19", "--runs-dir", tmp.resolve("runs-5").toString(), "--to",
                tmp.resolve("store").toString(), "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rt.",
                "--target", "datacenter");
        assertEquals(1, other.exit());
        assertTrue(other.err().contains("predicts label set rail-20 but this run would train cityscapes-19"),
                other.err());
        assertTrue(Files.notExists(tmp.resolve("runs-5")), "no run was started");
    }

    @Test
    void mistakesFailBeforeAnyTraining() throws Exception {
        CliRun r = run("retrain", "-m", "fcn", "-p", tmp.resolve("data").toString(), "-t", "128x64", "--runs-dir",
                tmp.resolve("runs-unreachable").toString(), "--to", tmp.resolve("store-x").toString(), "--bootstrap",
                "127.0.0.1:1", "--timeout", "2");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("127.0.0.1:1"), r.err());
        assertTrue(Files.notExists(tmp.resolve("runs-unreachable")), "no run was started");

        CliRun noStore = run("retrain", "-m", "fcn", "-p", tmp.resolve("data").toString(), "--bootstrap",
                KAFKA.bootstrapServers());
        assertEquals(2, noStore.exit(), "a bad command line");
        assertTrue(noStore.err().startsWith("segstream retrain: --to URI is required to release"), noStore.err());
        assertTrue(noStore.err().contains("Try 'segstream retrain --help'"), noStore.err());
        assertTrue(noStore.err().lines().count() <= 3, "no page of usage buries the sentence: " + noStore.err());

        CliRun badStore = run("retrain", "-m", "fcn", "-p", tmp.resolve("data").toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--to", "ftp://host/models");
        assertEquals(2, badStore.exit());
        assertTrue(badStore.err().contains("'ftp://host/models' is not a model store URI"), badStore.err());

        CliRun typo = run("retrain", "-m", "fcn", "-p", tmp.resolve("data").toString(), "-t", "128x64", "--runs-dir",
                tmp.resolve("runs-typo").toString(), "--to", tmp.resolve("store-x").toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--topic-prefix", "typo.");
        assertEquals(1, typo.exit());
        assertTrue(typo.err().contains("the models topic typo.models does not exist on " + KAFKA.bootstrapServers()
                + ", so no job or agent reads releases there"), typo.err());
        assertTrue(Files.notExists(tmp.resolve("runs-typo")), "no run was started");
    }
}
