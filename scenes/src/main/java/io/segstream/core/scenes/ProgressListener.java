package io.segstream.core.scenes;

/** Told how far a long rendering job has come; called from the thread that runs the job. */
@FunctionalInterface
public interface ProgressListener {
    /** {@code done} of {@code total} items are finished. */
    void progress(int done, int total);

    /** A listener that ignores progress. */
    static ProgressListener none() {
        return (done, total) -> { };
    }
}
