package io.segstream.inference.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where a process's CPU went between two moments, by thread: each live Java thread's CPU time, grouped by its name
 * with the digits taken out ({@code kafka-producer-network-thread | producer-#}), and what no live Java thread
 * accounts for (native threads such as ONNX Runtime's intra-op pool, the garbage collector, the JIT compiler, threads
 * that ended in between) as one more group.
 *
 * <p>The pipeline benchmark runs the broker, its frame producer, the Flink job and its Kafka clients in one JVM on
 * the same cores as the segmentation; this says how much of the pipeline's CPU per frame each took, which is what
 * separates the job's own cost from the cost of sharing the machine with a broker.
 */
final class ThreadCpu {
    /** The group of CPU no live Java thread accounts for. */
    static final String UNACCOUNTED = "native threads (ONNX Runtime's pool, GC, JIT) and ended ones";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** The garbage collectors' time (ms of collection, not CPU), a part of {@link #UNACCOUNTED} on most collectors. */
    static final String GC_TIME = "of which garbage collection (collector time)";

    /** The JIT compilers' threads as Linux names them, CPU ms; where /proc can be read. */
    static final String JIT_THREADS = "of which the JIT compilers' threads";
    /** The collectors' and the VM thread, as Linux names them, CPU ms; where /proc can be read. */
    static final String GC_THREADS = "of which the garbage collectors' and the VM thread";

    /**
     * The threads of the bench's own broker, frame producer and mask reader, CPU ms: a deployment's broker and cameras
     * run elsewhere, so this part of the pipeline's CPU is the test machine's.
     */
    static final String HARNESS = "of which the bench's own broker, frame producer and mask reader";

    private final Map<Long, Long> startByThread = new HashMap<>();
    private final Set<Long> harness;
    private final long startProcess;
    private final long startGcMs;
    private final double startJitMs;
    private final double startGcThreadsMs;

    private ThreadCpu(Set<Long> harness) {
        this.harness = Set.copyOf(harness);
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                startByThread.put(id, cpu);
            }
        }
        startProcess = processCpuNanos();
        startGcMs = gcMillis();
        startJitMs = jvmThreadsMs(true);
        startGcThreadsMs = jvmThreadsMs(false);
    }

    /** Starts counting now. */
    static ThreadCpu start() {
        return new ThreadCpu(Set.of());
    }

    /** Starts counting now; the threads {@code harness} are also summed as {@link #HARNESS}. */
    static ThreadCpu start(Set<Long> harness) {
        return new ThreadCpu(harness);
    }

    /** The ids of the live Java threads whose names {@code name} accepts. */
    static Set<Long> liveThreads(Predicate<String> name) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Set<Long> ids = new HashSet<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && name.test(info.getThreadName())) {
                ids.add(info.getThreadId());
            }
        }
        return ids;
    }

    /**
     * CPU ms since the start by thread group, largest first, then {@link #UNACCOUNTED}, {@link #GC_TIME} and "total",
     * the process's.
     */
    Map<String, Double> sinceStart() {
        Map<String, Double> groups = new HashMap<>();
        double accounted = 0;
        double harnessMs = 0;
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            ThreadInfo info = threads.getThreadInfo(id);
            if (cpu < 0 || info == null) {
                continue;
            }
            double ms = (cpu - startByThread.getOrDefault(id, 0L)) / 1e6;
            accounted += ms;
            if (harness.contains(id)) {
                harnessMs += ms;
            }
            groups.merge(group(info.getThreadName()), ms, Double::sum);
        }
        double total = (processCpuNanos() - startProcess) / 1e6;
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : sorted) {
            out.put(e.getKey(), e.getValue());
        }
        out.put(UNACCOUNTED, Math.max(0, total - accounted));
        out.put(JIT_THREADS, Math.max(0, jvmThreadsMs(true) - startJitMs));
        out.put(GC_THREADS, Math.max(0, jvmThreadsMs(false) - startGcThreadsMs));
        out.put(GC_TIME, (double) (gcMillis() - startGcMs));
        if (!harness.isEmpty()) {
            out.put(HARNESS, harnessMs);
        }
        out.put("total", total);
        return out;
    }

    /** A thread's name with every run of digits as {@code #}: one group per kind of thread. */
    static String group(String name) {
        return name.replaceAll("[0-9]+", "#");
    }

    /**
     * CPU ms so far of the live threads Linux names as the JVM's compilers ("C1 CompilerThre", "C2 CompilerThre"), or
     * else its collectors ("G1 ...", "GC Thread#...") and VM thread, from {@code /proc/self/task}; 0 where that cannot
     * be read. Those are not Java threads, so {@link ThreadMXBean} does not list them.
     */
    static double jvmThreadsMs(boolean compilers) {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return 0;
        }
        double ms = 0;
        for (java.io.File task : tasks) {
            try {
                String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                boolean compiler = comm.startsWith("C1 ") || comm.startsWith("C2 ");
                boolean collector = comm.startsWith("G1 ") || comm.startsWith("GC ") || comm.equals("VM Thread");
                if (compilers ? !compiler : !collector) {
                    continue;
                }
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                // fields after the parenthesised name: state is field 3, utime 14 and stime 15 (1-based)
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ms += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;   // USER_HZ = 100 on Linux
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended while read: its CPU stays unaccounted
            }
        }
        return ms;
    }

    private static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
