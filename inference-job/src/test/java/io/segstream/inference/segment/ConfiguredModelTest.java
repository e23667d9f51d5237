package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.core.model.BootstrapModel;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.schemas.MaskEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose {@code --model} is a store URI: each subtask fetches the bundled model from a JDK HTTP server on
 * 127.0.0.1 into its cache, verifies it against its manifest's SHA-256 and serves it; an altered graph never serves.
 */
class ConfiguredModelTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private ModelDirectory served;

    @BeforeEach
    void serveTheBundledModel() throws IOException {
        served = BootstrapModel.extractBundled(tmp.resolve("www/rail/current"));
        Path root = tmp.resolve("www");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> get(ex, root.resolve(ex.getRequestURI().getPath().substring(1)).normalize()));
        server.start();
    }

    private static void get(HttpExchange ex, Path file) throws IOException {
        try (ex) {
            if (!Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream out = ex.getResponseBody()) {
                Files.copy(file, out);
            }
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/rail/current/";
    }

    private ReleaseLifecycle lifecycle(String model) {
        SegmentationSettings settings = new SegmentationSettings(ConfiguredModel.location(model), Map.of(), null,
                MaskEncoding.PNG_CLASS_IDS, 1, 20, false, 1000, Set.of("datacenter"),
                tmp.resolve("cache").toString(), ModelStoreOptions.defaults(), null);
        return new ReleaseLifecycle(new ModelPreparer(settings, "test subtask"), settings.targets(),
                new ReleaseLifecycle.Listener() {
                    @Override
                    public void accepted() {}

                    @Override
                    public void rejected() {}

                    @Override
                    public void ignored() {}

                    @Override
                    public void swapped(ServingModel old, ServingModel next) {}
                });
    }

    @Test
    void aModelOnAWebServerIsFetchedVerifiedAndServed() throws Exception {
        try (ReleaseLifecycle subtask = lifecycle(uri())) {
            ServingModel serving = subtask.start(List.of());
            assertEquals(served.readManifest().id(), serving.id());
        }
        String sha = served.readManifest().sha256().orElseThrow();
        Path cached = tmp.resolve("cache/" + BootstrapModel.NAME + "/" + served.readManifest().version() + "-"
                + sha.substring(0, 16));
        assertEquals(sha, ModelStore.sha256(cached.resolve("model.onnx")));
    }

    @Test
    void anAlteredGraphIsRefusedBeforeItServes() throws Exception {
        byte[] onnx = Files.readAllBytes(served.modelFile());
        onnx[onnx.length - 1] ^= 1;
        Files.write(served.modelFile(), onnx);
        try (ReleaseLifecycle subtask = lifecycle(uri())) {
            ModelException e = assertThrows(ModelException.class, () -> subtask.start(List.of()));
            assertEquals("the configured model " + uri() + " cannot be fetched: " + uri() + "model.onnx has SHA-256 "
                    + ModelStore.sha256(served.modelFile()) + " but the manifest of model " + served.readManifest().id()
                    + " says " + served.readManifest().sha256().orElseThrow()
                    + ": the file was altered or belongs to another model", e.getMessage());
        }
    }

    @Test
    void aPathIsMadeAbsoluteAndAnUnknownSchemeIsRefused() {
        assertEquals(Path.of("models/current").toAbsolutePath().toString(), ConfiguredModel.location("models/current"));
        assertEquals("s3://models/rail/current/", ConfiguredModel.location("s3://models/rail/current/"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfiguredModel.location("ftp://models.example.com/rail/"));
        assertTrue(e.getMessage().contains("use file://, http://, https:// or s3://"), e.getMessage());
    }
}
