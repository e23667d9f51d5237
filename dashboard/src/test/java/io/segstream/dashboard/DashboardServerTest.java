package io.segstream.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.core.alerts.AlertRules;
import io.segstream.schemas.AlertState;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's web server over real HTTP, fed by a state the test drives (no Kafka needed for this part). */
class DashboardServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GUARD = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();
    private DashboardState state;
    private DashboardServer server;

    @BeforeEach
    void start() throws Exception {
        state = new DashboardState(4, System::currentTimeMillis);
        AlertRules rules = AlertRules.parse("""
                label_set: rail-20
                zones:
                  corridor:
                    default: [[0.25, 0.5], [0.75, 0.5], [0.75, 1.0], [0.25, 1.0]]
                rules:
                  - id: person-in-corridor
                    severity: CRITICAL
                    classes: [person]
                    zone: corridor
                    min_fraction: 0.1
                    debounce: {at_least: 2, of: 3}
                    clear: {fraction: 0.1, at_most: 0, of: 3}
                """, "test rules");
        server = new DashboardServer(state, new OverlayRenderer(rules), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void thePageAndItsFilesComeFromTheJarWithNothingFromElsewhere() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("<script src=\"/static/app.js\">"), page.body());
        for (String path : List.of("/static/app.js", "/static/app.css")) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path);
            assertFalse(r.body().contains("https://") || r.body().contains("http://"), path + " loads nothing remote");
        }
        assertEquals(404, get("/static/../pom.xml").statusCode());
        assertEquals(404, get("/nothing").statusCode());
    }

    @Test
    void aNewStreamStartsWithASnapshotThenLiveEvents() throws Exception {
        state.onFrame(Records.frame("cam-a", 0, false));
        state.onMask(Records.mask("cam-a", 0, false));
        assertTimeoutPreemptively(GUARD, () -> {
            try (EventStream events = EventStream.open(http, uri("/events"), null)) {
                SseEvent snapshot = events.next();
                assertEquals("snapshot", snapshot.type);
                assertTrue(snapshot.id.endsWith("-1"), "the snapshot stands for event 1: " + snapshot.id);
                JsonNode data = JSON.readTree(snapshot.data);
                assertEquals("cam-a", data.get("cameras").get(0).get("camera").asText());
                assertEquals(1, data.get("counters").get("masks").asLong());

                state.onAlert(Records.alert("cam-a", 0, "person-in-corridor", AlertState.RAISED));
                SseEvent alert = events.next();
                assertEquals("alert", alert.type);
                assertEquals(epoch(snapshot.id) + "-2", alert.id);
                assertEquals("cam-a:person-in-corridor:0", JSON.readTree(alert.data).get("alert").get("alertId")
                        .asText());
            }
        });
    }

    @Test
    void aReconnectWithLastEventIdGetsExactlyWhatItMissed() throws Exception {
        assertTimeoutPreemptively(GUARD, () -> {
            String lastId;
            try (EventStream events = EventStream.open(http, uri("/events"), null)) {
                assertEquals("snapshot", events.next().type);
                state.onMask(Records.mask("cam-a", 0, false));
                lastId = events.next().id;
            }
            // while the browser is away
            state.onMask(Records.mask("cam-a", 1, false));
            state.onMask(Records.mask("cam-b", 1, false));
            state.onDeadLetter(Records.deadLetter("undecodable"));
            try (EventStream events = EventStream.open(http, uri("/events"), lastId)) {
                List<SseEvent> missed = List.of(events.next(), events.next(), events.next());
                String epoch = epoch(lastId);
                assertEquals(List.of(epoch + "-2", epoch + "-3", epoch + "-4"), missed.stream().map(e -> e.id).toList(),
                        "no snapshot, no repeat, no gap");
                assertEquals(List.of("camera", "camera", "system"), missed.stream().map(e -> e.type).toList());
                assertEquals("cam-b", JSON.readTree(missed.get(1).data).get("tile").get("camera").asText());
                state.onMask(Records.mask("cam-a", 2, false));
                assertEquals(epoch + "-5", events.next().id, "then live again");
            }
        });
    }

    @Test
    void anIdFromAnotherServerGetsASnapshot() throws Exception {
        state.onMask(Records.mask("cam-a", 0, false));
        assertTimeoutPreemptively(GUARD, () -> {
            try (EventStream events = EventStream.open(http, uri("/events"), "zzzz-1")) {
                SseEvent first = events.next();
                assertEquals("snapshot", first.type, "a restarted server's ids mean nothing here");
            }
        });
    }

    @Test
    void theOverlayIsTheFrameWithItsMaskBlendedAndZonesDrawn() throws Exception {
        state.onFrame(Records.frame("cam-a", 3, true));
        state.onMask(Records.mask("cam-a", 3, true));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri("/api/overlay?camera=cam-a&seq=3")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("content-type").orElseThrow());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertEquals(Records.WIDTH, img.getWidth());
        // person (220,20,60) over the red box (255,0,0) at alpha 0.45 (115/256): (255*141+220*115)>>8 = 239, ...
        assertEquals(0xEF081A, img.getRGB(30, 26) & 0xFFFFFF);
        // road (128,64,128) over grey 128: G = (128*141+64*115)>>8 = 99
        assertEquals(0x806380, img.getRGB(2, 30) & 0xFFFFFF);

        HttpResponse<byte[]> thumb = http.send(HttpRequest.newBuilder(uri("/api/thumbnail?alert=nope")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, thumb.statusCode());
        state.onAlert(Records.alert("cam-a", 3, "person-in-corridor", AlertState.RAISED));
        thumb = http.send(HttpRequest.newBuilder(uri("/api/thumbnail?alert=cam-a:person-in-corridor:3")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, thumb.statusCode());
        assertEquals(Records.WIDTH, ImageIO.read(new ByteArrayInputStream(thumb.body())).getWidth(),
                "a frame smaller than a thumbnail keeps its size");
    }

    @Test
    void theLegendListsTheLabelSetsClassesWithTheirColours() throws Exception {
        JsonNode classes = JSON.readTree(get("/api/labels?set=rail-20").body());
        assertEquals(20, classes.size());
        assertEquals("road", classes.get(0).get("name").asText());
        assertEquals("#804080", classes.get(0).get("color").asText());
        assertEquals("rail track", classes.get(19).get("name").asText());
        assertEquals(404, get("/api/labels?set=nope").statusCode());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String epoch(String id) {
        return id.substring(0, id.lastIndexOf('-'));
    }

    record SseEvent(String id, String type, String data) {}

    /** Reads a text/event-stream as a browser's EventSource would, one event at a time. */
    static final class EventStream implements AutoCloseable {
        private final InputStream body;
        private final BufferedReader lines;

        private EventStream(InputStream body) {
            this.body = body;
            this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        }

        static EventStream open(HttpClient http, URI uri, String lastEventId) throws Exception {
            HttpRequest.Builder req = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                req.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
            return new EventStream(r.body());
        }

        /** The next event with data; comments (heartbeats) and the retry field are skipped. */
        SseEvent next() throws IOException {
            String id = null;
            String type = "message";
            List<String> data = new ArrayList<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        return new SseEvent(id, type, String.join("\n", data));
                    }
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
            throw new IOException("the stream ended");
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }
}
