package io.segstream.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (a WebSocket, the JDK's own client).
 *
 * <p>Why not {@code --dump-dom} and {@code --screenshot}: both wait for Chromium's virtual time budget, and virtual
 * time does not advance while a request is open, which an event stream always is; the DevTools protocol reads the
 * page as it is, in real time, as often as a test asks.
 *
 * <pre>{@code
 * try (HeadlessChromium browser = HeadlessChromium.start(tmp, 1400, 900)) {
 *     browser.navigate(url);
 *     String n = browser.waitFor("document.querySelectorAll('.tile').length", v -> v.equals("2"), timeout);
 *     Files.write(shot, browser.screenshot());
 * }
 * }</pre>
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> consoleErrors = new ArrayList<>();

    private HeadlessChromium(Process process, WebSocket.Builder sockets, URI page) throws Exception {
        this.process = process;
        this.socket = sockets.buildAsync(page, new Listener()).get(30, TimeUnit.SECONDS);
        call("Runtime.enable", Map.of());
    }

    /** The chromium binary on the PATH (or {@code -Dchromium=PATH}), or null. */
    static Path binary() {
        String configured = System.getProperty("chromium");
        if (configured != null) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Starts a headless browser with a fresh profile under {@code tmp} and a window of the given size. */
    static HeadlessChromium start(Path tmp, int width, int height) throws Exception {
        Path chromium = binary();
        if (chromium == null) {
            throw new IllegalStateException("no chromium on the PATH: install Debian's chromium package"
                    + " (apt-get install -y chromium; .ci/run does) or pass -Dchromium=PATH");
        }
        Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--hide-scrollbars",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String endpoint = devToolsEndpoint(p);
            HttpClient http = HttpClient.newHttpClient();
            URI list = URI.create("http://" + URI.create(endpoint).getAuthority() + "/json/list");
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) {
                if ("page".equals(t.path("type").asText())) {
                    return new HeadlessChromium(p, http.newWebSocketBuilder(),
                            URI.create(t.get("webSocketDebuggerUrl").asText()));
                }
            }
            throw new IllegalStateException("chromium opened no page: " + targets);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** Chromium prints "DevTools listening on ws://..." on stderr once it is ready; the rest of stderr is drained. */
    private static String devToolsEndpoint(Process p) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line = err.readLine(); line != null; line = err.readLine()) {
            int at = line.indexOf("ws://");
            if (line.startsWith("DevTools listening on") && at >= 0) {
                Thread drain = new Thread(() -> {
                    try {
                        while (err.readLine() != null) {
                            // chromium's own log lines (dbus, gpu) are noise here
                        }
                    } catch (IOException ignored) {
                        // the browser closed
                    }
                }, "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return line.substring(at).trim();
            }
            seen.add(line);
        }
        throw new IOException("chromium exited before it listened for DevTools: " + String.join("\n", seen));
    }

    /** Opens {@code url} in the page. */
    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** The value of a JavaScript expression in the page, as text (JSON for objects). */
    String evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("the page threw on " + expression + ": " + r.get("exceptionDetails"));
        }
        JsonNode v = r.path("result").path("value");
        return v.isTextual() ? v.asText() : v.toString();
    }

    /**
     * Evaluates {@code expression} until {@code done} accepts its value, and returns that value.
     *
     * @throws AssertionError with the last value and the page's console errors if that does not happen in time
     */
    String waitFor(String expression, Predicate<String> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = evaluate(expression);
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the page did not reach the expected state within " + timeout.toSeconds()
                + " s: " + expression + " is " + last + "; console errors: " + consoleErrors());
    }

    /** A PNG of the page as shown. */
    byte[] screenshot() throws Exception {
        return Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png")).get("data")
                .asText());
    }

    /** The page's uncaught exceptions and console errors so far. */
    synchronized List<String> consoleErrors() {
        return List.copyOf(consoleErrors);
    }

    private JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", JSON.valueToTree(params));
        socket.sendText(JSON.writeValueAsString(msg), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode answer = result.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new IllegalStateException(method + " failed: " + answer.get("error"));
        }
        return answer.path("result");
    }

    private synchronized void consoleError(String text) {
        consoleErrors.add(text);
    }

    @Override
    public void close() throws InterruptedException {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Collects message fragments; answers complete their call, events of interest are kept. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode msg = JSON.readTree(text.toString());
                    if (msg.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    } else if ("Runtime.exceptionThrown".equals(msg.path("method").asText())) {
                        consoleError(msg.path("params").path("exceptionDetails").toString());
                    } else if ("Runtime.consoleAPICalled".equals(msg.path("method").asText())
                            && "error".equals(msg.path("params").path("type").asText())) {
                        consoleError(msg.path("params").path("args").toString());
                    }
                } catch (IOException e) {
                    consoleError("unreadable DevTools message: " + e.getMessage());
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
