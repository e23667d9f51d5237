package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.connectors.kafka.AvroTopicReader;
import io.segstream.connectors.kafka.ReceivedRecord;
import io.segstream.connectors.kafka.junit.EmbeddedKafkaExtension;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.core.onnx.OneByOneConvModel;
import io.segstream.schemas.ModelRelease;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code segstream release} against a real embedded Kafka broker and a folder model store. */
class ReleaseCommandITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = EmbeddedKafkaExtension.forClass();

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A rail-20 model that calls every pixel road; {@code claimedWidth} may contradict its 16-pixel graph. */
    private static Path model(Path dir, String version, int claimedWidth) throws Exception {
        float[] b = new float[20];
        for (int c = 1; c < 20; c++) {
            b[c] = -1f;
        }
        ModelManifest m = ModelManifest.builder().setName("road").setVersion(version).setLabelSet("rail-20")
                .setInput("image", claimedWidth, 8, Layout.NCHW)
                .setNormalization(new float[] {0, 0, 0}, new float[] {1, 1, 1})
                .setOutput("logits", OutputKind.LOGITS_NCHW).build();
        return OneByOneConvModel.of("road", 20, 16, 8).biases(b).write(dir, m);
    }

    private static List<ReceivedRecord<ModelRelease>> releases(String topic, int atLeast) throws Exception {
        try (AvroTopicReader<ModelRelease> r = AvroTopicReader.builder(ModelRelease.class)
                .setBootstrapServers(KAFKA.bootstrapServers()).setTopic(topic).build()) {
            List<ReceivedRecord<ModelRelease>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                out.addAll(r.poll(Duration.ofMillis(200)));
            }
            return out;
        }
    }

    @Test
    void releasesAVerifiedModelToAFolderAndTheModelsTopic() throws Exception {
        Path dir = model(tmp.resolve("export"), "3", 16);
        Path registry = tmp.resolve("registry");
        CliRun r = run("release", "--model", dir.toString(), "--to", registry.toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--target", "Datacenter", "--topic-prefix", "rel1.", "--run-id", "run-9");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("released road:3 for target datacenter\n"), r.out());
        assertTrue(r.out().contains("  artifact   " + registry.resolve("road/3").toUri() + "\n"), r.out());
        assertTrue(r.out().contains("  topic      rel1.models partition 0 offset 0"), r.out());
        assertTrue(Files.isRegularFile(registry.resolve("road/3/model.onnx")));
        assertTrue(Files.isRegularFile(registry.resolve("road/3/model.json")));

        List<ReceivedRecord<ModelRelease>> published = releases("rel1.models", 1);
        assertEquals(1, published.size());
        ModelRelease release = published.get(0).value();
        assertEquals("road:3@datacenter", new String(published.get(0).key(), StandardCharsets.UTF_8),
                "keyed by release, so compaction keeps every version");
        assertEquals("3", release.getVersion());
        assertEquals("datacenter", release.getTarget());
        assertEquals("run-9", release.getTrainingRunId());
        assertEquals(ModelDirectory.sha256(Files.readAllBytes(dir.resolve("model.onnx"))), release.getSha256());
        assertEquals(Files.size(dir.resolve("model.onnx")), release.getSizeBytes());
        assertEquals(registry.resolve("road/3").toUri().toString(), release.getArtifactUri());
        assertEquals(16, release.getInputWidth());

        CliRun again = run("release", "--model", dir.toString(), "--to", registry.toUri().toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--topic-prefix", "rel1.");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().startsWith("released road:3 for target all (artifact already stored)\n"), again.out());
        assertEquals(2, releases("rel1.models", 2).size(), "releasing again announces again (a roll back)");
    }

    @Test
    void aModelThatCannotServeIsRefusedInOneSentenceAndNothingIsPublished() throws Exception {
        Path contradicting = model(tmp.resolve("bad"), "4", 32);
        CliRun r = run("release", "--model", contradicting.toString(), "--to", tmp.resolve("registry").toString(),
                "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rel2.");
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("segstream release: model road:4 (") && r.err().contains(
                "but the manifest describes NCHW 32x8 RGB, i.e. ?x3x8x32; fix inputWidth, inputHeight or layout"),
                r.err());
        assertTrue(Files.notExists(tmp.resolve("registry")), "nothing was stored");

        CliRun missing = run("release", "--model", tmp.resolve("nowhere").toString(), "--to", tmp.toString(),
                "--bootstrap", KAFKA.bootstrapServers());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no such model directory"), missing.err());

        CliRun target = run("release", "--model", contradicting.toString(), "--to", tmp.toString(), "--bootstrap",
                KAFKA.bootstrapServers(), "--target", "line 4");
        assertEquals(2, target.exit(), "a bad command line");
        assertEquals("segstream release: 'line 4' is not a release target: use all, datacenter, edge or a camera"
                + " group name (letters, digits, '.', '_', '-')", target.err().lines().findFirst().orElseThrow());

        CliRun scheme = run("release", "--model", contradicting.toString(), "--to", "ftp://host/models", "--bootstrap",
                KAFKA.bootstrapServers());
        assertEquals(2, scheme.exit());
        assertEquals("segstream release: 'ftp://host/models' is not a model store URI: use file://, http://, https://"
                + " or s3://", scheme.err().lines().findFirst().orElseThrow());
        assertEquals("Try 'segstream release --help' for the options.", scheme.err().lines().skip(1).findFirst()
                .orElseThrow());
    }

    @Test
    void releasesListsTheRegistryAndTheNewestPerTarget() throws Exception {
        Path registry = tmp.resolve("registry");
        for (String[] r : new String[][] {{"5", "all"}, {"6", "edge"}, {"7", "datacenter"}}) {
            CliRun released = run("release", "--model", model(tmp.resolve("m" + r[0]), r[0], 16).toString(), "--to",
                    registry.toString(), "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rel3.",
                    "--target", r[1]);
            assertEquals(0, released.exit(), released.err());
        }
        CliRun all = run("releases", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rel3.");
        assertEquals(0, all.exit(), all.err());
        List<String> lines = all.out().lines().toList();
        assertTrue(lines.get(0).startsWith("| released (UTC)      | model  | target     | label set | input |"),
                all.out());
        assertTrue(lines.get(2).contains("| road:5 | all        | rail-20   | 16x8  |"), all.out());
        assertTrue(lines.get(4).contains("| road:7 | datacenter |"), all.out());
        assertTrue(all.out().contains("newest for all          road:5 (released "), all.out());
        assertTrue(all.out().contains("newest for edge         road:6 (released "), all.out());

        CliRun edge = run("releases", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rel3.", "--target",
                "edge");
        assertEquals(0, edge.exit(), edge.err());
        assertTrue(edge.out().contains("road:5") && edge.out().contains("road:6") && !edge.out().contains("road:7"),
                "an edge agent takes releases for all and for edge: " + edge.out());
        assertTrue(edge.out().contains("newest for edge         road:6"), edge.out());

        CliRun none = run("releases", "--bootstrap", KAFKA.bootstrapServers(), "--topic-prefix", "rel3.", "--name",
                "unet");
        assertEquals("no releases on rel3.models at " + KAFKA.bootstrapServers() + " for name unet", none.out().strip());
    }
}
