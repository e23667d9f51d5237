package io.segstream.cluster;

import io.segstream.connectors.kafka.KafkaClientConfigs;
import io.segstream.connectors.kafka.KafkaClientSecurity;
import io.segstream.connectors.kafka.LocalPorts;
import io.segstream.connectors.kafka.TopicSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * A real KRaft broker secured as a Strimzi cluster is: a {@code SASL_SSL} listener with SCRAM-SHA-512 and an
 * {@code SSL} listener that requires client certificates (mTLS), with certificates made by the JDK's
 * {@code keytool}. The files a client needs lie where Strimzi's secrets would be mounted: {@link #caCert()} (the
 * cluster CA's {@code ca.crt}) and, per user, {@code password}, {@code user.p12} and {@code user.password}.
 */
final class SecuredBroker implements AutoCloseable {
    static final String SCRAM_USER = "segstream-inference";
    static final String SCRAM_PASSWORD = "scram-Secret-123";
    static final String TLS_USER = "segstream-ingest";
    private static final String HOST = "127.0.0.1";
    private static final String STORE_PASSWORD = "broker-Store-123";
    private static final String USER_STORE_PASSWORD = "user-Store-456";

    private final KafkaRaftServer server;
    private final Path dir;
    private final int saslPort;
    private final int tlsPort;

    private SecuredBroker(KafkaRaftServer server, Path dir, int saslPort, int tlsPort) {
        this.server = server;
        this.dir = dir;
        this.saslPort = saslPort;
        this.tlsPort = tlsPort;
    }

    static SecuredBroker start(Path dir) throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path users = Files.createDirectories(dir.resolve("kafka-user"));
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", certs.resolve("broker.p12").toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", certs.resolve("broker.p12").toString(),
                "-storepass", STORE_PASSWORD, "-file", certs.resolve("ca.crt").toString());
        keytool("-genkeypair", "-alias", "user", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=" + TLS_USER, "-keystore", users.resolve("user.p12").toString(), "-storetype", "PKCS12",
                "-storepass", USER_STORE_PASSWORD, "-keypass", USER_STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "user", "-keystore", users.resolve("user.p12").toString(),
                "-storepass", USER_STORE_PASSWORD, "-file", certs.resolve("user.crt").toString());
        Files.writeString(users.resolve("user.password"), USER_STORE_PASSWORD, StandardCharsets.UTF_8);
        Files.writeString(users.resolve("password"), SCRAM_PASSWORD, StandardCharsets.UTF_8);

        int[] ports = LocalPorts.free(HOST, 4);
        int internal = ports[0];
        int sasl = ports[1];
        int tls = ports[2];
        int controller = ports[3];
        Path data = dir.resolve("data");
        Path metadata = dir.resolve("metadata");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controller);
        p.put("listeners", "INTERNAL://" + HOST + ":" + internal + ",SASL://" + HOST + ":" + sasl + ",MTLS://" + HOST
                + ":" + tls + ",CONTROLLER://" + HOST + ":" + controller);
        p.put("advertised.listeners", "INTERNAL://" + HOST + ":" + internal + ",SASL://" + HOST + ":" + sasl
                + ",MTLS://" + HOST + ":" + tls);
        p.put("listener.security.protocol.map", "INTERNAL:PLAINTEXT,SASL:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "INTERNAL");
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("ssl.keystore.location", certs.resolve("broker.p12").toString());
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.password", STORE_PASSWORD);
        p.put("ssl.key.password", STORE_PASSWORD);
        p.put("listener.name.mtls.ssl.client.auth", "required");
        p.put("listener.name.mtls.ssl.truststore.location", certs.resolve("user.crt").toString());
        p.put("listener.name.mtls.ssl.truststore.type", "PEM");
        p.put("log.dirs", data.toString());
        p.put("metadata.log.dir", metadata.toString());
        for (String key : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                "share.coordinator.state.topic.min.isr", "default.replication.factor", "min.insync.replicas",
                "offsets.topic.num.partitions", "transaction.state.log.num.partitions", "num.partitions")) {
            p.put(key, "1");
        }
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.putAll(KafkaClientConfigs.brokerSizeLimits());
        new Formatter()
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(metadata.toString())
                .addDirectory(metadata.toString())
                .addDirectory(data.toString())
                // the KafkaUser: SCRAM credentials stored in the cluster metadata, as Strimzi's user operator does
                .setScramArguments(List.of("SCRAM-SHA-512=[name=" + SCRAM_USER + ",password=" + SCRAM_PASSWORD + "]"))
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .run();
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        server.startup();
        return new SecuredBroker(server, dir, sasl, tls);
    }

    /** SCRAM-SHA-512 over TLS as {@link #SCRAM_USER}, the password from its mounted file. */
    KafkaClientSecurity scram() {
        return KafkaClientSecurity.fromMap(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.username", SCRAM_USER,
                "kafka.sasl.password-file", userSecret().resolve("password").toString(),
                "kafka.ssl.truststore", caCert().toString()));
    }

    /** Creates {@code topics} through the SASL_SSL listener. */
    void createTopics(Collection<TopicSpec> topics) throws Exception {
        Properties admin = KafkaClientConfigs.admin(saslBootstrap());
        admin.putAll(scram().clientProperties());
        try (Admin a = Admin.create(admin)) {
            a.createTopics(topics.stream().map(TopicSpec::toNewTopic).toList()).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** The SASL_SSL listener (SCRAM-SHA-512). */
    String saslBootstrap() {
        return HOST + ":" + saslPort;
    }

    /** The SSL listener that requires a client certificate. */
    String mtlsBootstrap() {
        return HOST + ":" + tlsPort;
    }

    /** The cluster CA clients trust (here the broker's self-signed certificate), PEM. */
    Path caCert() {
        return dir.resolve("certs").resolve("ca.crt");
    }

    /** The users' secret folder: {@code password} (SCRAM), {@code user.p12} and {@code user.password} (mTLS). */
    Path userSecret() {
        return dir.resolve("kafka-user");
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
