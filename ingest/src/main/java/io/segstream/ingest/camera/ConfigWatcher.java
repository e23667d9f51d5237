package io.segstream.ingest.camera;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the cameras file and hands each new valid version to a consumer; an invalid edit is logged once and the
 * running cameras stay as they are.
 *
 * <p>Polls the file's content rather than using a {@code WatchService}: editors that write a temp file and rename,
 * Kubernetes ConfigMap symlink swaps and network file systems all show up as changed content, not always as events.
 * {@link #poll()} is called by the service's scheduler.
 */
public final class ConfigWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Consumer<CamerasConfig> onChange;
    private byte[] lastDigest;

    /** Watches {@code file}; {@code initialContent} is the version already applied, so it is not applied again. */
    public ConfigWatcher(Path file, byte[] initialContent, Consumer<CamerasConfig> onChange) {
        this.file = file;
        this.onChange = onChange;
        this.lastDigest = digest(initialContent);
    }

    /** Reads the file; when its content changed, parses it and, if valid, hands it over. */
    public void poll() {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            byte[] d = digest(new byte[0]);
            if (!Arrays.equals(d, lastDigest)) {
                LOG.error("cannot read the cameras file {}: {}; the running cameras stay as they are", file,
                        e.toString());
                lastDigest = d;
            }
            return;
        }
        byte[] d = digest(content);
        if (Arrays.equals(d, lastDigest)) {
            return;
        }
        lastDigest = d;
        CamerasConfig config;
        try {
            config = CamerasConfig.parse(new String(content, java.nio.charset.StandardCharsets.UTF_8), file.toString());
        } catch (CameraConfigException e) {
            LOG.error("{}; the running cameras stay as they are until the file is fixed", e.getMessage());
            return;
        }
        LOG.info("{} changed: {} cameras configured", file, config.cameras().size());
        onChange.accept(config);
    }

    private static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
