package io.segstream.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The parts of Flink's REST API that {@code flink run} and {@code flink stop} use: upload a jar, run it with program
 * arguments (from a savepoint if asked), follow the job, stop it with a savepoint.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(250);

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkRest(String base) {
        this.base = base;
    }

    /** A job's state and its vertices (name, parallelism, status). */
    public record JobStatus(String state, List<Vertex> vertices) {}

    /** One vertex of a job graph. */
    public record Vertex(String id, String name, int parallelism, String status) {}

    /** Uploads a job jar ({@code POST /jars/upload}) and returns its jar id. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "segstream-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofString(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")))
                .timeout(Duration.ofSeconds(120))
                .build();
        JsonNode answer = send(request);
        String file = answer.path("filename").asText();
        if (!"success".equals(answer.path("status").asText()) || file.isEmpty()) {
            throw new IOException("uploading " + jar + " answered " + answer);
        }
        return Path.of(file).getFileName().toString();
    }

    /**
     * Runs an uploaded jar's main ({@code POST /jars/:id/run}) with {@code args}, from {@code savepoint} unless it is
     * null, and returns the job id.
     */
    public String runJar(String jarId, List<String> args, String savepoint) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
            body.put("allowNonRestoredState", false);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", body, Duration.ofSeconds(180));
        String job = answer.path("jobid").asText();
        if (job.isEmpty()) {
            throw new IOException("running jar " + jarId + " answered " + answer);
        }
        return job;
    }

    /** The job's state and vertices ({@code GET /jobs/:id}). */
    public JobStatus job(String jobId) throws IOException, InterruptedException {
        JsonNode answer = get("/jobs/" + jobId);
        List<Vertex> vertices = new ArrayList<>();
        for (JsonNode v : answer.path("vertices")) {
            vertices.add(new Vertex(v.path("id").asText(), v.path("name").asText(), v.path("parallelism").asInt(),
                    v.path("status").asText()));
        }
        return new JobStatus(answer.path("state").asText(), vertices);
    }

    /**
     * Waits until every vertex of the job runs; fails with the job's exceptions if it ends instead.
     */
    public JobStatus awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus status = job(jobId);
        while (!(status.state().equals("RUNNING") && !status.vertices().isEmpty()
                && status.vertices().stream().allMatch(v -> v.status().equals("RUNNING")))) {
            if (Set.of("FAILED", "CANCELED", "FINISHED").contains(status.state())) {
                throw new IOException("job " + jobId + " ended " + status.state() + " before it ran: " + exceptions(jobId));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " did not run within " + timeout.toSeconds() + " s: " + status);
            }
            Thread.sleep(POLL.toMillis());
            status = job(jobId);
        }
        return status;
    }

    /** Waits until the job has ended (FINISHED, CANCELED or FAILED) and returns its final state. */
    public String awaitEnd(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatus status = job(jobId);
        while (!Set.of("FAILED", "CANCELED", "FINISHED").contains(status.state())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " did not end within " + timeout.toSeconds() + " s: " + status);
            }
            Thread.sleep(POLL.toMillis());
            status = job(jobId);
        }
        return status.state();
    }

    /** The job's root exception and the history of its failures, as text. */
    public String exceptions(String jobId) throws IOException, InterruptedException {
        JsonNode answer = get("/jobs/" + jobId + "/exceptions");
        StringBuilder out = new StringBuilder();
        for (JsonNode entry : answer.path("exceptionHistory").path("entries")) {
            out.append(entry.path("taskName").asText()).append(": ").append(entry.path("stacktrace").asText())
                    .append('\n');
        }
        return out.isEmpty() ? answer.toString() : out.toString();
    }

    /** How many checkpoints of the job have completed ({@code GET /jobs/:id/checkpoints}). */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** Waits until {@code more} checkpoints after the ones completed now have completed. */
    public void awaitCheckpoints(String jobId, int more, Duration timeout) throws IOException, InterruptedException {
        long target = completedCheckpoints(jobId) + more;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completedCheckpoints(jobId) < target) {
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " completed no " + more + " checkpoints within "
                        + timeout.toSeconds() + " s: " + job(jobId));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The TaskManagers running subtasks of one vertex ({@code GET /jobs/:id/vertices/:vid/taskmanagers}). */
    public List<String> taskManagersOf(String jobId, String vertexId) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertexId + "/taskmanagers").path("taskmanagers")) {
            ids.add(tm.path("taskmanager-id").asText(tm.path("endpoint").asText()));
        }
        return ids;
    }

    /**
     * Stops the job with a savepoint into {@code directory} ({@code POST /jobs/:id/stop}, as {@code flink stop})
     * and returns the savepoint's location once it is complete.
     */
    public String stopWithSavepoint(String jobId, Path directory, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", directory.toUri().toString());
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body, Duration.ofSeconds(30)).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode answer = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(answer.path("status").path("id").asText())) {
                JsonNode operation = answer.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IOException("stop-with-savepoint of job " + jobId + " failed: " + operation);
                }
                return operation.path("location").asText();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("stop-with-savepoint of job " + jobId + " did not complete within "
                        + timeout.toSeconds() + " s: " + answer);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Cancels the job ({@code PATCH /jobs/:id?mode=cancel}). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build());
    }

    /** Waits until the JobManager answers and {@code count} TaskManagers have registered. */
    public void awaitTaskManagers(int count, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode overview = get("/overview");
                if (overview.path("taskmanagers").asInt() >= count) {
                    return;
                }
                last = overview.toString();
            } catch (IOException e) {
                // not listening yet (connection refused), or 503 while the leader election runs
                last = e.toString();
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IOException(count + " TaskManagers did not register within " + timeout.toSeconds() + " s; last: "
                + last);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .timeout(timeout)
                .build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
