package io.segstream.connectors.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM on a loopback
 * port, for tests, the demo and {@code segstream broker}.
 *
 * <p>It is set up for one node (offsets and transaction logs with replication factor 1 and min.isr 1, so
 * consumer groups and transactions work) and for multi-MB records ({@link KafkaClientConfigs#brokerSizeLimits()}).
 * Without a log directory it uses a temporary one that {@link #close()} deletes; with one, the directory is
 * formatted on first use and kept, so a broker started again on it has the same topics and records. It holds
 * the cluster metadata log ({@code metadata/}) and the topic data ({@code data/}). A second broker on the
 * same directory, in this process or another, is refused before it touches the files (two controllers on one
 * metadata log corrupt it, and Kafka's own lock failure exits the JVM).
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().optTopics(SegstreamTopics.defaults().all()).start()) {
 *     String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:41234"
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final String METADATA_DIR = "metadata";
    private static final String DATA_DIR = "data";
    private static final String LOCK_FILE = "segstream-broker.lock";
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final DirLock dirLock;
    private final int port;
    private final Path logDir;
    private final boolean temporary;
    private final Duration timeout;
    private boolean closed;

    private EmbeddedKafka(KafkaRaftServer server, DirLock dirLock, int port, Path logDir, boolean temporary,
            Duration timeout) {
        this.server = server;
        this.dirLock = dirLock;
        this.port = port;
        this.logDir = logDir;
        this.temporary = temporary;
        this.timeout = timeout;
    }

    /** A builder; {@code builder().start()} gives a broker on a free port with a temporary log directory. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code host:port} for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** The directory holding topics, records ({@code data/}) and cluster metadata ({@code metadata/}). */
    public Path logDir() {
        return logDir;
    }

    /**
     * Creates the topics that do not exist yet.
     *
     * @return names of the topics created
     */
    public List<String> ensureTopics(Collection<TopicSpec> topics) throws IOException {
        requireOpen();
        return KafkaTopicAdmin.ensureTopics(bootstrapServers(), topics, timeout);
    }

    /** Shuts the broker down cleanly and deletes the log directory if it was a temporary one. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("embedded Kafka on {} stopped", bootstrapServers());
        } finally {
            dirLock.close();
        }
        if (temporary) {
            Utils.delete(logDir.toFile());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker on " + bootstrapServers() + " is closed");
        }
    }

    /** Configures and starts an {@link EmbeddedKafka}. */
    public static final class Builder {
        private int port;
        private Path logDir;
        private final List<TopicSpec> topics = new ArrayList<>();
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private Duration timeout = Duration.ofSeconds(60);

        private Builder() {}

        /** The client port; 0 (the default) picks a free one. */
        public Builder optPort(int port) {
            this.port = port;
            return this;
        }

        /** A log directory that outlives the broker; created and formatted if new, reused otherwise. */
        public Builder optLogDir(Path logDir) {
            this.logDir = logDir;
            return this;
        }

        /** Topics created on start when missing. */
        public Builder optTopics(Collection<TopicSpec> topics) {
            this.topics.addAll(topics);
            return this;
        }

        /** One broker setting on top of the single-node defaults, e.g. {@code log.retention.ms}. */
        public Builder optBrokerProperty(String key, String value) {
            extraProperties.put(key, value);
            return this;
        }

        /** How long start-up and topic creation may take; 60 s by default. */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Formats the log directory if needed, starts the broker and creates the missing topics.
         *
         * @throws IOException if the port is taken, the directory is locked by another broker or unusable,
         *     or the broker does not come up within the timeout
         */
        public EmbeddedKafka start() throws IOException {
            sanityCheck();
            for (int attempt = 1; ; attempt++) {
                try {
                    return startOnce();
                } catch (IOException e) {
                    // a free port picked here can be taken by another process before the broker binds it
                    if (port != 0 || attempt == START_ATTEMPTS || !causedBy(e, BindException.class)) {
                        throw e;
                    }
                    LOG.info("a picked port was taken before the broker bound it; trying other ports");
                }
            }
        }

        private EmbeddedKafka startOnce() throws IOException {
            boolean temporary = logDir == null;
            Path dir = temporary ? Files.createTempDirectory("segstream-kafka-") : logDir.toAbsolutePath();
            Files.createDirectories(dir);
            DirLock lock = DirLock.acquire(dir);
            int[] ports = LocalPorts.free(HOST, 2);
            int brokerPort = port == 0 ? ports[0] : port;
            int controllerPort = ports[1] == port ? ports[0] : ports[1];
            KafkaRaftServer server = null;
            try {
                Properties props = brokerProperties(dir, brokerPort, controllerPort);
                KafkaConfig config = KafkaConfig.fromProps(props, false);
                formatIfNew(dir.resolve(METADATA_DIR), dir.resolve(DATA_DIR));
                server = new KafkaRaftServer(config, Time.SYSTEM);
                server.startup();
                EmbeddedKafka kafka = new EmbeddedKafka(server, lock, brokerPort, dir, temporary, timeout);
                if (!topics.isEmpty()) {
                    kafka.ensureTopics(topics);
                }
                LOG.info("embedded Kafka on {} (log dir {})", kafka.bootstrapServers(), dir);
                return kafka;
            } catch (Exception e) {
                if (server != null) {
                    server.shutdown();
                    server.awaitShutdown();
                }
                lock.close();
                if (temporary) {
                    Utils.delete(dir.toFile());
                }
                throw new IOException("embedded Kafka did not start on " + HOST + ":" + brokerPort + " with log dir "
                        + dir + ": " + rootMessage(e), e);
            }
        }

        private void sanityCheck() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535, got " + port);
            }
            if (logDir != null && Files.exists(logDir) && !Files.isDirectory(logDir)) {
                throw new IllegalArgumentException("log dir " + logDir + " is a file: give a directory");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
        }

        private Properties brokerProperties(Path dir, int brokerPort, int controllerPort) {
            Properties props = new Properties();
            props.put("process.roles", "broker,controller");
            props.put("node.id", String.valueOf(NODE_ID));
            props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
            props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                    + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
            props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
            props.put("listener.security.protocol.map",
                    BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            props.put("controller.listener.names", CONTROLLER_LISTENER);
            props.put("inter.broker.listener.name", BROKER_LISTENER);
            props.put("log.dirs", dir.resolve(DATA_DIR).toString());
            props.put("metadata.log.dir", dir.resolve(METADATA_DIR).toString());
            // one node: internal topics must not wait for replicas that will never exist
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "1");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "1");
            props.put("share.coordinator.state.topic.replication.factor", "1");
            props.put("share.coordinator.state.topic.min.isr", "1");
            props.put("default.replication.factor", "1");
            props.put("min.insync.replicas", "1");
            props.put("num.partitions", "1");
            props.put("group.initial.rebalance.delay.ms", "0");
            // topics are created from TopicSpecs; a typo in a client must not create a topic silently
            props.put("auto.create.topics.enable", "false");
            props.putAll(KafkaClientConfigs.brokerSizeLimits());
            props.putAll(extraProperties);
            return props;
        }

        private static void formatIfNew(Path metadataDir, Path dataDir) throws Exception {
            if (Files.exists(metadataDir.resolve(META_PROPERTIES))) {
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
                new Formatter()
                        .setPrintStream(print)
                        .setNodeId(NODE_ID)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setControllerListenerName(CONTROLLER_LISTENER)
                        .setMetadataLogDirectory(metadataDir.toString())
                        .addDirectory(metadataDir.toString())
                        .addDirectory(dataDir.toString())
                        .run();
            }
            LOG.debug("formatted {}: {}", metadataDir.getParent(), out.toString(StandardCharsets.UTF_8).strip());
        }

        private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
        }
    }

    /** An exclusive lock on a log directory, held while a broker runs on it. */
    private static final class DirLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private DirLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static DirLock acquire(Path dir) throws IOException {
            FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IOException("log dir " + dir + " is locked by another running broker (in this or another"
                        + " process): stop that broker or use another directory");
            }
            return new DirLock(channel, lock);
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
