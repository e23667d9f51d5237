package io.segstream.inference.segment;

import io.segstream.connectors.models.ModelArtifact;
import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ModelStore;
import io.segstream.connectors.models.ModelStoreException;
import io.segstream.core.frames.FrameOutcome;
import io.segstream.core.frames.FrameSegmenter;
import io.segstream.core.model.ModelDirectory;
import io.segstream.core.model.ModelException;
import io.segstream.core.model.ModelManifest;
import io.segstream.core.segment.OnnxSegmenter;
import io.segstream.core.segment.SegmenterOptions;
import io.segstream.schemas.CameraFrame;
import io.segstream.schemas.ImageEncoding;
import io.segstream.schemas.ModelRelease;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a model release into a {@link ServingModel}, off the hot path: fetch the artifact into the cache (size and
 * SHA-256 checked while it downloads), check the manifest against the release and the job's label set, open it
 * (ONNX Runtime loads it, the graph's input and output shapes match the manifest, a smoke run on a grey frame is
 * finite; TensorRT builds its engine here), then warm it up on a canned frame through the whole frame pipeline.
 * Only a model that passed all of that is handed to the operator, which swaps it in between two frames.
 *
 * <p>{@link #submit} runs on one background thread per subtask while frames keep flowing through the serving
 * model; {@link #prepare} does the same work on the caller's thread (at start and after a restore).
 *
 * <p>A release whose store cannot be reached or read (a connection refused, a timeout, a server error: see
 * {@link ModelStoreException#isUnreachable}) stays pending on the background thread and is fetched again after
 * waits that double from 1 s up to 60 s, {@link FetchRetries#DEFAULT} 12 attempts over about 6 minutes, each failed
 * attempt logged with its count and counted ({@link #fetchRetries}); only then is it rejected. The serving model
 * keeps serving meanwhile, and the release, pending, is in every checkpoint. Missing artifacts and wrong bytes are
 * rejected at once: trying again would not change them.
 */
final class ModelPreparer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPreparer.class);
    private static final int WARM_UP_ROUNDS = 2;

    private final SegmentationSettings settings;
    private final String owner;
    private final FetchRetries retries;
    private final ExecutorService executor;
    private final AtomicLong fetchRetries = new AtomicLong();
    private Path configured;

    /**
     * How often, and after which waits, a release whose store cannot be reached is fetched again.
     *
     * @param attempts  fetches in all, the first included
     * @param firstWait the wait after the first failed attempt; each next wait is twice the one before
     * @param maxWait   the longest wait
     */
    record FetchRetries(int attempts, Duration firstWait, Duration maxWait) {
        static final FetchRetries DEFAULT = new FetchRetries(12, Duration.ofSeconds(1), Duration.ofSeconds(60));

        Duration waitAfter(int attempt) {
            long ms = firstWait.toMillis() << Math.min(attempt - 1, 30);
            return Duration.ofMillis(Math.min(ms, maxWait.toMillis()));
        }
    }

    /** @param owner names the subtask in logs and in the background thread's name */
    ModelPreparer(SegmentationSettings settings, String owner) {
        this(settings, owner, FetchRetries.DEFAULT);
    }

    ModelPreparer(SegmentationSettings settings, String owner, FetchRetries retries) {
        this.settings = settings;
        this.owner = owner;
        this.retries = retries;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "segstream model preparer (" + owner + ")");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the configured model directory. */
    ServingModel openConfigured() throws ModelException {
        return open(null, configuredDir());
    }

    /** The label set of the configured model, read from its manifest. */
    String configuredLabelSet() throws ModelException {
        return ModelDirectory.at(configuredDir()).readManifest().labelSetName();
    }

    /** The configured model's local directory; a store URI is fetched and verified once per subtask. */
    private synchronized Path configuredDir() throws ModelException {
        if (configured == null) {
            configured = ConfiguredModel.resolve(settings.modelDir(), Path.of(settings.modelCacheDir()),
                    settings.storeOptions());
        }
        return configured;
    }

    /**
     * {@link #prepare} on the background thread, fetching again while the store cannot be reached (see the class
     * comment).
     */
    Future<ServingModel> submit(ModelRelease release, String expectedLabelSet) {
        return executor.submit(() -> prepareRetrying(release, expectedLabelSet));
    }

    /** Fetch attempts repeated so far because a store could not be reached. */
    long fetchRetries() {
        return fetchRetries.get();
    }

    private ServingModel prepareRetrying(ModelRelease release, String expectedLabelSet)
            throws ModelException, InterruptedException {
        long t0 = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                return prepare(release, expectedLabelSet);
            } catch (ModelException e) {
                if (!storeUnreachable(e)) {
                    throw e;
                }
                if (attempt >= retries.attempts()) {
                    throw new ModelException(e.getMessage() + " (the store could not be reached in " + attempt
                            + " attempts over " + (System.nanoTime() - t0) / 1_000_000_000 + " s)", e);
                }
                Duration wait = retries.waitAfter(attempt);
                fetchRetries.incrementAndGet();
                LOG.warn("{}: release {} stays pending, its store cannot be reached (attempt {} of {}, the next in {}"
                        + " ms; {} fetch retries in all): {}", owner, ModelReleases.id(release), attempt,
                        retries.attempts(), wait.toMillis(), fetchRetries.get(), e.getMessage());
                Thread.sleep(wait.toMillis());
            }
        }
    }

    private static boolean storeUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ModelStoreException s) {
                return s.isUnreachable();
            }
        }
        return false;
    }

    /**
     * Fetches, verifies, opens and warms up the release's model.
     *
     * @throws ModelException with one sentence saying why the release cannot serve
     */
    ServingModel prepare(ModelRelease release, String expectedLabelSet) throws ModelException {
        long t0 = System.nanoTime();
        String id = ModelReleases.id(release);
        ModelArtifact artifact;
        try {
            artifact = ModelArtifact.of(release);
        } catch (IllegalArgumentException e) {
            throw new ModelException("release " + id + " is malformed: " + e.getMessage(), e);
        }
        Path dir;
        try (ModelStore store = ModelStore.open(settings.storeOptions())) {
            dir = store.fetch(artifact, Path.of(settings.modelCacheDir()));
        } catch (ModelStoreException e) {
            throw new ModelException(e.getMessage(), e);
        }
        ModelManifest manifest = ModelDirectory.at(dir).readManifest();
        List<String> contradictions = ModelReleases.contradictions(release, manifest);
        if (!contradictions.isEmpty()) {
            throw new ModelException("the manifest of release " + id + " contradicts the release: "
                    + String.join("; ", contradictions));
        }
        if (expectedLabelSet != null && !manifest.labelSetName().equals(expectedLabelSet)) {
            throw new ModelException("release " + id + " labels pixels with " + manifest.labelSetName()
                    + " but this job serves " + expectedLabelSet + "; alert rules and mask consumers read class ids"
                    + " of one label set, so release a " + expectedLabelSet + " model or start a job for the other set");
        }
        ServingModel model = open(release, dir);
        LOG.info("{}: release {} fetched, verified and warmed up in {} ms", owner, id,
                (System.nanoTime() - t0) / 1_000_000);
        return model;
    }

    private ServingModel open(ModelRelease release, Path dir) throws ModelException {
        OnnxSegmenter segmenter = OnnxSegmenter.open(dir, SegmenterOptions.fromMap(settings.segmenterSettings()));
        try {
            FrameSegmenter frames = new FrameSegmenter(segmenter, settings.rules(), settings.maskEncoding());
            warmUp(frames, segmenter);
            return new ServingModel(release, segmenter, frames);
        } catch (ModelException | RuntimeException e) {
            segmenter.close();
            throw e;
        }
    }

    /**
     * Runs full batches of a canned frame through the frame pipeline, so that the first real frames find every
     * buffer allocated and every engine built, and a model that fails or answers nonsense never serves.
     */
    private static void warmUp(FrameSegmenter frames, OnnxSegmenter segmenter) throws ModelException {
        CameraFrame canned = cannedFrame(segmenter.inputWidth(), segmenter.inputHeight());
        List<CameraFrame> batch = Collections.nCopies(segmenter.maxBatch(), canned);
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (FrameOutcome o : frames.segment(batch)) {
                if (!o.succeeded()) {
                    throw new ModelException("model " + segmenter.manifest().id() + " failed on a canned frame: "
                            + o.failure().reason());
                }
                for (Map.Entry<String, Float> e : o.mask().getClassFractions().entrySet()) {
                    if (!Float.isFinite(e.getValue())) {
                        throw new ModelException("model " + segmenter.manifest().id() + " gave the non-finite "
                                + e.getKey() + " fraction " + e.getValue() + " on a canned frame");
                    }
                }
            }
        }
    }

    /** A test card at the model's input size: red, green and blue bars over a grey ramp. */
    static CameraFrame cannedFrame(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                int grey = 255 * x / Math.max(1, width - 1);
                int bar = y < height / 2 ? x * 3 / Math.max(1, width) : -1;
                rgb[i] = (byte) (bar == 0 ? 255 : bar < 0 ? grey : 0);
                rgb[i + 1] = (byte) (bar == 1 ? 255 : bar < 0 ? grey : 0);
                rgb[i + 2] = (byte) (bar == 2 ? 255 : bar < 0 ? grey : 0);
            }
        }
        return CameraFrame.newBuilder()
                .setCameraId("canned")
                .setSeq(0)
                .setCaptureTime(Instant.EPOCH)
                .setIngestTime(Instant.EPOCH)
                .setWidth(width)
                .setHeight(height)
                .setEncoding(ImageEncoding.RAW_RGB24)
                .setData(ByteBuffer.wrap(rgb))
                .setAttributes(Map.of())
                .build();
    }

    /** Stops the background thread; a model it prepared that nobody took is closed. */
    @Override
    public void close() {
        List<Runnable> never = new ArrayList<>(executor.shutdownNow());
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("{}: the model preparer did not stop within 30 s", owner);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!never.isEmpty()) {
            LOG.debug("{}: {} model preparations never started", owner, never.size());
        }
    }
}
