package io.segstream.training.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * A run's folder, {@code runs/<date>_<model>__<n>/} as the seeds name them: {@code config.json}, {@code train.log},
 * {@code metrics.csv}/{@code metrics.json}, the plots, and {@code checkpoints/}.
 */
public final class RunDirectory {
    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /** Creates the next free {@code <date>_<label>__<n>} under {@code parent}. */
    public static RunDirectory create(Path parent, String label, LocalDate date) throws IOException {
        Files.createDirectories(parent);
        String safe = label.replaceAll("[^A-Za-z0-9+._-]", "_");
        for (int n = 1; n < 10_000; n++) {
            Path dir = parent.resolve(date + "_" + safe + "__" + n);
            try {
                Files.createDirectory(dir);
                Files.createDirectories(dir.resolve("checkpoints"));
                return new RunDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // taken by an earlier run: try the next number
            }
        }
        throw new IOException("no free run directory name for " + label + " under " + parent);
    }

    public Path root() {
        return root;
    }

    public Path config() {
        return root.resolve("config.json");
    }

    public Path log() {
        return root.resolve("train.log");
    }

    public Path metricsCsv() {
        return root.resolve("metrics.csv");
    }

    public Path metricsJson() {
        return root.resolve("metrics.json");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path plot(String name) {
        return root.resolve(name + ".png");
    }

    /** Appends a line to {@code train.log}. */
    public void log(String line) {
        try {
            Files.writeString(log(), line + System.lineSeparator(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + log(), e);
        }
    }
}
