package io.segstream.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.UnixOperatingSystemMXBean;
import io.segstream.training.run.LinePlot;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream soak}: runs {@code demo} for a long time in this JVM and watches what could grow without bound:
 * heap after GC, GC pauses, the process's resident memory (ONNX Runtime's native arenas live there), open file
 * descriptors, threads, and the masks' latency percentiles. Prints a table per window and writes PNG plots.
 *
 * <pre>{@code ./segstream soak --duration 1800 --out soak-out}</pre>
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Runs the demo (embedded Kafka, the job, two cameras, the bundled model) for --duration",
            "seconds and samples this JVM every --sample-every seconds: heap after GC, GC pauses, resident memory,",
            "open file descriptors, threads, mask latency p50/p99. Prints a table per window, a growth verdict for",
            "the second half of the run, and writes soak.csv and PNG plots to --out. A benchmark: run it quiet."})
final class SoakCommand implements Callable<Integer> {
    private static final Pattern STATUS = Pattern.compile(
            "t=\\s*(\\d+)s\\s+masks/s\\s+([\\d.]+)\\s+masks\\s+(\\d+)\\s+latency p50\\s+([\\d.]+) ms p99\\s+([\\d.]+) ms");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "1800",
            description = "Seconds of streaming (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--sample-every", paramLabel = "S", defaultValue = "10",
            description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    int sampleEvery;

    @Option(names = "--windows", paramLabel = "N", defaultValue = "6",
            description = "Rows of the table: the run cut into N windows (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "soak-out",
            description = "Where soak.csv, the plots and the demo's overlays go (default: ${DEFAULT-VALUE}).")
    Path out;

    /** One sample of the process. */
    record Sample(double minutes, double heapAfterGcMb, double rssMb, long fds, int threads, double gcMsTotal,
            long gcCount, double maxPauseMs, double latencyP50, double latencyP99, double masksPerSecond) {}

