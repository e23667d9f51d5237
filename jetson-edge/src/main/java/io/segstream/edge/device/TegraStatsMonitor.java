package io.segstream.edge.device;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs NVIDIA's {@code tegrastats --interval MS} beside the agent and keeps its latest line, read as {@link TegraStats},
 * for {@code /metrics} and {@code /healthz}. Where there is no tegrastats (not a Jetson, or {@code tegrastats: off})
 * there is no monitor: one info line says so and nothing else changes.
 *
 * <pre>
 *   tegrastats --interval MS ──stdout──▶ reader thread ──parse──▶ latest()
 * </pre>
 *
 * <pre>{@code
 * try (TegraStatsMonitor m = TegraStatsMonitor.start("auto", Duration.ofSeconds(1)).orElse(null)) { ... m.latest() ... }
 * }</pre>
 */
public final class TegraStatsMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TegraStatsMonitor.class);
    /** {@code tegrastats:} values besides a path. */
    public static final String AUTO = "auto";
    public static final String OFF = "off";

    private final Process process;
    private final Thread reader;
    private volatile TegraStats latest;
    private volatile long lines;
    private volatile long unreadable;
    private volatile boolean closing;

    private TegraStatsMonitor(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "tegrastats");
        this.reader.setDaemon(true);
    }

    /**
     * Starts tegrastats: {@code setting} is {@value #AUTO} (the {@code tegrastats} on PATH, if any), {@value #OFF}, or
     * the path of the executable. Empty when there is none to run (said once at info level).
     *
     * @throws IOException when a configured tegrastats does not exist or does not start
     */
    public static Optional<TegraStatsMonitor> start(String setting, Duration interval) throws IOException {
        Optional<Path> exe = locate(setting, System.getenv("PATH"));
        if (exe.isEmpty()) {
            LOG.info("no tegrastats {}: /metrics and /healthz carry no Jetson GPU, memory controller, RAM and "
                    + "temperature figures", OFF.equals(setting) ? "(tegrastats: off)" : "on PATH");
            return Optional.empty();
        }
        Process p;
        try {
            p = new ProcessBuilder(exe.get().toString(), "--interval", Long.toString(interval.toMillis()))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + exe.get() + " --interval " + interval.toMillis() + ": "
                    + e.getMessage() + "; check the path or set tegrastats: off", e);
        }
        TegraStatsMonitor m = new TegraStatsMonitor(p);
        m.reader.start();
        LOG.info("tegrastats: {} --interval {} for GPU, memory controller, RAM and temperatures", exe.get(),
                interval.toMillis());
        return Optional.of(m);
    }

    /**
     * Which tegrastats to run: none for {@value #OFF}, the first executable {@code tegrastats} on {@code pathEnv} for
     * {@value #AUTO} (or none), else the configured path.
     *
     * @throws IllegalArgumentException when a configured path is not an executable file
     */
    public static Optional<Path> locate(String setting, String pathEnv) {
        if (OFF.equals(setting)) {
            return Optional.empty();
        }
        if (setting == null || AUTO.equals(setting)) {
            if (pathEnv == null) {
                return Optional.empty();
            }
            for (String dir : pathEnv.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path candidate = Path.of(dir, "tegrastats");
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate);
                    }
                }
            }
            return Optional.empty();
        }
        Path configured = Path.of(setting);
        if (!Files.isRegularFile(configured) || !Files.isExecutable(configured)) {
            throw new IllegalArgumentException("tegrastats '" + setting + "' is not an executable file; give its path"
                    + " (on JetPack: /usr/bin/tegrastats), auto or off");
        }
        return Optional.of(configured);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                try {
                    latest = TegraStats.parse(line);
                } catch (IllegalArgumentException e) {
                    unreadable++;
                    if (unreadable <= 3) {
                        LOG.warn("tegrastats: {}", e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("tegrastats output ended: {}", e.toString());
        }
        if (!closing) {
            LOG.warn("tegrastats stopped after {} lines; Jetson figures are no longer updated", lines);
        }
    }

    /** The last line read, or null before the first. */
    public TegraStats latest() {
        return latest;
    }

    /** Lines that were not tegrastats' output. */
    public long unreadableLines() {
        return unreadable;
    }

    /** Stops tegrastats. */
    @Override
    public void close() {
        closing = true;
        process.destroy();
        try {
            if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
