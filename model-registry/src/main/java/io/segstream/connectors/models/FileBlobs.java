package io.segstream.connectors.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** {@code file://} URIs: a folder on a local or mounted file system (NFS, a Kubernetes volume). */
final class FileBlobs implements BlobAccess {

    @Override
    public InputStream read(URI file) throws IOException {
        return Files.newInputStream(Path.of(file));
    }

    /** Writes beside the target first and renames, so readers never see a half-written file. */
    @Override
    public void write(URI file, Path source) throws IOException {
        Path target = Path.of(file);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String describe() {
        return "file system";
    }
}
