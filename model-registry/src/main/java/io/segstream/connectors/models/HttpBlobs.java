package io.segstream.connectors.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code http://} and {@code https://} URIs: GET to read; PUT to write, which plain web servers refuse but
 * artifact repositories (Nexus and Artifactory raw repositories, WebDAV, nginx with {@code dav_methods PUT})
 * accept. No credentials are sent.
 */
final class HttpBlobs implements BlobAccess {
    private final HttpClient client;
    private final Duration timeout;

    HttpBlobs(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    @Override
    public InputStream read(URI file) throws IOException {
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(file).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        response.body().close();
        if (status == 404 || status == 410) {
            throw new NoSuchFileException(file.toString(), null, "HTTP " + status);
        }
        throw new IOException("GET " + file + " answered HTTP " + status);
    }

    @Override
    public void write(URI file, Path source) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(file).timeout(timeout)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(source)).build(), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status != 200 && status != 201 && status != 204) {
            throw new IOException("PUT " + file + " answered HTTP " + status + (status == 405 || status == 501
                    ? ": this web server is read-only; store the model with a server that takes PUT (an artifact"
                            + " repository, WebDAV) or on file:// or s3:// and serve that over http"
                    : ""));
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(request.method() + " " + request.uri() + " was interrupted");
        }
    }

    @Override
    public String describe() {
        return "HTTP server";
    }
}
