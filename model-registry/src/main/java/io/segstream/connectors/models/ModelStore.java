package io.segstream.connectors.models;

import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores model directories ({@code model.onnx} + {@code model.json}) under a root URI and fetches them back into
 * a local cache, verified. Schemes: {@code file://} (local or mounted folders), {@code http(s)://} (GET; PUT to
 * servers that take it, such as artifact repositories) and {@code s3://} (AWS S3 or any S3-compatible store,
 * see {@link ModelStoreOptions}).
 *
 * <p>A model is stored at {@code ROOT/NAME/VERSION/}; {@code model.json} is written last, with the SHA-256 of
 * {@code model.onnx} pinned, so a reader never sees a manifest before its graph. Storing the same bytes again
 * is a no-op; storing other bytes under a released name and version is refused.
 *
 * <p>A fetch checks the size and SHA-256 of {@code model.onnx} against the release while it downloads, before
 * anything reads the model; a truncated, oversized or altered file fails with a message saying which. Fetched
 * directories land in {@code CACHE/NAME/VERSION-SHA/} and are reused (re-verified) on the next fetch; several
 * processes may share one cache folder. {@link #fetchDirectory} fetches a model directory that no release
 * describes (a job's configured model given as a URI): its {@code model.json} first, then {@code model.onnx}
 * checked against the SHA-256 that manifest pins.
 *
 * <pre>{@code
 * try (ModelStore store = ModelStore.open(ModelStoreOptions.defaults())) {
 *     StoredModel stored = store.put(Path.of("export/unet"), URI.create("s3://models/rail/"));
 *     Path local = store.fetch(stored.artifact(), Path.of("/var/cache/segstream/models"));
 * }
 * }</pre>
 *
 * <p>Not thread-safe; open one store per thread.
 */
public final class ModelStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    /** Largest {@code model.json} a fetch accepts. */
    public static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    /** URI schemes a store understands. */
    public enum Scheme {
        FILE, HTTP, S3;

        /** The scheme of {@code uri}; {@code https} is {@link #HTTP}. */
        public static Scheme of(URI uri) {
            String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return switch (s) {
                case "file" -> FILE;
                case "http", "https" -> HTTP;
                case "s3" -> S3;
                default -> throw new IllegalArgumentException("'" + uri + "' is not a model store URI: use file://,"
                        + " http://, https:// or s3://");
            };
        }
    }

    private final ModelStoreOptions options;
    private final Map<Scheme, BlobAccess> blobs = new EnumMap<>(Scheme.class);
    private boolean closed;

    private ModelStore(ModelStoreOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A store reaching every scheme with {@code options}; clients are opened on first use. */
    public static ModelStore open(ModelStoreOptions options) {
        return new ModelStore(options);
    }

    // ---------------------------------------------------------------- put

    /**
     * Stores the model directory {@code modelDir} at {@code root/NAME/VERSION/}.
     *
     * @throws ModelException      when the directory's manifest is unusable or its graph does not match the
     *                             SHA-256 the manifest pins
     * @throws ModelStoreException when the store cannot be written, or already holds other bytes under this
     *                             name and version
     */
    public StoredModel put(Path modelDir, URI root) throws ModelException, ModelStoreException {
        ensureOpen();
        ModelDirectory dir = ModelDirectory.at(modelDir);
        ModelManifest manifest = dir.readManifest();
        Path onnx = dir.modelFile();
        if (!Files.isRegularFile(onnx)) {
            throw new ModelException(onnx + ": the ONNX graph of model " + manifest.id()
                    + " is missing; put model.onnx beside model.json");
        }
        String sha;
        long size;
        try {
            sha = sha256(onnx);
            size = Files.size(onnx);
        } catch (IOException e) {
            throw new ModelException(onnx + ": cannot read the ONNX graph of model " + manifest.id() + " ("
                    + e.getMessage() + ")", e);
        }
        if (manifest.sha256().isPresent() && !manifest.sha256().get().equals(sha)) {
            throw new ModelException(onnx + ": SHA-256 " + sha + " does not match the manifest's "
                    + manifest.sha256().get() + " for model " + manifest.id()
                    + "; the file is damaged or belongs to another release");
        }
        ModelArtifact artifact;
        try {
            artifact = new ModelArtifact(manifest.name(), manifest.version(),
                    child(root, manifest.name() + "/" + manifest.version() + "/"), sha, size);
        } catch (IllegalArgumentException e) {
            throw new ModelException(dir.manifestFile() + ": " + e.getMessage(), e);
        }
        ModelManifest pinned = manifest.toBuilder().optSha256(sha).build();
        BlobAccess store = blobsFor(root);
        URI manifestUri = artifact.file(ModelDirectory.MANIFEST_FILE);
        String existing = existingSha256(store, manifestUri);
        if (sha.equals(existing)) {
            LOG.info("model {} is already stored at {} with SHA-256 {}", manifest.id(), artifact.uri(), sha);
            return new StoredModel(artifact, pinned, true);
        }
        if (existing != null) {
            throw new ModelStoreException(artifact.uri() + " already holds model " + manifest.id()
                    + (existing.isEmpty() ? " with a manifest that pins no readable SHA-256" : " with SHA-256 " + existing)
                    + ", not " + sha + "; a released version never changes, so give this model a new version");
        }
        Path manifestFile = null;
        try {
            store.write(artifact.file(ModelDirectory.MODEL_FILE), onnx);
            manifestFile = Files.createTempFile("segstream-model", ".json");
            Files.writeString(manifestFile, pinned.toJson(), StandardCharsets.UTF_8);
            store.write(manifestUri, manifestFile);
        } catch (IOException e) {
            throw new ModelStoreException("cannot store model " + manifest.id() + " at " + artifact.uri() + " on the "
                    + store.describe() + ": " + reason(e), e);
        } finally {
            deleteQuietly(manifestFile);
        }
        LOG.info("stored model {} ({} bytes, SHA-256 {}) at {}", manifest.id(), size, sha, artifact.uri());
        return new StoredModel(artifact, pinned, false);
    }

    /** The SHA-256 the stored manifest pins, null when nothing is stored there. */
    private static String existingSha256(BlobAccess store, URI manifestUri) throws ModelStoreException {
        byte[] json;
        try (InputStream in = store.read(manifestUri)) {
            json = in.readNBytes(MAX_MANIFEST_BYTES);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ModelStoreException("cannot check " + manifestUri + " on the " + store.describe() + ": "
                    + reason(e), e);
        }
        try {
            return ModelManifest.parse(new String(json, StandardCharsets.UTF_8), manifestUri.toString())
                    .sha256().orElse("");
        } catch (ModelException e) {
            // an unreadable manifest still occupies the name and version
            return "";
        }
    }

    // ---------------------------------------------------------------- fetch

    /**
     * Fetches {@code artifact} into {@code cacheDir/NAME/VERSION-SHA/}, or reuses what an earlier fetch left there
     * after checking it again. {@code model.onnx} is checked against the artifact's size and SHA-256 while it
     * downloads, before anything reads it.
     *
     * @return the local model directory
     * @throws ModelStoreException when the artifact is missing or unreachable, or its bytes are not what the
     *                             release says
     */
    public Path fetch(ModelArtifact artifact, Path cacheDir) throws ModelStoreException {
        ensureOpen();
        Path target = cacheDir.resolve(artifact.name()).resolve(artifact.version() + "-"
                + artifact.sha256().substring(0, 16));
        if (isVerifiedCopy(target, artifact.sha256(), artifact.sizeBytes())) {
            LOG.debug("model {} found verified in the cache {}", artifact.id(), target);
            return target;
        }
        BlobAccess store = blobsFor(artifact.uri());
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), ".fetch-");
            URI onnxUri = artifact.file(ModelDirectory.MODEL_FILE);
            try (InputStream in = store.read(onnxUri);
                    OutputStream out = Files.newOutputStream(tmp.resolve(ModelDirectory.MODEL_FILE))) {
                copyVerified(in, out, artifact.sha256(), artifact.sizeBytes(), "release " + artifact.id(), onnxUri);
            }
            Files.write(tmp.resolve(ModelDirectory.MANIFEST_FILE),
                    readManifest(store, artifact.file(ModelDirectory.MANIFEST_FILE)));
            moveIntoPlace(tmp, target, artifact.sha256(), artifact.sizeBytes());
        } catch (NoSuchFileException e) {
            throw new ModelStoreException("model " + artifact.id() + " is not in the " + store.describe() + ": "
                    + e.getFile() + " does not exist", e);
        } catch (IOException e) {
            throw new ModelStoreException("cannot fetch model " + artifact.id() + " from " + artifact.uri() + ": "
                    + reason(e), e, true);
        } finally {
            deleteTree(tmp);
        }
        LOG.info("fetched model {} ({} bytes, SHA-256 verified) from {} into {}", artifact.id(), artifact.sizeBytes(),
                artifact.uri(), target);
        return target;
    }

    /**
     * Fetches the model directory at {@code dir} (a store URI: {@code file://}, {@code http(s)://}, {@code s3://})
     * into {@code cacheDir/NAME/VERSION-SHA/}, where no release describes it: {@code model.json} first, then
     * {@code model.onnx}, checked while it downloads against the SHA-256 the manifest pins. The manifest holds no
     * size, so only the hash decides; a manifest without a SHA-256 is refused, since nothing could tell a damaged
     * graph from the right one. A cached copy with the same manifest and a graph that still hashes right is reused.
     *
     * @return the local model directory
     * @throws ModelException      when {@code model.json} is not a usable manifest or pins no SHA-256
     * @throws ModelStoreException when a file is missing or unreachable, or {@code model.onnx} is not the graph
     *                             the manifest pins
     */
    public Path fetchDirectory(URI dir, Path cacheDir) throws ModelException, ModelStoreException {
        ensureOpen();
        BlobAccess store = blobsFor(dir);
        URI manifestUri = child(dir, ModelDirectory.MANIFEST_FILE);
        byte[] json;
        try {
            json = readManifest(store, manifestUri);
        } catch (NoSuchFileException e) {
            throw new ModelStoreException("no model at " + dir + " on the " + store.describe() + ": " + e.getFile()
                    + " does not exist; a model directory holds model.json and model.onnx", e);
        } catch (IOException e) {
            throw new ModelStoreException("cannot fetch " + manifestUri + ": " + reason(e), e, true);
        }
        ModelManifest manifest = ModelManifest.parse(new String(json, StandardCharsets.UTF_8), manifestUri.toString());
        String sha = manifest.sha256().orElseThrow(() -> new ModelException(manifestUri + " pins no sha256 of"
                + " model.onnx, so a download of model " + manifest.id() + " cannot be verified: add \"sha256\" (the"
                + " model's sha256sum) to the manifest, or store the model with `segstream release`, which pins it"));
        try {
            ModelArtifact.requireSafe("model name", manifest.name());
            ModelArtifact.requireSafe("model version", manifest.version());
        } catch (IllegalArgumentException e) {
            throw new ModelException(manifestUri + ": " + e.getMessage(), e);
        }
        Path target = cacheDir.resolve(manifest.name()).resolve(manifest.version() + "-" + sha.substring(0, 16));
        if (isVerifiedCopy(target, sha, -1) && sameBytes(target.resolve(ModelDirectory.MANIFEST_FILE), json)) {
            LOG.debug("model {} from {} found verified in the cache {}", manifest.id(), dir, target);
            return target;
        }
        URI onnxUri = child(dir, ModelDirectory.MODEL_FILE);
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), ".fetch-");
            try (InputStream in = store.read(onnxUri);
                    OutputStream out = Files.newOutputStream(tmp.resolve(ModelDirectory.MODEL_FILE))) {
                copyVerified(in, out, sha, -1, "the manifest of model " + manifest.id(), onnxUri);
            }
            Files.write(tmp.resolve(ModelDirectory.MANIFEST_FILE), json);
            if (Files.exists(target) && !sameBytes(target.resolve(ModelDirectory.MANIFEST_FILE), json)) {
                // same graph, edited manifest (normalisation, metrics): the new manifest replaces the cached one
                replaceStale(target);
            }
            moveIntoPlace(tmp, target, sha, -1);
        } catch (NoSuchFileException e) {
            throw new ModelStoreException("model " + manifest.id() + " at " + dir + " has no graph on the "
                    + store.describe() + ": " + e.getFile() + " does not exist", e);
        } catch (IOException e) {
            throw new ModelStoreException("cannot fetch model " + manifest.id() + " from " + onnxUri + ": "
                    + reason(e), e, true);
        } finally {
            deleteTree(tmp);
        }
        LOG.info("fetched model {} (SHA-256 {} verified against its manifest) from {} into {}", manifest.id(), sha,
                dir, target);
        return target;
    }

    /** The bytes of a manifest, refusing one too large to be a manifest. */
    private static byte[] readManifest(BlobAccess store, URI manifestUri) throws IOException, ModelStoreException {
        try (InputStream in = store.read(manifestUri)) {
            byte[] json = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (json.length > MAX_MANIFEST_BYTES) {
                throw new ModelStoreException(manifestUri + " is larger than " + MAX_MANIFEST_BYTES
                        + " bytes; a model manifest is a small JSON file");
            }
            return json;
        }
    }

    private static boolean sameBytes(Path file, byte[] expected) {
        try {
            return Arrays.equals(Files.readAllBytes(file), expected);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Copies while counting and hashing; with a known size ({@code size >= 0}) it stops as soon as the stream runs
     * past it. {@code promisedBy} names what the expected SHA-256 and size come from.
     */
    private static void copyVerified(InputStream in, OutputStream out, String sha256, long size, String promisedBy,
            URI source) throws IOException, ModelStoreException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
            if (size >= 0 && total > size) {
                throw new ModelStoreException(source + " is larger than the " + size + " bytes " + promisedBy
                        + " says; the store holds other bytes than were released");
            }
            digest.update(buffer, 0, n);
            out.write(buffer, 0, n);
        }
        if (size >= 0 && total < size) {
            throw new ModelStoreException(source + " has " + total + " of the " + size + " bytes " + promisedBy
                    + " says: the file is truncated");
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(sha256)) {
            throw new ModelStoreException(source + " has SHA-256 " + actual + " but " + promisedBy + " says " + sha256
                    + ": the file was altered or belongs to another " + (size >= 0 ? "release" : "model"));
        }
    }

    /** Whether {@code dir} holds a manifest and a graph of {@code sha256} (and {@code size}, when {@code >= 0}). */
    private static boolean isVerifiedCopy(Path dir, String sha256, long size) {
        Path onnx = dir.resolve(ModelDirectory.MODEL_FILE);
        try {
            return Files.isRegularFile(dir.resolve(ModelDirectory.MANIFEST_FILE)) && Files.isRegularFile(onnx)
                    && (size < 0 || Files.size(onnx) == size) && sha256(onnx).equals(sha256);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Renames the finished download into place. A verified copy another fetch put there first is kept; a damaged
     * one is renamed away before it is deleted, so no reader ever sees a half-deleted folder.
     */
    private static void moveIntoPlace(Path tmp, Path target, String sha256, long size) throws IOException {
        if (Files.exists(target)) {
            if (isVerifiedCopy(target, sha256, size)) {
                return;
            }
            replaceStale(target);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            LOG.debug("another fetch filled {} first", target);
        }
    }

    /** Renames {@code target} away, then deletes it. */
    private static void replaceStale(Path target) throws IOException {
        Path stale = Files.createTempDirectory(target.getParent(), ".stale-");
        Files.move(target, stale.resolve("damaged"), StandardCopyOption.ATOMIC_MOVE);
        deleteTree(stale);
    }

    // ---------------------------------------------------------------- helpers

    /** {@code dir} read as a folder, with {@code relative} below it. */
    static URI child(URI dir, String relative) {
        String s = dir.toString();
        return URI.create(s.endsWith("/") ? s + relative : s + "/" + relative);
    }

    /** What went wrong, in words: some I/O failures (a refused connection) carry no message of their own. */
    static String reason(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "connection refused"
                : e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }

    /** Lower-case hex SHA-256 of a file, read in chunks. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private BlobAccess blobsFor(URI uri) {
        Scheme scheme = Scheme.of(uri);
        return blobs.computeIfAbsent(scheme, s -> switch (s) {
            case FILE -> new FileBlobs();
            case HTTP -> new HttpBlobs(options.timeout());
            case S3 -> new S3Blobs(options);
        });
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this model store is closed; open a new one");
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("could not delete {}: {}", file, e.getMessage());
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
    }

    /** Closes the S3 client, if one was opened. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        blobs.values().forEach(BlobAccess::close);
        blobs.clear();
    }
}
