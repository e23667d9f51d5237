package io.segstream.inference.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreOptions;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.core.model.ModelDirectory;
import io.segstream.inference.ColourModel;
import io.segstream.schemas.Alert;
import io.segstream.schemas.MaskEncoding;
import io.segstream.schemas.ModelRelease;
import io.segstream.schemas.Severity;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release lifecycle of one subtask without Flink, on real colour models in a file model store: which releases
 * are ignored, prepared and swapped in, rejected with an alert, and which model a restored or fresh subtask starts
 * with. The job answers to {@code datacenter}; its configured model is {@code colour:1}.
 */
class ReleaseLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
    private static final AtomicInteger DIRS = new AtomicInteger();

    @TempDir
    static Path models;
    private static Path v1;
    private static URI registry;

    @TempDir
    Path cache;
    private SegmentationSettings settings;
    private ReleaseLifecycle lifecycle;
    private final List<String> events = new ArrayList<>();

    @BeforeAll
    static void writeModels() throws Exception {
        v1 = ColourModel.write(models.resolve("colour-1"), "1");
        registry = models.resolve("registry").toUri();
    }

    @BeforeEach
    void settings() {
        settings = new SegmentationSettings(v1.toString(), Map.of(), null, MaskEncoding.PNG_CLASS_IDS, 4, 20, false,
                1000, Set.of("datacenter"), cache.toString(), ModelStoreOptions.defaults(), null);
    }

    @AfterEach
    void close() {
        if (lifecycle != null) {
            lifecycle.close();
        }
    }

    /** A lifecycle that writes every decision into {@link #events}. */
    private ReleaseLifecycle lifecycle() {
        return lifecycle(new ModelPreparer(settings, "test subtask"));
    }

    private ReleaseLifecycle lifecycle(ModelPreparer preparer) {
        lifecycle = new ReleaseLifecycle(preparer, settings.targets(),
                new ReleaseLifecycle.Listener() {
                    @Override
                    public void accepted() {
                        events.add("accepted");
                    }

                    @Override
                    public void rejected() {
                        events.add("rejected");
                    }

                    @Override
                    public void ignored() {
                        events.add("ignored");
                    }

                    @Override
                    public void swapped(ServingModel old, ServingModel next) {
                        events.add("swapped " + old.id() + " for " + next.id());
                    }
                });
        return lifecycle;
    }

    private static ModelRelease release(Path modelDir, String target, Instant releasedAt) throws Exception {
        try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
            return ModelReleases.describe(store.put(modelDir, registry), target, Optional.empty(), releasedAt);
        }
    }

    private static ModelRelease good(String version, String target, Instant releasedAt) throws Exception {
        return release(ColourModel.write(models.resolve("good-" + DIRS.incrementAndGet()), version), target,
                releasedAt);
    }

    /** A sound model released with a SHA-256 of other bytes. */
    private static ModelRelease wrongSha(String version, Instant releasedAt) throws Exception {
        ModelRelease r = good(version, "all", releasedAt);
        r.setSha256(ModelDirectory.sha256("other bytes".getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private static ModelRelease nan(String version, Instant releasedAt) throws Exception {
        return release(ColourModel.writeNaN(models.resolve("nan-" + DIRS.incrementAndGet()), version), "all",
                releasedAt);
    }

    /** Waits for every preparation under way to end and applies it, as the operator does between batches. */
    private static void settle(ReleaseLifecycle l) throws InterruptedException {
        for (Future<ServingModel> f = l.preparation(); f != null; f = l.preparation()) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // a failed preparation is the lifecycle's to reject in applyPrepared
            }
            l.applyPrepared();
        }
    }

    private static String sha12(ModelRelease r) {
        return r.getSha256().substring(0, 12);
    }

    @Test
    void aReleaseForAnotherTargetIsIgnored() throws Exception {
        ReleaseLifecycle l = lifecycle();
        assertEquals("colour:1", l.start(List.of()).id());
        l.offer(good("2", "edge", T0));
        assertEquals(List.of("ignored"), events);
        assertNull(l.preparation(), "nothing is prepared for another target");
        assertEquals(List.of(), l.pendingToSnapshot());
        assertEquals("colour:1", l.servingId());
        assertEquals(List.of(), l.drainAlerts());
    }

    @Test
    void theModelAlreadyServingOrBeingPreparedIsIgnored() throws Exception {
        ModelRelease v2 = good("2", "datacenter", T0);
        ReleaseLifecycle l = lifecycle();
        assertEquals("colour:2", l.start(List.of(v2)).id());
        events.clear();
        // the same bytes released again later are still the model serving
        ModelRelease again = ModelRelease.newBuilder(v2).setReleasedAt(T0.plusSeconds(60)).build();
        l.offer(again);
        assertEquals(List.of("ignored"), events);
        assertNull(l.preparation());

        ModelRelease v3 = good("3", "all", T0.plusSeconds(120));
        l.offer(v3);
        l.offer(v3);
        assertEquals(List.of("ignored", "ignored"), events, "the second v3 is the model being prepared");
        assertEquals(List.of(v3), l.pendingToSnapshot());
        settle(l);
        assertEquals(List.of("ignored", "ignored", "swapped colour:2 for colour:3", "accepted"), events);
    }

    @Test
    void aValidReleaseIsPreparedOffTheHotPathAndSwappedInByApplyPrepared() throws Exception {
        ModelRelease v2 = good("2", "datacenter", T0);
        ReleaseLifecycle l = lifecycle();
        l.start(List.of());
        l.offer(v2);
        Future<ServingModel> preparation = l.preparation();
        assertNotNull(preparation, "offer starts preparing at once");
        assertEquals(List.of(v2), l.pendingToSnapshot(), "the release being prepared is kept as undecided");
        preparation.get();
        assertEquals("colour:1", l.servingId(), "a prepared model waits for applyPrepared");
        assertEquals(List.of(), l.servingToSnapshot(), "the configured model has no release");

        l.applyPrepared();
        assertEquals("colour:2", l.servingId());
        assertEquals("colour:2", l.serving().id());
        assertEquals(List.of("swapped colour:1 for colour:2", "accepted"), events);
        assertEquals(List.of(v2), l.servingToSnapshot());
        assertEquals(List.of(), l.pendingToSnapshot());
        assertNull(l.preparation());
        assertEquals(List.of(), l.drainAlerts());
    }

    @Test
    void aBrokenReleaseIsRejectedWithOneAlertAndTheOldModelKeepsServing() throws Exception {
        ModelRelease nan = nan("13", T0);
        ModelRelease wrongSha = wrongSha("10", T0.plusSeconds(60));
        ReleaseLifecycle l = lifecycle();
        l.start(List.of());
        l.offer(nan);
        l.offer(wrongSha);
        assertEquals(List.of(nan, wrongSha), l.pendingToSnapshot(), "taken one at a time, in arrival order");
        settle(l);

        assertEquals(List.of("rejected", "rejected"), events);
        assertEquals("colour:1", l.servingId());
        assertEquals(List.of(), l.servingToSnapshot());
        assertEquals(List.of(), l.pendingToSnapshot());
        assertTrue(l.hasAlerts());
        List<Alert> alerts = l.drainAlerts();
        assertEquals(2, alerts.size(), "one alert per rejected release: " + alerts);

        Alert a = alerts.get(0);
        assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED + "/colour:13/" + sha12(nan), a.getAlertId());
        assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED, a.getRuleId());
        assertEquals(Severity.WARNING, a.getSeverity());
        assertEquals("1", a.getModelVersion(), "names the model that keeps serving");
        assertEquals(T0, a.getCaptureTime());
        assertTrue(a.getMessage().startsWith("Model release colour:13 was rejected and colour:1 keeps serving: "),
                a.getMessage());
        assertTrue(a.getMessage().contains("non-finite"), a.getMessage());

        Alert b = alerts.get(1);
        assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED + "/colour:10/" + sha12(wrongSha), b.getAlertId());
        assertEquals("1", b.getModelVersion());
        assertTrue(b.getMessage().startsWith("Model release colour:10 was rejected and colour:1 keeps serving: "),
                b.getMessage());
        assertTrue(b.getMessage().contains("the file was altered or belongs to another release"), b.getMessage());

        assertEquals(List.of(), l.drainAlerts(), "alerts are handed out once");
        assertEquals(false, l.hasAlerts());
    }

    @Test
    void aRestoredReleaseThatNoLongerVerifiesFallsBackToTheConfiguredModel() throws Exception {
        ModelRelease broken = wrongSha("10", T0);
        ModelRelease v3 = good("3", "all", T0.plusSeconds(60));
        ReleaseLifecycle l = lifecycle();
        // union state: every subtask kept the same pending release
        l.restore(List.of(broken), List.of(v3, ModelRelease.newBuilder(v3).build()));
        assertTrue(l.restored());
        // a restored subtask decided on the topic's releases before its checkpoint and does not read them again
        ServingModel serving = l.start(List.of(good("2", "datacenter", T0)));

        assertEquals("colour:1", serving.id());
        assertEquals(List.of(), l.servingToSnapshot());
        assertEquals(List.of(v3), l.pendingToSnapshot(), "copies of one pending release are restored once");
        assertEquals(List.of(), events, "a failed restore is no release decision");
        List<Alert> alerts = l.drainAlerts();
        assertEquals(1, alerts.size(), alerts.toString());
        Alert a = alerts.get(0);
        assertEquals(SystemAlerts.MODEL_RESTORE_FAILED + "/colour:10/" + sha12(broken), a.getAlertId());
        assertEquals(SystemAlerts.MODEL_RESTORE_FAILED, a.getRuleId());
        assertEquals(Severity.CRITICAL, a.getSeverity());
        assertEquals("1", a.getModelVersion());
        assertTrue(a.getMessage().startsWith(
                "After a restart model colour:10 could not be served again, so colour:1 serves instead: "),
                a.getMessage());
    }

    @Test
    void aFreshStartServesTheNewestValidStartupReleaseAndTriesNoOlderOne() throws Exception {
        ModelRelease oldBroken = nan("4", T0);
        ModelRelease v2 = good("2", "datacenter", T0.plusSeconds(60));
        ModelRelease newestBroken = wrongSha("3", T0.plusSeconds(120));
        ModelRelease forEdge = good("6", "edge", T0.plusSeconds(180));
        ReleaseLifecycle l = lifecycle();

        ServingModel serving = l.start(List.of(oldBroken, v2, newestBroken, forEdge));

        assertEquals("colour:2", serving.id());
        assertEquals(List.of(v2), l.servingToSnapshot());
        assertEquals(List.of("accepted", "rejected"), events, "colour:4 is older than colour:2 and never tried");
        List<Alert> alerts = l.drainAlerts();
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals(SystemAlerts.MODEL_RELEASE_REJECTED + "/colour:3/" + sha12(newestBroken),
                alerts.get(0).getAlertId());
        assertEquals("2", alerts.get(0).getModelVersion(), "names the release chosen instead");
        assertTrue(alerts.get(0).getMessage().startsWith(
                "Model release colour:3 was rejected and colour:2 keeps serving: "), alerts.get(0).getMessage());
    }

    /** {@code release} with its artifact served over HTTP from the registry folder, on {@code port}. */
    private static ModelRelease overHttp(ModelRelease release, int port) {
        return ModelRelease.newBuilder(release).setArtifactUri(release.getArtifactUri()
                .replace(registry.toString().replaceAll("/$", ""), "http://127.0.0.1:" + port)).build();
    }

    /** A plain HTTP server on 127.0.0.1:{@code port} serving the registry folder (GET only, 404 when missing). */
    private static HttpServer serveRegistry(int port) throws IOException {
        Path root = Path.of(registry);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aReleaseWhoseStoreIsUnreachableStaysPendingAndSwapsInOnceTheStoreAnswers() throws Exception {
        int port = freePort();
        ModelRelease v2 = overHttp(good("2", "datacenter", T0), port);
        ModelPreparer preparer = new ModelPreparer(settings, "test subtask",
                new ModelPreparer.FetchRetries(200, Duration.ofMillis(20), Duration.ofMillis(50)));
        ReleaseLifecycle l = lifecycle(preparer);
        l.start(List.of());
        l.offer(v2);
        // nothing listens on the port: every fetch is refused
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (preparer.fetchRetries() < 3) {
            assertTrue(System.nanoTime() < deadline, "no fetch was tried again");
            Thread.sleep(10);
        }
        l.applyPrepared();
        assertEquals("colour:1", l.servingId(), "the serving model stays while the store is down");
        assertEquals(List.of(v2), l.pendingToSnapshot(), "the release stays pending, so a checkpoint keeps it");
        assertEquals(List.of(), events, "neither rejected nor swapped yet");
        assertEquals(List.of(), l.drainAlerts());

        HttpServer server = serveRegistry(port);
        try {
            settle(l);
        } finally {
            server.stop(0);
        }
        assertEquals(List.of("swapped colour:1 for colour:2", "accepted"), events);
        assertEquals("colour:2", l.servingId());
        assertEquals(List.of(), l.drainAlerts());
    }

    @Test
    void aStoreThatStaysUnreachableRejectsTheReleaseAfterItsLastAttemptWithOneAlert() throws Exception {
        ModelRelease v2 = overHttp(good("2", "datacenter", T0), freePort());
        ModelPreparer preparer = new ModelPreparer(settings, "test subtask",
                new ModelPreparer.FetchRetries(3, Duration.ofMillis(10), Duration.ofMillis(10)));
        ReleaseLifecycle l = lifecycle(preparer);
        l.start(List.of());
        l.offer(v2);
        settle(l);
        assertEquals(List.of("rejected"), events);
        assertEquals(2, preparer.fetchRetries(), "three attempts: the first and two more");
        List<Alert> alerts = l.drainAlerts();
        assertEquals(1, alerts.size());
        assertTrue(alerts.get(0).getMessage().contains("could not be reached in 3 attempts"), alerts.get(0).getMessage());
        assertEquals("colour:1", l.servingId());
    }

    @Test
    void aMissingArtifactIsRejectedAtOnceWithoutTryingAgain() throws Exception {
        int port = freePort();
        ModelRelease v2 = overHttp(good("2", "datacenter", T0), port);
        v2.setArtifactUri(v2.getArtifactUri().replace("/colour/2", "/colour/404"));
        ModelPreparer preparer = new ModelPreparer(settings, "test subtask",
                new ModelPreparer.FetchRetries(200, Duration.ofMillis(20), Duration.ofMillis(50)));
        ReleaseLifecycle l = lifecycle(preparer);
        l.start(List.of());
        HttpServer server = serveRegistry(port);
        try {
            l.offer(v2);
            settle(l);
        } finally {
            server.stop(0);
        }
        assertEquals(List.of("rejected"), events);
        assertEquals(0, preparer.fetchRetries(), "a 404 will not go away by asking again");
    }
}