    @Override
    public Integer call() throws Exception {
        if (duration < 10 || sampleEvery < 1 || windows < 1) {
            throw new IllegalArgumentException("--duration must be at least 10 s, --sample-every and --windows at"
                    + " least 1");
        }
        Files.createDirectories(out);
        PrintWriter console = spec.commandLine().getOut();
        ConcurrentLinkedQueue<double[]> seconds = new ConcurrentLinkedQueue<>(); // {p50, p99, masks/s}
        ConcurrentLinkedQueue<Double> pauses = new ConcurrentLinkedQueue<>();
        listenToPauses(pauses);
        List<Sample> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "segstream-soak-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> {
            Sample s = sample((System.nanoTime() - t0) / 60e9, seconds, pauses);
            synchronized (samples) {
                samples.add(s);
            }
            console.println(String.format(Locale.ROOT, "soak: %5.1f min  heap after GC %6.1f MB  RSS %7.1f MB"
                    + "  fds %4d  threads %4d  latency p50 %5.0f p99 %5.0f ms  masks/s %5.1f", s.minutes(),
                    s.heapAfterGcMb(), s.rssMb(), s.fds(), s.threads(), s.latencyP50(), s.latencyP99(),
                    s.masksPerSecond()));
            console.flush();
        }, sampleEvery, sampleEvery, TimeUnit.SECONDS);

        CommandLine demo = Segstream.commandLine();
        PrintWriter statusLines = new PrintWriter(new LineTap(line -> {
            Matcher m = STATUS.matcher(line);
            if (m.find()) {
                seconds.add(new double[] {Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5)),
                        Double.parseDouble(m.group(2))});
            }
        }), true);
        demo.setOut(statusLines);
        demo.setErr(statusLines);
        int exit = demo.execute("demo", "--duration", String.valueOf(duration), "--out",
                out.resolve("overlays").toString(), "--web-port", "0", "--dashboard-port", "0");
        sampler.shutdownNow();
        if (exit != 0) {
            throw new IllegalStateException("the demo ended with exit status " + exit);
        }
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        console.print(table(all, windows));
        console.println(verdict(all));
        writeCsv(all, out.resolve("soak.csv"));
        plots(all, out);
        console.println("soak: wrote " + out.resolve("soak.csv") + ", soak-memory.png, soak-latency.png,"
                + " soak-handles.png");
        console.flush();
        return 0;
    }

    private static void listenToPauses(ConcurrentLinkedQueue<Double> pauses) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, h) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                                (CompositeData) n.getUserData());
                        // concurrent cycles are not pauses
                        if (!info.getGcName().contains("Concurrent")) {
                            pauses.add((double) info.getGcInfo().getDuration());
                        }
                    }
                }, null, null);
            }
        }
    }

    private static Sample sample(double minutes, ConcurrentLinkedQueue<double[]> seconds,
            ConcurrentLinkedQueue<Double> pauses) {
        double heapAfterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                heapAfterGc += pool.getCollectionUsage().getUsed();
            }
        }
        double gcMs = 0;
        long gcCount = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcMs += Math.max(0, gc.getCollectionTime());
            gcCount += Math.max(0, gc.getCollectionCount());
        }
        double maxPause = 0;
        for (Double p; (p = pauses.poll()) != null; ) {
            maxPause = Math.max(maxPause, p);
        }
        List<double[]> secs = new ArrayList<>();
        for (double[] s; (s = seconds.poll()) != null; ) {
            if (s[2] > 0) {
                secs.add(s);
            }
        }
        double p50 = median(secs.stream().mapToDouble(s -> s[0]).toArray());
        double p99 = secs.stream().mapToDouble(s -> s[1]).max().orElse(Double.NaN);
        double rate = secs.stream().mapToDouble(s -> s[2]).average().orElse(0);
        long fds = ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getOpenFileDescriptorCount() : -1;
        return new Sample(minutes, heapAfterGc / 1e6, residentMb(), fds,
                ManagementFactory.getThreadMXBean().getThreadCount(), gcMs, gcCount, maxPause, p50, p99, rate);
    }

    /** VmRSS of this process in MB (Linux), NaN elsewhere. */
    private static double residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return Double.NaN;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }

    /** The run cut into {@code windows}: last heap-after-GC, RSS, fds, threads; GC time; worst pause; latency. */
    static String table(List<Sample> samples, int windows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%n%-13s %10s %9s %6s %8s %9s %10s %9s %9s %8s%n", "window (min)", "heap GC MB", "RSS MB", "fds",
                "threads", "GC ms", "max pause", "p50 ms", "p99 ms", "masks/s"));
        if (samples.isEmpty()) {
            return sb.append("(no samples)\n").toString();
        }
        double end = samples.get(samples.size() - 1).minutes();
        double prevGc = 0;
        for (int w = 0; w < windows; w++) {
            double from = end * w / windows;
            double to = end * (w + 1) / windows;
            List<Sample> in = samples.stream().filter(s -> s.minutes() > from - 1e-9 && s.minutes() <= to + 1e-9)
                    .toList();
            if (in.isEmpty()) {
                continue;
            }
            Sample last = in.get(in.size() - 1);
            sb.append(String.format(Locale.ROOT, "%5.1f-%-7.1f %10.1f %9.1f %6d %8d %9.0f %10.0f %9.0f %9.0f %8.1f%n",
                    from, to, last.heapAfterGcMb(), last.rssMb(), last.fds(), last.threads(), last.gcMsTotal() - prevGc,
                    in.stream().mapToDouble(Sample::maxPauseMs).max().orElse(0),
                    median(in.stream().mapToDouble(Sample::latencyP50).filter(Double::isFinite).toArray()),
                    in.stream().mapToDouble(Sample::latencyP99).filter(Double::isFinite).max().orElse(Double.NaN),
                    in.stream().mapToDouble(Sample::masksPerSecond).average().orElse(0)));
            prevGc = last.gcMsTotal();
        }
        return sb.toString();
    }

    /** Growth over the second half of the run (the first half includes warm-up): per hour, by least squares. */
    static String verdict(List<Sample> samples) {
        List<Sample> half = samples.subList(samples.size() / 2, samples.size());
        if (half.size() < 3) {
            return "soak: too few samples for a growth verdict";
        }
        return String.format(Locale.ROOT, "soak: growth over the second half, per hour: heap after GC %+.1f MB,"
                        + " RSS %+.1f MB, fds %+.1f, threads %+.1f", slope(half, Sample::heapAfterGcMb),
                slope(half, Sample::rssMb), slope(half, s -> s.fds()), slope(half, s -> s.threads()));
    }

    private static double slope(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        double n = samples.size();
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Sample s : samples) {
            double x = s.minutes() / 60;
            double y = f.applyAsDouble(s);
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double d = n * sxx - sx * sx;
        double slope = d == 0 ? 0 : (n * sxy - sx * sy) / d;
        return Math.abs(slope) < 0.05 ? 0 : slope; // no "-0.0" from rounding noise
    }

    private static void writeCsv(List<Sample> samples, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("minutes,heap_after_gc_mb,rss_mb,fds,threads,gc_ms_total,gc_count,max_pause_ms,latency_p50_ms,"
                + "latency_p99_ms,masks_per_second");
        for (Sample s : samples) {
            lines.add(String.format(Locale.ROOT, "%.3f,%.1f,%.1f,%d,%d,%.0f,%d,%.0f,%.1f,%.1f,%.2f", s.minutes(),
                    s.heapAfterGcMb(), s.rssMb(), s.fds(), s.threads(), s.gcMsTotal(), s.gcCount(), s.maxPauseMs(),
                    s.latencyP50(), s.latencyP99(), s.masksPerSecond()));
        }
        Files.write(file, lines);
    }

    private static void plots(List<Sample> samples, Path dir) throws IOException {
        double[] t = samples.stream().mapToDouble(Sample::minutes).toArray();
        new LinePlot("soak: memory", "minutes", "MB")
                .series("heap after GC", t, samples.stream().mapToDouble(Sample::heapAfterGcMb).toArray())
                .series("resident (RSS)", t, samples.stream().mapToDouble(Sample::rssMb).toArray())
                .write(dir.resolve("soak-memory.png"));
        new LinePlot("soak: mask latency", "minutes", "ms")
                .series("p50", t, samples.stream().mapToDouble(Sample::latencyP50).toArray())
                .series("p99", t, samples.stream().mapToDouble(Sample::latencyP99).toArray())
                .series("max GC pause", t, samples.stream().mapToDouble(Sample::maxPauseMs).toArray())
                .write(dir.resolve("soak-latency.png"));
        new LinePlot("soak: handles", "minutes", "count")
                .series("open file descriptors", t, samples.stream().mapToDouble(s -> s.fds()).toArray())
                .series("threads", t, samples.stream().mapToDouble(s -> s.threads()).toArray())
                .write(dir.resolve("soak-handles.png"));
    }

    /** A writer that hands each complete line to {@code consumer}. */
    private static final class LineTap extends Writer {
        private final java.util.function.Consumer<String> consumer;
        private final StringBuilder line = new StringBuilder();

        LineTap(java.util.function.Consumer<String> consumer) {
            this.consumer = consumer;
        }

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    consumer.accept(line.toString());
                    line.setLength(0);
                } else {
                    line.append(buf[i]);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }
}
