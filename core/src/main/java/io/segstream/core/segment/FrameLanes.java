package io.segstream.core.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that do a batch's per-frame work (decoding, preprocessing, the argmax and the mask) side by side: the
 * calling thread is lane 0, and {@code lanes - 1} daemon threads are the others. Each lane owns its own decoder,
 * preprocessor and postprocessor (none of them is thread-safe), picked by the lane number a task is given; the frames
 * go to whichever lane is free next.
 *
 * <p>On a CPU the network already uses every core its ONNX Runtime threads were given, but only while it runs: the
 * work around it ran on one of them while the others waited. Lanes put those cores to work on it too.
 *
 * <pre>{@code
 * try (FrameLanes lanes = new FrameLanes(2, "model rail-fastscnn:2")) {
 *     lanes.forEach(frames.size(), (lane, i) -> images[i] = decoders[lane].decode(...));
 * }
 * }</pre>
 */
public final class FrameLanes implements AutoCloseable {
    /** One frame's work on one lane. */
    @FunctionalInterface
    public interface Task {
        /**
         * Works on frame {@code index}; {@code lane} (0 to {@link #lanes()} - 1) names the state it may use. Frames
         * of one {@link #forEach} run on different lanes at once.
         */
        void run(int lane, int index);
    }

    private final int lanes;
    private final ExecutorService others;

    /**
     * @param lanes how many threads work on a batch, the caller's among them; 1 runs everything on the caller
     * @param owner names the threads (the model they serve)
     * @throws IllegalArgumentException when {@code lanes} is below 1
     */
    public FrameLanes(int lanes, String owner) {
        if (lanes < 1) {
            throw new IllegalArgumentException("frame lanes must be at least 1, got " + lanes);
        }
        this.lanes = lanes;
        AtomicInteger counter = new AtomicInteger(1);
        this.others = lanes == 1 ? null : Executors.newFixedThreadPool(lanes - 1, r -> {
            Thread t = new Thread(r, "segstream frame lane " + counter.getAndIncrement() + " (" + owner + ")");
            t.setDaemon(true);
            return t;
        });
    }

    /** How many threads work on a batch. */
    public int lanes() {
        return lanes;
    }

    /**
     * Runs {@code task} for frames 0 to {@code count - 1} on up to {@link #lanes()} threads and returns when every
     * frame is done. A task that throws stops its lane from taking more frames (the others go on); the first exception is thrown here
     * once the other lanes are done (an {@link Error} as it is, anything else as the unchecked exception it is or
     * wrapped in an {@link IllegalStateException}).
     */
    public void forEach(int count, Task task) {
        int used = Math.min(lanes, count);
        if (used <= 1) {
            for (int i = 0; i < count; i++) {
                task.run(0, i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>(used - 1);
        for (int lane = 1; lane < used; lane++) {
            int mine = lane;
            running.add(others.submit(() -> drain(mine, count, next, task)));
        }
        Throwable first = null;
        try {
            drain(0, count, next, task);
        } catch (RuntimeException | Error e) {
            first = e;
        }
        boolean interrupted = false;
        for (Future<?> f : running) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause();
                    }
                    break;
                } catch (InterruptedException e) {
                    // the lanes hold this batch's buffers: wait for them, and keep the interrupt for the caller
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first.getMessage(), first);
        }
    }

    private static void drain(int lane, int count, AtomicInteger next, Task task) {
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            task.run(lane, i);
        }
    }

    /** Stops the lanes' threads; a later {@link #forEach} of more than one frame fails. */
    @Override
    public void close() {
        if (others != null) {
            others.shutdownNow();
        }
    }
}
