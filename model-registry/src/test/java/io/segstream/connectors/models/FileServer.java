package io.segstream.connectors.models;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 serving a folder: GET reads files (404 when missing), PUT writes them when the
 * server is writable and answers 405 otherwise, like a plain web server.
 */
final class FileServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;
    private final boolean writable;
    final AtomicInteger puts = new AtomicInteger();

    private FileServer(Path root, boolean writable) throws IOException {
        this.root = root;
        this.writable = writable;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static FileServer serving(Path root, boolean writable) throws IOException {
        return new FileServer(root, writable);
    }

    /** The URI of the served folder. */
    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(root)) {
                ex.sendResponseHeaders(403, -1);
                return;
            }
            switch (ex.getRequestMethod()) {
                case "GET" -> {
                    if (!Files.isRegularFile(file)) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    ex.sendResponseHeaders(200, Files.size(file));
                    try (OutputStream out = ex.getResponseBody()) {
                        Files.copy(file, out);
                    }
                }
                case "PUT" -> {
                    if (!writable) {
                        ex.sendResponseHeaders(405, -1);
                        return;
                    }
                    Files.createDirectories(file.getParent());
                    try (InputStream in = ex.getRequestBody()) {
                        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                    puts.incrementAndGet();
                    ex.sendResponseHeaders(201, -1);
                }
                default -> ex.sendResponseHeaders(405, -1);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
