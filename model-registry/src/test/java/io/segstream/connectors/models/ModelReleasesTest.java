package io.segstream.connectors.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.model.ModelManifest.Layout;
import io.segstream.core.model.ModelManifest.OutputKind;
import io.segstream.schemas.ModelFormat;
import io.segstream.schemas.ModelRelease;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** Release records, targets, S3 locations and store options as pure logic. */
class ModelReleasesTest {
    private static final String SHA = "ab".repeat(32);

    private static ModelManifest manifest() {
        return ModelManifest.builder()
                .setName("unet").setVersion("7").setLabelSet("rail-20")
                .setInput("input", 512, 256, Layout.NHWC)
                .setNormalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})
                .setOutput("out", OutputKind.CLASS_IDS_NHW)
                .optMetrics(Map.of("miou", 0.61))
                .optTraining(JsonNodeFactory.instance.objectNode().put("runId", "run-42"))
                .optSha256(SHA)
                .build();
    }

    private static StoredModel stored() {
        return new StoredModel(new ModelArtifact("unet", "7", URI.create("s3://models/unet/7/"), SHA, 1234),
                manifest(), false);
    }

    @Test
    void aReleaseRecordCarriesEverythingAJobChecks() {
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        ModelRelease r = ModelReleases.describe(stored(), "Datacenter", Optional.empty(), at);
        assertEquals("unet", r.getName());
        assertEquals("7", r.getVersion());
        assertEquals("s3://models/unet/7/", r.getArtifactUri());
        assertEquals(SHA, r.getSha256());
        assertEquals(1234, r.getSizeBytes());
        assertEquals(ModelFormat.ONNX, r.getFormat());
        assertEquals(512, r.getInputWidth());
        assertEquals(256, r.getInputHeight());
        assertEquals(List.of(0.485f, 0.456f, 0.406f), r.getMean());
        assertEquals(List.of(0.229f, 0.224f, 0.225f), r.getStd());
        assertEquals("rail-20", r.getLabelSet());
        assertEquals(Map.of("miou", 0.61), r.getMetrics());
        assertEquals("run-42", r.getTrainingRunId(), "from the manifest's training configuration");
        assertEquals("datacenter", r.getTarget());
        assertEquals(at, r.getReleasedAt());
        assertEquals("run-7", ModelReleases.describe(stored(), "all", Optional.of("run-7"), at).getTrainingRunId());
        assertEquals(ModelArtifact.of(r), stored().artifact());
        assertTrue(ModelReleases.contradictions(r, manifest()).isEmpty());
    }

    @Test
    void aManifestThatContradictsItsReleaseIsNamedFieldByField() {
        ModelRelease r = ModelReleases.describe(stored(), "all", Optional.empty(), Instant.EPOCH);
        ModelManifest other = manifest().toBuilder().setVersion("8").setLabelSet("cityscapes-19")
                .setInput("input", 256, 128, Layout.NHWC).optSha256("cd".repeat(32)).build();
        assertEquals(List.of(
                "the release says version '7' but the manifest says '8'",
                "the release says label set 'rail-20' but the manifest says 'cityscapes-19'",
                "the release says input 512x256 but the manifest says 256x128",
                "the manifest pins SHA-256 " + "cd".repeat(32) + " but the release says " + SHA),
                ModelReleases.contradictions(r, other));
    }

    @Test
    void releasesReachTheirTargetsAndAllReachesEveryone() {
        Set<String> datacenter = ReleaseTarget.parseList("datacenter, Line-4");
        assertEquals(Set.of("datacenter", "line-4"), datacenter);
        assertTrue(ReleaseTarget.applies("all", datacenter));
        assertTrue(ReleaseTarget.applies("datacenter", datacenter));
        assertTrue(ReleaseTarget.applies("line-4", datacenter));
        assertFalse(ReleaseTarget.applies("edge", datacenter));
        assertFalse(ReleaseTarget.applies("line-5", datacenter));
        assertFalse(ReleaseTarget.applies("datacenter", ReleaseTarget.parseList("all")),
                "a job answering only to all takes only releases for all");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReleaseTarget.validate("a b"));
        assertEquals("'a b' is not a release target: use all, datacenter, edge or a camera group name (letters,"
                + " digits, '.', '_', '-')", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReleaseTarget.parseList(" , "));
    }

    @Test
    void s3UrisParseIntoBucketAndKey() {
        S3Location root = S3Location.parse(URI.create("s3://models/rail"));
        assertEquals(new S3Location("models", "rail"), root);
        assertEquals("rail/unet/7/model.onnx", root.child("unet/7/model.onnx").key());
        assertEquals("rail/x", S3Location.parse(URI.create("s3://models/rail/")).child("x").key());
        assertEquals("x", S3Location.parse(URI.create("s3://models")).child("/x").key());
        assertEquals(URI.create("s3://models/rail/x"), root.child("x").toUri());
        assertEquals("expected an s3://bucket/key URI, got"
                + " 'https://models/x'", assertThrows(IllegalArgumentException.class,
                        () -> S3Location.parse(URI.create("https://models/x"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Location.parse(URI.create("s3://Models/x")))
                .getMessage().contains("is not an S3 bucket name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Location.parse(URI.create("s3:///x")))
                .getMessage().contains("names no bucket"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> S3Location.parse(URI.create("s3://b-1/x?v=1")))
                .getMessage().contains("has a query"));
    }

    @Test
    void storeOptionsParseAndConfigureTheS3Client() {
        ModelStoreOptions o = ModelStoreOptions.fromMap(Map.of("s3.endpoint", "http://127.0.0.1:9000",
                "s3.path-style", "true", "s3.anonymous", "yes", "timeout-ms", "1500"));
        assertEquals(Optional.of("http://127.0.0.1:9000"), o.endpoint());
        assertTrue(o.s3PathStyle());
        assertTrue(o.s3Anonymous());
        assertEquals(Duration.ofMillis(1500), o.timeout());
        assertEquals(ModelStoreOptions.defaults(), ModelStoreOptions.fromMap(Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelStoreOptions.fromMap(Map.of("s3.pathstyle", "x", "s3.anonymous", "maybe")));
        assertTrue(e.getMessage().contains("unknown model store option 's3.pathstyle'"), e.getMessage());
        assertTrue(e.getMessage().contains("s3.anonymous must be true or false, got 'maybe'"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ModelStoreOptions.fromMap(Map.of("s3.endpoint", "minio:9000"))).getMessage()
                .contains("must be an http:// or https:// URL"));

        try (S3Client client = S3Blobs.clientBuilder(o).build()) {
            assertEquals("us-east-1", client.serviceClientConfiguration().region().id(),
                    "an endpoint without a region signs for us-east-1");
            assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")),
                    client.serviceClientConfiguration().endpointOverride());
        }
        try (S3Client client = S3Blobs.clientBuilder(ModelStoreOptions.fromMap(Map.of("s3.region", "eu-west-1",
                "s3.anonymous", "true"))).build()) {
            assertEquals("eu-west-1", client.serviceClientConfiguration().region().id());
            assertEquals(Optional.empty(), client.serviceClientConfiguration().endpointOverride());
        }
    }

    @Test
    void artifactNamesCannotEscapeTheCacheFolder() {
        assertThrows(IllegalArgumentException.class, () -> new ModelArtifact("..", "1", URI.create("file:///m/"), SHA, 1));
        assertThrows(IllegalArgumentException.class, () -> new ModelArtifact("a/b", "1", URI.create("file:///m/"), SHA, 1));
        assertThrows(IllegalArgumentException.class, () -> new ModelArtifact("a", "1", URI.create("file:///m/"), "AB", 1));
        assertEquals(URI.create("file:///m/a/1/model.onnx"),
                new ModelArtifact("a", "1", URI.create("file:///m/a/1"), SHA, 1).file("model.onnx"));
    }
}
