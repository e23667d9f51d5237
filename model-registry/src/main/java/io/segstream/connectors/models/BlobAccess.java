package io.segstream.connectors.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;

/**
 * Reads and writes single files of one URI scheme; {@link ModelStore} builds model directories, checksums and
 * caching on top. Missing objects are reported as {@link java.nio.file.NoSuchFileException} by every scheme.
 */
interface BlobAccess extends AutoCloseable {

    /** A stream of the file's bytes; the caller closes it. */
    InputStream read(URI file) throws IOException;

    /** Stores {@code source} as {@code file}, replacing what is there. */
    void write(URI file, Path source) throws IOException;

    /** Names the kind of store in messages, e.g. {@code S3 store}. */
    default String describe() {
        return getClass().getSimpleName();
    }

    @Override
    default void close() {
    }
}
