package io.segstream.connectors.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model store against real stores: a folder, a JDK HTTP server on 127.0.0.1, and an S3-compatible server
 * (S3Proxy) in this JVM reached through the AWS SDK with signed requests.
 */
class ModelStoreITCase {
    @TempDir
    Path tmp;

    @Test
    void fileStoreRoundTripsAndTheCacheIsReused() throws Exception {
        Path model = Fixtures.model(tmp.resolve("export"), "1");
        URI root = tmp.resolve("registry").toUri();
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            StoredModel stored = store.put(model, root);
            assertFalse(stored.alreadyStored());
            assertEquals(URI.create(root + "/road/1/"), stored.artifact().uri());
            assertEquals(Files.size(model.resolve("model.onnx")), stored.artifact().sizeBytes());
            assertTrue(stored.manifest().sha256().isPresent());
            assertTrue(store.put(model, root).alreadyStored(), "the same bytes again are a no-op");

            Path cache = tmp.resolve("cache");
            Path local = store.fetch(stored.artifact(), cache);
            assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")), Files.readAllBytes(local.resolve("model.onnx")));
            assertEquals(stored.manifest(), ModelDirectory.at(local).readManifest());
            long fetchedAt = Files.getLastModifiedTime(local.resolve("model.onnx")).toMillis();
            assertEquals(local, store.fetch(stored.artifact(), cache));
            assertEquals(fetchedAt, Files.getLastModifiedTime(local.resolve("model.onnx")).toMillis(),
                    "a verified cached copy is not downloaded again");

            // a damaged cached copy is replaced by a fresh download
            Files.write(local.resolve("model.onnx"), new byte[] {1, 2, 3});
            Path again = store.fetch(stored.artifact(), cache);
            assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")), Files.readAllBytes(again.resolve("model.onnx")));
        }
    }

    @Test
    void otherBytesUnderAReleasedVersionAreRefused() throws Exception {
        URI root = tmp.resolve("registry").toUri();
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            store.put(Fixtures.model(tmp.resolve("a"), "1"), root);
            Path other = Fixtures.model(tmp.resolve("b"), "1");
            Files.write(other.resolve("model.onnx"), Arrays.copyOf(Files.readAllBytes(other.resolve("model.onnx")), 40));
            ModelManifest unpinned = ModelManifest.read(other.resolve("model.json")).toBuilder().optSha256(null).build();
            unpinned.write(other.resolve("model.json"));
            ModelStoreException e = assertThrows(ModelStoreException.class, () -> store.put(other, root));
            assertTrue(e.getMessage().contains("already holds model road:1") && e.getMessage().contains("new version"),
                    e.getMessage());
        }
    }

    @Test
    void downloadsAreCheckedAgainstTheReleaseBeforeAnythingReadsThem() throws Exception {
        Path model = Fixtures.model(tmp.resolve("export"), "1");
        URI root = tmp.resolve("registry").toUri();
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            ModelArtifact good = store.put(model, root).artifact();
            Path cache = tmp.resolve("cache");

            ModelArtifact wrongSha = new ModelArtifact("road", "1", good.uri(), "0".repeat(64), good.sizeBytes());
            assertMessage(store, wrongSha, cache, "has SHA-256 " + good.sha256() + " but release road:1 says 0000");

            ModelArtifact tooShort = new ModelArtifact("road", "1", good.uri(), good.sha256(), good.sizeBytes() - 1);
            assertMessage(store, tooShort, cache, "is larger than the " + (good.sizeBytes() - 1) + " bytes release road:1");

            Path stored = Path.of(good.file("model.onnx"));
            byte[] full = Files.readAllBytes(stored);
            Files.write(stored, Arrays.copyOf(full, full.length / 2));
            assertMessage(store, good, cache, "has " + full.length / 2 + " of the " + full.length
                    + " bytes release road:1 says: the file is truncated");

            ModelArtifact missing = new ModelArtifact("road", "9", root.resolve("road/9/"), good.sha256(), 10);
            assertMessage(store, missing, cache, "model road:9 is not in the file system");
            try (var leftovers = Files.list(cache.resolve("road"))) {
                assertEquals(0, leftovers.count(), "failed downloads leave nothing in the cache");
            }
        }
    }

    @Test
    void httpStoreReadsWithGetAndWritesWithPut() throws Exception {
        Path model = Fixtures.model(tmp.resolve("export"), "2");
        Path served = Files.createDirectories(tmp.resolve("www"));
        try (FileServer server = FileServer.serving(served, true);
                ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            URI root = server.uri().resolve("models/");
            StoredModel stored = store.put(model, root);
            assertEquals(URI.create(server.uri() + "models/road/2/"), stored.artifact().uri());
            assertEquals(2, server.puts.get(), "model.onnx, then model.json");
            assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")),
                    Files.readAllBytes(served.resolve("models/road/2/model.onnx")));
            assertTrue(store.put(model, root).alreadyStored());
            assertEquals(2, server.puts.get(), "nothing is uploaded twice");

            Path local = store.fetch(stored.artifact(), tmp.resolve("cache"));
            assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")), Files.readAllBytes(local.resolve("model.onnx")));

            ModelArtifact missing = new ModelArtifact("road", "3", root.resolve("road/3/"), stored.artifact().sha256(), 5);
            assertMessage(store, missing, tmp.resolve("cache"), "models/road/3/model.onnx does not exist");
        }
    }

    @Test
    void aModelDirectoryOnAWebServerIsFetchedAndVerifiedAgainstItsManifest() throws Exception {
        Path served = Files.createDirectories(tmp.resolve("www"));
        ModelDirectory bundled = BootstrapModel.extractBundled(served.resolve("models/current"));
        String sha = bundled.readManifest().sha256().orElseThrow();
        Path cache = tmp.resolve("cache");
        try (FileServer server = FileServer.serving(served, false);
                ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            URI dir = server.uri().resolve("models/current/");
            Path local = store.fetchDirectory(dir, cache);
            assertEquals(cache.resolve(BootstrapModel.NAME).resolve(bundled.readManifest().version() + "-"
                    + sha.substring(0, 16)), local);
            assertArrayEquals(Files.readAllBytes(bundled.modelFile()), Files.readAllBytes(local.resolve("model.onnx")));
            assertArrayEquals(Files.readAllBytes(bundled.manifestFile()), Files.readAllBytes(local.resolve("model.json")));
            try (OnnxSegmenter segmenter = OnnxSegmenter.open(local, SegmenterOptions.defaults())) {
                assertEquals(BootstrapModel.NAME, segmenter.manifest().name());
            }
            long fetchedAt = Files.getLastModifiedTime(local.resolve("model.onnx")).toMillis();
            assertEquals(local, store.fetchDirectory(dir, cache));
            assertEquals(fetchedAt, Files.getLastModifiedTime(local.resolve("model.onnx")).toMillis(),
                    "a verified cached copy is not downloaded again");
            assertEquals(local, store.fetchDirectory(URI.create(dir.toString().replaceAll("/$", "")), cache),
                    "a directory URI without the trailing slash names the same model");

            // the served graph altered by one byte: refused, and the cache holds nothing but the verified copy
            byte[] altered = Files.readAllBytes(bundled.modelFile());
            altered[altered.length / 2] ^= 1;
            Files.write(bundled.modelFile(), altered);
            Files.delete(local.resolve("model.onnx"));
            ModelStoreException e = assertThrows(ModelStoreException.class, () -> store.fetchDirectory(dir, cache));
            assertEquals(dir + "model.onnx has SHA-256 " + ModelStore.sha256(bundled.modelFile())
                    + " but the manifest of model " + bundled.readManifest().id() + " says " + sha
                    + ": the file was altered or belongs to another model", e.getMessage());
            assertFalse(Files.exists(local.resolve("model.onnx")), "nothing unverified lands in the cache");
            try (var leftovers = Files.list(local.getParent())) {
                assertEquals(1, leftovers.count(), "no temporary download left beside the model");
            }

            ModelStoreException missing = assertThrows(ModelStoreException.class,
                    () -> store.fetchDirectory(server.uri().resolve("models/none/"), cache));
            assertTrue(missing.getMessage().startsWith("no model at " + server.uri() + "models/none/"),
                    missing.getMessage());
        }
    }

    @Test
    void aModelDirectoryWhoseManifestPinsNoSha256IsRefused() throws Exception {
        Path model = Fixtures.model(tmp.resolve("export"), "1");
        ModelManifest unpinned = ModelManifest.read(model.resolve("model.json")).toBuilder().optSha256(null).build();
        unpinned.write(model.resolve("model.json"));
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            ModelException e = assertThrows(ModelException.class,
                    () -> store.fetchDirectory(model.toUri(), tmp.resolve("cache")));
            assertTrue(e.getMessage().contains("pins no sha256 of model.onnx, so a download of model road:1 cannot be"
                    + " verified: add \"sha256\""), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("cache/road")));

            unpinned.toBuilder().optSha256(ModelStore.sha256(model.resolve("model.onnx"))).build()
                    .write(model.resolve("model.json"));
            Path local = store.fetchDirectory(model.toUri(), tmp.resolve("cache"));
            assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")), Files.readAllBytes(local.resolve("model.onnx")));
        }
    }

    @Test
    void aReadOnlyWebServerSaysHowToStoreInstead() throws Exception {
        Path model = Fixtures.model(tmp.resolve("export"), "1");
        try (FileServer server = FileServer.serving(Files.createDirectories(tmp.resolve("www")), false);
                ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            ModelStoreException e = assertThrows(ModelStoreException.class, () -> store.put(model, server.uri()));
            assertTrue(e.getMessage().contains("answered HTTP 405: this web server is read-only"), e.getMessage());
        }
    }

    @Test
    void s3StoreRoundTripsThroughAnS3CompatibleServer() throws Exception {
        // the in-memory jclouds store, named by its metadata so that no other (cloud) provider is looked up
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata()).build(BlobStoreContext.class);
        BlobStore blobs = context.getBlobStore();
        blobs.createContainerInLocation(null, "models");
        S3Proxy s3 = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "segstream-test", "segstream-test-secret")
                .build();
        s3.start();
        String previousKey = System.setProperty("aws.accessKeyId", "segstream-test");
        String previousSecret = System.setProperty("aws.secretAccessKey", "segstream-test-secret");
        try {
            awaitStarted(s3);
            ModelStoreOptions options = ModelStoreOptions.fromMap(Map.of(
                    ModelStoreOptions.S3_ENDPOINT, "http://127.0.0.1:" + s3.getPort(),
                    ModelStoreOptions.S3_PATH_STYLE, "true"));
            Path model = Fixtures.model(tmp.resolve("export"), "3");
            try (ModelStore store = ModelStore.open(options)) {
                StoredModel stored = store.put(model, URI.create("s3://models/rail"));
                assertEquals(URI.create("s3://models/rail/road/3/"), stored.artifact().uri());
                assertTrue(blobs.blobExists("models", "rail/road/3/model.onnx"));
                assertTrue(blobs.blobExists("models", "rail/road/3/model.json"));
                assertTrue(store.put(model, URI.create("s3://models/rail")).alreadyStored());

                Path local = store.fetch(stored.artifact(), tmp.resolve("cache"));
                assertArrayEquals(Files.readAllBytes(model.resolve("model.onnx")),
                        Files.readAllBytes(local.resolve("model.onnx")));

                ModelArtifact missing = new ModelArtifact("road", "4", URI.create("s3://models/rail/road/4/"),
                        stored.artifact().sha256(), 5);
                assertMessage(store, missing, tmp.resolve("cache"), "model road:4 is not in the S3 store");
            }
            // the same store with a wrong secret: S3 refuses the signed request
            System.setProperty("aws.secretAccessKey", "not-the-secret");
            try (ModelStore store = ModelStore.open(options)) {
                ModelStoreException e = assertThrows(ModelStoreException.class,
                        () -> store.fetch(new ModelArtifact("road", "3", URI.create("s3://models/rail/road/3/"),
                                ModelStore.sha256(model.resolve("model.onnx")), 5), tmp.resolve("cache2")));
                assertTrue(e.getMessage().startsWith("cannot fetch model road:3 from s3://models/rail/road/3/: S3 GET"),
                        e.getMessage());
            }
        } finally {
            restore("aws.accessKeyId", previousKey);
            restore("aws.secretAccessKey", previousSecret);
            s3.stop();
            context.close();
        }
    }

    private static void awaitStarted(S3Proxy s3) throws InterruptedException {
        for (int i = 0; i < 200 && !"STARTED".equals(s3.getState()); i++) {
            Thread.sleep(25);
        }
        assertEquals("STARTED", s3.getState());
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }

    private static void assertMessage(ModelStore store, ModelArtifact artifact, Path cache, String fragment) {
        ModelStoreException e = assertThrows(ModelStoreException.class, () -> store.fetch(artifact, cache));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }
}
