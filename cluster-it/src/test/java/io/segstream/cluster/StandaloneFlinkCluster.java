package io.segstream.cluster;

import io.segstream.connectors.kafka.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink session cluster of separate JVM processes, as {@code start-cluster.sh} starts one: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), on the classpath that
 * flink-dist's {@code lib/} would hold, from a generated {@code config.yaml}. Memory is computed the way Flink's
 * scripts compute it ({@code BashJavaUtils}): JVM flags and dynamic properties from the configured process sizes.
 *
 * <pre>{@code
 * try (StandaloneFlinkCluster cluster = StandaloneFlinkCluster.builder(classpath, workDir).build()) {
 *     cluster.start(2);
 *     FlinkRest rest = cluster.rest();
 * }
 * }</pre>
 *
 * <p>The work folder is emptied first. {@link #close()} ends every process it started (and their children), also from a shutdown hook should the test
 * JVM itself be stopped.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
    private static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    /** What flink-dist's config.yaml opens for Java 17 (Kryo and Flink's serializers reflect into these). */
    private static final List<String> JAVA17_OPENS = List.of(
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final String classpath;
    private final Path workDir;
    private final Path confDir;
    private final Path logDir;
    private final Map<String, String> settings;
    private final Map<String, String> environment;
    private final int restPort;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Thread shutdownHook = new Thread(this::destroyAll, "flink-cluster-shutdown");
    private int taskManagers;

    private StandaloneFlinkCluster(Builder b) throws IOException {
        this.classpath = b.classpath;
        this.workDir = b.workDir.toAbsolutePath();
        deleteRecursively(workDir);
        this.confDir = Files.createDirectories(workDir.resolve("conf"));
        this.logDir = Files.createDirectories(workDir.resolve("log"));
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        int[] ports = LocalPorts.free("localhost", 2);
        this.restPort = ports[0];
        Map<String, String> s = new LinkedHashMap<>();
        s.put("jobmanager.rpc.address", "localhost");
        s.put("jobmanager.rpc.port", Integer.toString(ports[1]));
        s.put("jobmanager.bind-host", "localhost");
        s.put("rest.address", "localhost");
        s.put("rest.bind-address", "localhost");
        s.put("rest.port", Integer.toString(restPort));
        s.put("taskmanager.host", "localhost");
        s.put("taskmanager.bind-host", "localhost");
        s.put("taskmanager.numberOfTaskSlots", "1");
        s.put("parallelism.default", "1");
        // small and explicit: the machine is shared, and each TaskManager runs ONNX Runtime outside the JVM heap
        s.put("jobmanager.memory.process.size", "768m");
        s.put("taskmanager.memory.process.size", "1280m");
        s.put("taskmanager.memory.managed.size", "64m");
        s.put("taskmanager.cpu.cores", "1");
        s.put("io.tmp.dirs", tmp.toString());
        s.put("web.upload.dir", Files.createDirectories(workDir.resolve("upload")).toString());
        s.put("execution.checkpointing.dir", workDir.resolve("checkpoints").toUri().toString());
        s.put("execution.checkpointing.savepoint-dir", workDir.resolve("savepoints").toUri().toString());
        // a failed job stays failed, so a classloading error shows as the job's exception, not as restarts
        s.put("restart-strategy.type", "none");
        s.put("heartbeat.timeout", "60000");
        s.put("pekko.ask.timeout", "60 s");
        s.putAll(b.settings);
        this.settings = Map.copyOf(s);
        this.environment = Map.copyOf(b.environment);
        Files.writeString(confDir.resolve("config.yaml"), s.entrySet().stream()
                .map(e -> e.getKey() + ": " + yamlScalar(e.getValue()))
                .collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n",
                // INFO: Kafka clients log their whole configuration at start (secrets as [hidden])
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = INFO",
                ""), StandardCharsets.UTF_8);
    }

    /** A cluster that runs its JVMs on {@code classpath} and keeps conf, logs, checkpoints under {@code workDir}. */
    public static Builder builder(String classpath, Path workDir) {
        return new Builder(classpath, workDir);
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers, and waits until all are registered. */
    public void start(int taskManagers) throws IOException, InterruptedException {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
        JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> jmCommand = new ArrayList<>(javaCommand("jobmanager",
                JobManagerProcessUtils.generateJvmParametersStr(jm, conf)));
        jmCommand.add(JOB_MANAGER);
        jmCommand.addAll(List.of("--configDir", confDir.toString()));
        jmCommand.addAll(dynamicProperties(JobManagerProcessUtils.generateDynamicConfigsStr(jm)));
        launch("jobmanager", jmCommand);
        for (int i = 0; i < taskManagers; i++) {
            startTaskManager();
        }
        rest().awaitTaskManagers(taskManagers, Duration.ofSeconds(90));
    }

    /** Starts one more TaskManager (without waiting for it to register). */
    public void startTaskManager() throws IOException {
        Configuration conf = GlobalConfiguration.loadConfiguration(confDir.toString());
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        String name = "taskmanager-" + (++taskManagers);
        List<String> command = new ArrayList<>(javaCommand(name, ProcessMemoryUtils.generateJvmParametersStr(tm)));
        command.add(TASK_MANAGER);
        command.addAll(List.of("--configDir", confDir.toString()));
        command.addAll(dynamicProperties(TaskExecutorProcessUtils.generateDynamicConfigsStr(tm)));
        launch(name, command);
    }

    /** The cluster's REST API. */
    public FlinkRest rest() {
        return new FlinkRest("http://localhost:" + restPort);
    }

    /** The cluster's settings as written to {@code config.yaml}. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Where the cluster's processes write their logs ({@code jobmanager.log}, {@code taskmanager-N.log}). */
    public Path logDir() {
        return logDir;
    }

    /** The lines of every log that contain {@code text}, prefixed with the log's name. */
    public List<String> logLines(String text) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> logs = Files.list(logDir)) {
            for (Path log : logs.sorted().toList()) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.contains(text)) {
                        found.add(log.getFileName() + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    /**
     * Per TaskManager, the distinct files named {@code fileName} (a shared library) that its process has mapped now,
     * from {@code /proc/PID/maps}: how many copies of a native library the TaskManager holds.
     */
    public synchronized Map<String, Set<String>> mappedFiles(String fileName) throws IOException {
        Map<String, Set<String>> mapped = new TreeMap<>();
        for (Map.Entry<String, Process> e : processes.entrySet()) {
            if (!e.getKey().startsWith("taskmanager")) {
                continue;
            }
            Set<String> files = new TreeSet<>();
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(e.getValue().pid()), "maps"))) {
                int slash = line.indexOf('/');
                if (slash >= 0 && line.endsWith("/" + fileName)) {
                    files.add(line.substring(slash));
                }
            }
            mapped.put(e.getKey(), files);
        }
        return mapped;
    }

    /**
     * Per TaskManager, the Prometheus endpoint its reporter serves ({@link Builder#optPrometheusReporter()}), from the
     * port the reporter logged when it started.
     */
    public Map<String, URI> prometheusEndpoints() throws IOException {
        Map<String, URI> endpoints = new TreeMap<>();
        String started = "Started PrometheusReporter HTTP server on port ";
        for (String line : logLines(started)) {
            String log = line.substring(0, line.indexOf(':'));
            String port = line.substring(line.indexOf(started) + started.length()).replaceAll("\\D", "");
            if (log.startsWith("taskmanager") && log.endsWith(".log")) {
                endpoints.put(log.substring(0, log.length() - ".log".length()),
                        URI.create("http://localhost:" + port + "/metrics"));
            }
        }
        return endpoints;
    }

    /** Ends every process this cluster started and their children, forcibly after 15 s. */
    @Override
    public void close() {
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is shutting down already, or start() never ran
        }
    }

    private synchronized void destroyAll() {
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    private List<String> javaCommand(String name, String memoryFlags) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(memoryFlags.trim().split("\\s+")));
        command.addAll(JAVA17_OPENS);
        // as k8s/base/inference.yaml has it for the task managers (env.java.opts.taskmanager): the JDK's vector API
        command.add("--add-modules=jdk.incubator.vector");
        command.add("-Djava.io.tmpdir=" + settings.get("io.tmp.dirs"));
        command.add("-Dlog.file=" + logDir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        return command;
    }

    private void launch(String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + ".out").toFile());
        // the cluster must not inherit the test JVM's options (surefire's argLine, agents)
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().putAll(environment);
        synchronized (this) {
            processes.put(name, pb.start());
        }
    }

    /** "-D key=value -D key=value" as Flink's utilities print it, as separate arguments. */
    private static List<String> dynamicProperties(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** An earlier run's logs and checkpoints must not mix with this run's. */
    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String yamlScalar(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static int freePort() {
        try {
            return LocalPorts.free("localhost", 1)[0];
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /** Builds a {@link StandaloneFlinkCluster}. */
    public static final class Builder {
        private final String classpath;
        private final Path workDir;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();

        private Builder(String classpath, Path workDir) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            this.workDir = Objects.requireNonNull(workDir, "workDir");
        }

        /** A {@code config.yaml} key on top of the defaults. */
        public Builder optSetting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /**
         * Flink's Prometheus reporter in every process, on ports of a free range (as the k8s manifests configure it
         * on port 9249); see {@link #prometheusEndpoints()}.
         */
        public Builder optPrometheusReporter() {
            int first = freePort();
            settings.put("metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            settings.put("metrics.reporter.prom.port", first + "-" + (first + 50));
            return this;
        }

        /** An environment variable of every process of the cluster (as a pod's env would set it). */
        public Builder optEnvironment(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public StandaloneFlinkCluster build() throws IOException {
            if (classpath.isBlank()) {
                throw new IllegalArgumentException("the cluster classpath is empty; cluster-it's pom writes it to"
                        + " target/flink-cluster.classpath in generate-test-resources (run it through mvn verify)");
            }
            return new StandaloneFlinkCluster(this);
        }
    }
}
