package io.segstream.inference.segment;

import io.segstream.connectors.models.ModelReleases;
import io.segstream.connectors.models.ReleaseTarget;
import io.segstream.connectors.models.SystemAlerts;
import io.segstream.core.model.ModelException;
import io.segstream.schemas.Alert;
import io.segstream.schemas.ModelRelease;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model release lifecycle of one segmentation subtask, without Flink: releases wait in arrival order, one at a
 * time is prepared off the hot path by {@link ModelPreparer}, and a prepared model replaces the serving one when
 * {@link #applyPrepared} is called between two batches. A release that fails is rejected with a
 * {@link SystemAlerts system alert}; releases for other targets, or for the model already serving or being
 * prepared, are ignored. The operator holding it keeps the state, timers and metrics.
 *
 * <pre>{@code
 * ReleaseLifecycle releases = new ReleaseLifecycle(preparer, settings.targets(), listener);
 * releases.start(startupReleases);     // after restore(...) when the subtask was restored
 * releases.startNextPreparation();
 * releases.offer(release);             // for every release on the models stream
 * releases.applyPrepared();            // between two batches
 * }</pre>
 */
final class ReleaseLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseLifecycle.class);

    /** What the lifecycle decided, for the operator's metrics and logs. */
    interface Listener {
        void accepted();

        void rejected();

        void ignored();

        /** {@code next} serves from now on; {@code old} is closed right after. */
        void swapped(ServingModel old, ServingModel next);
    }

    private final ModelPreparer preparer;
    private final Set<String> targets;
    private final Listener listener;
    private final Deque<ModelRelease> pending = new ArrayDeque<>();
    private final List<Alert> alertsToEmit = new ArrayList<>();
    private String labelSet;
    private ServingModel serving;
    private volatile String servingId;
    private ModelRelease preparing;
    private Future<ServingModel> prepared;
    private boolean restored;
    private ModelRelease restoredServing;

    /** Takes ownership of {@code preparer}: {@link #close} closes it. */
    ReleaseLifecycle(ModelPreparer preparer, Set<String> targets, Listener listener) {
        this.preparer = preparer;
        this.targets = Set.copyOf(targets);
        this.listener = listener;
    }

    /** The operator state of a restored subtask: the releases served and the releases not yet decided. */
    void restore(Iterable<ModelRelease> served, Iterable<ModelRelease> undecided) {
        restored = true;
        // union state: every subtask sees what all of them kept; they normally agree, the newest wins
        List<ModelRelease> all = new ArrayList<>();
        served.forEach(all::add);
        restoredServing = all.stream().max(Comparator.comparing(ModelRelease::getReleasedAt)).orElse(null);
        for (ModelRelease r : undecided) {
            if (pending.stream().noneMatch(p -> sameRecord(p, r))) {
                pending.add(r);
            }
        }
    }

    /** Whether {@link #restore} was called: such a subtask does not read the startup releases. */
    boolean restored() {
        return restored;
    }

    /**
     * Opens the starting model: after a restore the release served before, at a fresh start the newest valid release
     * of {@code startupReleases} (oldest first; empty when the job does not follow the models topic), else the
     * configured model.
     */
    ServingModel start(List<ModelRelease> startupReleases) throws ModelException {
        labelSet = preparer.configuredLabelSet();
        serving = startingModel(startupReleases);
        servingId = serving.id();
        return serving;
    }

    private ServingModel startingModel(List<ModelRelease> startupReleases) throws ModelException {
        if (restoredServing != null) {
            try {
                return preparer.prepare(restoredServing, labelSet);
            } catch (ModelException e) {
                LOG.error("release {} served before the restart cannot serve again, falling back: {}",
                        ModelReleases.id(restoredServing), e.getMessage());
                ServingModel fallback = preparer.openConfigured();
                alertsToEmit.add(SystemAlerts.restoreFailed(restoredServing, fallback.id(), e.getMessage()));
                return fallback;
            }
        }
        // a restored subtask already decided on the releases before its checkpoint: it only reads them at a fresh start
        if (!restored && !startupReleases.isEmpty()) {
            List<ModelRelease> released = startupReleases.stream()
                    .filter(r -> ReleaseTarget.applies(r.getTarget(), targets)).toList();
            List<ModelRelease> rejected = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            ServingModel chosen = null;
            for (int i = released.size() - 1; i >= 0 && chosen == null; i--) {
                ModelRelease r = released.get(i);
                try {
                    chosen = preparer.prepare(r, labelSet);
                    listener.accepted();
                } catch (ModelException e) {
                    LOG.warn("release {} on the models topic cannot serve: {}", ModelReleases.id(r), e.getMessage());
                    rejected.add(r);
                    reasons.add(e.getMessage());
                }
            }
            if (chosen == null) {
                chosen = preparer.openConfigured();
            }
            for (int i = 0; i < rejected.size(); i++) {
                listener.rejected();
                alertsToEmit.add(SystemAlerts.releaseRejected(rejected.get(i), chosen.id(), reasons.get(i)));
            }
            return chosen;
        }
        return preparer.openConfigured();
    }

    /** A release from the models stream: ignored, or queued and prepared once those before it are decided. */
    void offer(ModelRelease release) {
        String id = ModelReleases.id(release);
        if (!ReleaseTarget.applies(release.getTarget(), targets)) {
            listener.ignored();
            LOG.info("release {} is for target {}, not for this job's {}; ignored", id, release.getTarget(), targets);
            return;
        }
        ModelRelease latest = pending.isEmpty() ? (preparing != null ? preparing : serving.release())
                : pending.peekLast();
        if (ModelReleases.sameModel(latest, release)) {
            listener.ignored();
            LOG.info("release {} is the model already serving or being prepared; ignored", id);
            return;
        }
        pending.add(release);
        startNextPreparation();
    }

    /** Starts preparing the next pending release unless one is being prepared. */
    void startNextPreparation() {
        if (prepared == null && !pending.isEmpty()) {
            preparing = pending.poll();
            LOG.info("preparing release {} for target {} off the hot path; {} keeps serving",
                    ModelReleases.id(preparing), preparing.getTarget(), servingId);
            prepared = preparer.submit(preparing, labelSet);
        }
    }

    /** Swaps in a model that finished preparing, or announces why it failed; then starts the next one. */
    void applyPrepared() {
        while (prepared != null && prepared.isDone()) {
            ModelRelease release = preparing;
            Future<ServingModel> done = prepared;
            preparing = null;
            prepared = null;
            try {
                swapTo(done.get());
                listener.accepted();
            } catch (ExecutionException e) {
                reject(release, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while taking prepared model " + ModelReleases.id(release), e);
            }
            startNextPreparation();
        }
    }

    private void swapTo(ServingModel next) {
        ServingModel old = serving;
        serving = next;
        servingId = next.id();
        listener.swapped(old, next);
        old.close();
    }

    private void reject(ModelRelease release, Throwable why) {
        listener.rejected();
        String reason = why instanceof ModelException ? why.getMessage() : why.toString();
        LOG.warn("release {} rejected, {} keeps serving: {}", ModelReleases.id(release), servingId, reason);
        alertsToEmit.add(SystemAlerts.releaseRejected(release, servingId, reason));
    }

    ServingModel serving() {
        return serving;
    }

    /** {@code name:version} of the serving model; safe to read from a metrics thread. */
    String servingId() {
        return servingId;
    }

    /** The preparation under way, or null when none is. */
    Future<ServingModel> preparation() {
        return prepared;
    }

    boolean hasAlerts() {
        return !alertsToEmit.isEmpty();
    }

    /** The system alerts decided since the last call, oldest first. */
    List<Alert> drainAlerts() {
        List<Alert> out = List.copyOf(alertsToEmit);
        alertsToEmit.clear();
        return out;
    }

    /** What the serving state holds: the serving release, none for the configured model. */
    List<ModelRelease> servingToSnapshot() {
        return serving.release() == null ? List.of() : List.of(serving.release());
    }

    /** What the pending state holds: the release being prepared, then those waiting, in order. */
    List<ModelRelease> pendingToSnapshot() {
        List<ModelRelease> undecided = new ArrayList<>();
        if (preparing != null) {
            undecided.add(preparing);
        }
        undecided.addAll(pending);
        return undecided;
    }

    private static boolean sameRecord(ModelRelease a, ModelRelease b) {
        return ModelReleases.sameModel(a, b) && a.getReleasedAt().equals(b.getReleasedAt());
    }

    /** Stops the preparer and closes the serving model and one that was prepared but never taken. */
    @Override
    public void close() {
        preparer.close();
        if (prepared != null && prepared.isDone() && !prepared.isCancelled()) {
            try {
                prepared.get().close();
            } catch (ExecutionException e) {
                LOG.debug("the release being prepared at close had failed: {}", e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (serving != null) {
            serving.close();
        }
    }
}
